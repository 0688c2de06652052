"""The audio a caller hears to register a request (greeting to folio) stays within budget.

Both happy paths of ``benchmarks/prompt_durations.py`` (by speech, by keys) are driven through
the real flow and every sentence heard is synthesised with espeak-ng at the shipped voice and
rate: a prompt change that makes either path longer than its budget fails here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmarks.prompt_durations import BUDGET_SECONDS, make_flow, measure
from models.bus import InProcessBus

pytestmark = pytest.mark.skipif(
    not shutil.which("espeak-ng"), reason="espeak-ng is not installed (apt-get install espeak-ng)"
)


async def test_both_happy_paths_fit_their_budget(tmp_path: Path, bus: InProcessBus) -> None:
    measured = await measure(make_flow(tmp_path, bus))
    for path, (seconds, heard) in measured.items():
        assert heard[-1].startswith("También le enviaremos el folio"), heard  # up to the folio
        assert seconds <= BUDGET_SECONDS[path], f"{path}: {seconds:.1f} s > budget\n{heard}"
    # the alcaldía is never read as a list of sixteen on the happy paths
    assert not any("Xochimilco" in text for _, heard in measured.values() for text in heard)

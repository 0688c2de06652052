"""The real Asterisk shared by the call modules: the rendered configuration with the tests'
own dialplan (citizens, members, a supervisor) and the module that lets citizens press keys.
Each module starts its own switchboard (composition root, roles) on it, one after another."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .citizen import MODULES, dialplan_of_tests
from .real_asterisk import RealAsterisk, real_asterisk, write_silence
from .switchboard import SETTINGS


@pytest.fixture(scope="session")
def pbx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealAsterisk]:
    silence = write_silence(tmp_path_factory.mktemp("voz-prueba") / "silencio.wav", 0.2)
    dialplan = dialplan_of_tests(silence)
    with real_asterisk(
        tmp_path_factory, settings=SETTINGS, dialplan=dialplan, modules=MODULES
    ) as started:
        yield started

"""Tema priors: how often callers bring each official tema (2024 volumes), in [0, 1].

They only break near ties ("basura" alone is more likely the truck that did not come than a
fire), so they enter the score with a small weight (``scoring.PRIOR_WEIGHT``). ``OTRO``
gathers many unrelated requests, so it gets the median prior rather than its large total.

    >>> priors = tema_priors()
    >>> priors["FALTA DE AGUA"] > priors["BECAS"]
    True
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from statistics import median

from models.catalogue import OTHER_TEMA

TEMAS_FILE = Path(__file__).parent / "data" / "temas.csv"


def tema_priors(path: Path = TEMAS_FILE) -> dict[str, float]:
    """``tema → log-scaled share of 2024 volume`` from a ``tema,volumen_2024`` file."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        volumes = {row["tema"]: int(row["volumen_2024"]) for row in csv.DictReader(handle)}
    named = {t: v for t, v in volumes.items() if t != OTHER_TEMA}
    top = math.log1p(max(named.values(), default=0)) or 1.0
    priors = {tema: math.log1p(volume) / top for tema, volume in named.items()}
    priors[OTHER_TEMA] = median(priors.values()) if priors else 0.0
    return priors

"""Understanding callers: text → catalogue entry, IVR decision, alcaldía and colonia.

Figures are filled in from ``benchmarks/classifier.py`` (see the README, "Clasificador").
"""

from ivr.classifier.calibration import Calibration, Decision, Thresholds
from ivr.classifier.errors import EmptyUtterance, NotText, UtteranceTooLong
from ivr.classifier.places import Place, PlaceFinder
from ivr.classifier.service import MAX_TEXT_LENGTH, Candidate, Classification, Classifier

__all__ = [
    "MAX_TEXT_LENGTH",
    "Calibration",
    "Candidate",
    "Classification",
    "Classifier",
    "Decision",
    "EmptyUtterance",
    "NotText",
    "Place",
    "PlaceFinder",
    "Thresholds",
    "UtteranceTooLong",
]

"""Turning raw scores into calibrated confidences, and confidences into an IVR decision.

The confidence of a candidate is a logistic function of its score and of its margin over the
best *other* candidate (Platt scaling with two features), fitted by ``fit`` on one half of the
evaluation set and checked on the other half (``benchmarks/classifier.py``). The thresholds
come from the same measurements; see ``ivr.classifier`` for the figures.

    >>> DEFAULT_THRESHOLDS.decide(0.95)
    <Decision.CONFIRM: 'confirm'>
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np


class Decision(StrEnum):
    """What the IVR does with a classification."""

    CONFIRM = "confirm"
    """Read back the best candidate and ask "¿Es correcto?"."""
    CHOOSE = "choose"
    """Offer the two or three best candidates."""
    AGENT = "agent"
    """Hand the caller and the text over to an agent."""


@dataclass(frozen=True)
class Calibration:
    """``confidence = σ(score_weight·score + margin_weight·margin + bias)``."""

    score_weight: float
    margin_weight: float
    bias: float

    def confidence(self, score: float, margin: float) -> float:
        """The probability that a candidate with this score and margin is the right one."""
        z = self.score_weight * score + self.margin_weight * margin + self.bias
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


@dataclass(frozen=True)
class Thresholds:
    """Confidence cut-offs: ``confirm`` and above confirms, below ``choose`` goes to an agent."""

    confirm: float
    choose: float

    def decide(self, confidence: float | None) -> Decision:
        """The decision for the best candidate's confidence (``None``: no candidate)."""
        if confidence is None or confidence < self.choose:
            return Decision.AGENT
        return Decision.CONFIRM if confidence >= self.confirm else Decision.CHOOSE


def fit(samples: Sequence[tuple[float, float, bool]], *, l2: float = 1e-3) -> Calibration:
    """Fit the logistic model to ``(score, margin, was_right)`` samples (Newton's method).

    >>> cal = fit([(0.9, 0.5, True), (0.3, 0.0, False)] * 10 + [(0.6, 0.1, True)])
    >>> cal.confidence(0.9, 0.5) > 0.8 > 0.2 > cal.confidence(0.3, 0.0)
    True
    """
    if not samples:
        raise ValueError("no samples to calibrate on")
    x = np.array([[s, m, 1.0] for s, m, _ in samples])
    y = np.array([1.0 if right else 0.0 for _, _, right in samples])
    weights = np.zeros(3)
    penalty = l2 * np.diag([1.0, 1.0, 0.0])
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ weights, -50, 50)))
        gradient = x.T @ (p - y) + penalty @ weights
        hessian = (x.T * (p * (1 - p))) @ x + penalty + 1e-9 * np.eye(3)
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return Calibration(float(weights[0]), float(weights[1]), float(weights[2]))


def confirm_threshold(samples: Sequence[tuple[float, bool]], *, precision: float = 0.97) -> float:
    """The lowest confidence above which the best candidate is right ``precision`` of the time."""
    ranked = sorted(samples, key=lambda s: -s[0])
    best = 1.0
    right = 0
    for count, (confidence, correct) in enumerate(ranked, start=1):
        right += correct
        if right / count >= precision:
            best = confidence
    return best


def choose_threshold(helped: Sequence[float], unhelped: Sequence[float]) -> float:
    """The confidence that best separates calls a short list helps from those it cannot.

    ``helped``: best confidences of utterances whose entry is among the candidates offered;
    ``unhelped``: those of utterances outside the catalogue or with the entry missing.
    The cut maximises Youden's J (share of helped kept minus share of unhelped kept).

    >>> choose_threshold([0.9, 0.8, 0.6], [0.2, 0.3, 0.7])
    0.6
    """
    if not helped or not unhelped:
        return 0.0
    best, cut = -1.0, 0.0
    for candidate in sorted(set(helped)):
        kept = sum(c >= candidate for c in helped) / len(helped)
        leaked = sum(c >= candidate for c in unhelped) / len(unhelped)
        if kept - leaked > best:
            best, cut = kept - leaked, candidate
    return cut


DEFAULT_CALIBRATION = Calibration(score_weight=7.792, margin_weight=13.610, bias=-5.766)
"""Fitted by ``benchmarks/classifier.py`` on the fitting half of the evaluation set."""
DEFAULT_THRESHOLDS = Thresholds(confirm=0.934, choose=0.606)
"""``confirm``: top-1 right ≥ 98 % above it; ``choose``: Youden's J of "a short list helps"."""

"""Errors of the classifier, with stable ids (mapped to HTTP 422 by the app's handler)."""

from __future__ import annotations

from models.errors import DomainError


class EmptyUtterance(DomainError):
    """Nothing to classify: the text is empty or only blanks."""

    error_id = "empty-utterance"
    status_code = 422


class UtteranceTooLong(DomainError):
    """The text is longer than anything a caller says in one turn."""

    error_id = "utterance-too-long"
    status_code = 422


class NotText(DomainError):
    """The input is not a string of text."""

    error_id = "utterance-not-text"
    status_code = 422

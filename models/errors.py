"""Domain errors: small classes with a stable ``error_id``.

They are mapped to HTTP once (agent_console) and to a spoken prompt once (ivr).
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every rule the domain refuses; ``error_id`` is stable for clients."""

    error_id = "domain-error"
    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidFolio(DomainError):
    """A folio that cannot be right (wrong length, not digits, bad check digit)."""

    error_id = "invalid-folio"
    status_code = 422

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class FolioNotFound(DomainError):
    """A valid folio that no request carries."""

    error_id = "folio-not-found"
    status_code = 404


class IllegalTransition(DomainError):
    """A status change the lifecycle does not allow."""

    error_id = "illegal-transition"
    status_code = 409


class MissingAnswerData(DomainError):
    """An answer without its text, responsible person or administrative unit."""

    error_id = "missing-answer-data"
    status_code = 422


class UnknownCatalogueEntry(DomainError):
    """A catalogue code that does not exist."""

    error_id = "unknown-catalogue-entry"
    status_code = 422


class UnknownAuthority(DomainError):
    """An authority or unit code that does not exist."""

    error_id = "unknown-authority"
    status_code = 422


class ConfirmationWindowClosed(DomainError):
    """A citizen's confirmation that arrives after the 72-hour window."""

    error_id = "confirmation-window-closed"
    status_code = 409


class DatabaseNotMigrated(DomainError):
    """An external database whose schema is not at the latest migration."""

    error_id = "database-not-migrated"
    status_code = 503


class DatabaseNotFound(DomainError):
    """A one-shot command found no embedded database where the settings point."""

    error_id = "database-not-found"
    status_code = 503


class DatabaseBusy(DomainError):
    """The database stayed locked (by another process, say) longer than the bounded wait."""

    error_id = "database-busy"
    status_code = 503

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after)}

    @classmethod
    def after(cls, seconds: float) -> DatabaseBusy:
        """The error for a wait of ``seconds`` that ran out."""
        return cls(
            "La base de datos está ocupada en este momento; intente de nuevo en unos segundos.",
            retry_after=max(round(seconds), 1),
        )

"""What the fuzz tests share: bounded hypothesis settings, the app's settings, staff accounts,
Twilio's signature, the log watch and the stored-garbage check (a plain module: ``conftest``
names are ambiguous)."""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from sqlalchemy import Engine
from sqlmodel import func, select
from twilio.request_validator import RequestValidator

from models.authorities import Authority
from models.config import ConsoleSettings, PublicSettings, Settings, TwilioSettings
from models.db import session_scope
from models.requests import ServiceRequest
from models.users import Role, StaffCreate, create_user

PUBLIC = "https://locatel.example.mx"
TOKEN = "fuzz-auth-token"
ACCOUNT = "AC" + "2" * 32
UNLIMITED = "1000000/minute"
PASSWORD = "contraseña-de-fuzz-1"
STAFF = {
    Role.AGENT: "fuzz.agente",
    Role.SUPERVISOR: "fuzz.supervisora",
    Role.AUTHORITY: "fuzz.autoridad",
    Role.ADMIN: "fuzz.admin",
}

# CI runs a few examples per operation, always the same ones; SUAC_FUZZ_PROFILE=long runs
# many more, still reproducible (derandomised) so a failure found locally can be replayed.
_EXAMPLES = {"ci": 25, "long": 500}
PROFILE = os.environ.get("SUAC_FUZZ_PROFILE", "ci")
FUZZ = settings(
    max_examples=_EXAMPLES[PROFILE],
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


CASES: Counter[str] = Counter()  # fuzz cases run in this session, by test


def count_case(test: str) -> None:
    """Count one fuzz case of ``test`` (reported at the end of the run)."""
    CASES[test] += 1


def fuzz_settings(folder: Path, twilio_api_url: str) -> Settings:
    """Development settings (so ``/openapi.json`` is served), the embedded database, Twilio's
    signatures checked with ``TOKEN`` against ``PUBLIC``."""
    return Settings(
        environment="development",
        data_dir=folder,
        database_url="",
        redis_url="",
        public_base_url=PUBLIC,
        twilio=TwilioSettings(
            account_sid=ACCOUNT,
            auth_token=TOKEN,
            api_base_url=twilio_api_url,
            sms_sender="LOCATEL",
            whatsapp_sender="+5215599990000",
        ),
        # limits far above what the fuzzing sends, so each case reaches the logic
        public=PublicSettings(
            folio_lookups_per_client=UNLIMITED,
            unknown_folio_cost=1,
            open311_requests_per_key=UNLIMITED,
            open311_reads_per_client=UNLIMITED,
            reports_per_client=UNLIMITED,
        ),
        console=ConsoleSettings(
            folio_proof_attempts_per_folio=UNLIMITED, folio_proof_attempts_per_client=UNLIMITED
        ),
        _env_file=None,
    )


def add_staff(engine: Engine) -> None:
    """One account per role in ``STAFF``, each with ``PASSWORD`` (the authority's staff
    bound to the first authority)."""
    with session_scope(engine) as session:
        authority = session.exec(select(Authority.code).order_by(Authority.code)).first()
        for role, username in STAFF.items():
            bound = authority if role == Role.AUTHORITY else None
            data = StaffCreate(
                username=username, full_name="Persona de Prueba", role=role, authority_code=bound
            )
            create_user(session, data, password=PASSWORD)


_CSRF = re.compile(r'name="csrftoken" value="([^"]+)"')


def csrf_token(page: str) -> str:
    """The CSRF token a page's forms carry."""
    match = _CSRF.search(page)
    assert match, "the page has no form token"
    return match.group(1)


def twilio_signature(url: str, form: Mapping[str, str]) -> str:
    """``X-Twilio-Signature`` for a POST of ``form`` to ``url``, computed as Twilio does."""
    return str(RequestValidator(TOKEN).compute_signature(url, dict(form)))


class ErrorLog(logging.Handler):
    """Collects every record at ERROR or above that carries a traceback."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(record)

    def tracebacks(self) -> list[str]:
        """Each collected record, formatted with its traceback."""
        return [logging.Formatter().format(record) for record in self.records]


@contextmanager
def watched_log() -> Iterator[ErrorLog]:
    """An :class:`ErrorLog` on the root logger while the block runs (every thread's records)."""
    handler = ErrorLog()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TEXT_FIELDS = (
    "description",
    "citizen_name",
    "citizen_phone",
    "citizen_email",
    "street",
    "reference",
    "colonia",
    "alcaldia",
)


MANDATORY = ("catalogue_code", "kind", "channel")


def garbage_in(value: Any) -> bool:
    """A stored text a person could not have meant: control characters, or a lone surrogate."""
    if not isinstance(value, str):
        return False
    return bool(_CONTROL.search(value)) or any(
        unicodedata.category(char) == "Cs" for char in value
    )


def stored_garbage(engine: Engine) -> list[str]:
    """Requests stored with garbage in a text field, or without a category, kind or channel
    (an Open311 request may come without a description: GeoReport v2 makes it optional)."""
    found = []
    with session_scope(engine, readonly=True) as session:
        for row in session.exec(select(ServiceRequest)):
            fields = {name: getattr(row, name, None) for name in TEXT_FIELDS}
            bad = [name for name, value in fields.items() if garbage_in(value)]
            bad += [name for name in MANDATORY if not (getattr(row, name) or "").strip()]
            if bad:
                found.append(f"{row.folio}: {', '.join(bad)}")
    return found


def request_count(engine: Engine) -> int:
    """How many requests are stored."""
    with session_scope(engine, readonly=True) as session:
        return int(session.exec(select(func.count()).select_from(ServiceRequest)).one())

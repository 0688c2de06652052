"""Shared fixtures: an embedded database per test, and the real servers for the scale-out path.

The embedded database is migrated and seeded once per session: each test's new embedded
database (the shipped reference data, made by ``prepare_database``, directly or through an
application's start) begins as a copy of that one, which ``prepare_database`` then finds up to
date and seeded, so a test does not pay for every migration and the catalogue's import again.
Likewise each password is hashed (Argon2id, the shipped parameters) once per session, and each
password checked against each hash once; and the classifier's index of a catalogue is built
once per distinct catalogue (the same entries, the same priors).

PostgreSQL and Redis tests run against real servers (``SUAC_TEST_POSTGRES_URL``,
``SUAC_TEST_REDIS_URL``, defaulting to this machine's). When a server is missing they are
skipped with the reason, except under ``CI=true``, where a missing server fails the run.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from tests_support import PrivateRedis
from twilio_rest import FakeTwilioApi, start_fake_twilio

from ivr.classifier import service as classifier_service
from ivr.classifier.index import CatalogueIndex, EntryLike
from models import users
from models.bus import InProcessBus
from models.business_days import BusinessCalendar
from models.config import Settings
from models.db import make_engine, upgrade
from models.notifier import Notifier
from models.primary_roads import PRIMARY_ROADS_FILE
from models.request_service import RequestService
from suac import container

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
POSTGRES_URL = os.environ.get(
    "SUAC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("SUAC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() == "true"
KEPT_INDEXES = 8


def unavailable(what: str, error: Exception) -> None:
    """Skip, saying why (under CI=true the report hook below turns the skip into a failure)."""
    pytest.skip(f"{what} is not reachable ({error.__class__.__name__}: {error})")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):  # noqa: ANN201
    """Under CI=true nothing may be skipped: a skip (a missing server, tool or file) fails."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped, but CI=true requires it to run: {reason}"


PrepareDatabase = Callable[..., Engine]


def _shipped_reference_data(settings: Settings) -> bool:
    """Whether ``settings`` seed the shipped authorities and catalogue."""
    defaults = Settings.model_fields
    return (
        settings.catalogue_path == defaults["catalogue_path"].default
        and settings.authorities_path == defaults["authorities_path"].default
    )


def _reference_files() -> list[tuple[str, int]]:
    """The shipped reference files seeding reads, each with its last change."""
    defaults = Settings.model_fields
    paths = [defaults[name].default for name in ("catalogue_path", "authorities_path")]
    return [(str(path), path.stat().st_mtime_ns) for path in [*paths, PRIMARY_ROADS_FILE]]


def _starting_from(template: Path, prepare: PrepareDatabase) -> PrepareDatabase:
    """``prepare`` (``prepare_database``), a new embedded database with the shipped reference
    data copied from ``template`` first, while those files are as the template was made from."""
    made_from = _reference_files()

    def prepare_database(settings: Settings, *, create: bool = True) -> Engine:
        target = settings.database_path
        if (
            create
            and not settings.database_url
            and not target.exists()
            and _shipped_reference_data(settings)
            and _reference_files() == made_from
        ):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(template, target)
        return prepare(settings, create=create)

    return prepare_database


@pytest.fixture(scope="session", autouse=True)
def embedded_database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The embedded database migrated and seeded once, which new ones start from."""
    folder = tmp_path_factory.mktemp("plantilla")
    prepare = container.prepare_database
    template = folder / "suac.db"
    seeding = _starting_from(template, prepare)  # notes the files' state before they are read
    prepare(Settings(data_dir=folder, database_url="", redis_url="", _env_file=None)).dispose()
    assert not template.with_name("suac.db-wal").exists(), "the template's WAL was not merged"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(container, "prepare_database", seeding)
        yield template


@pytest.fixture(scope="session", autouse=True)
def remembered_password_hashes() -> Iterator[None]:
    """Argon2id takes a fifth of a second by design, and the tests add and sign in the same
    accounts with the same passwords over and over: the first hash of a password is reused
    (a real one, with its salt), and the first check of a password against a hash is."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users._HASHER, "hash", functools.cache(users._HASHER.hash))
        patch.setattr(users._HASHER, "verify", functools.cache(users._HASHER.verify))
        yield


@pytest.fixture(scope="session", autouse=True)
def shared_catalogue_indexes() -> Iterator[None]:
    """Indexing the catalogue takes a quarter of a second, and most applications the tests
    start classify over the same shipped catalogue: an index (never changed once built) is
    built once for each distinct list of entries (every field of each) and priors; the last
    few built are kept (about 5 MB each)."""
    built: dict[str, CatalogueIndex] = {}

    def index(
        entries: Sequence[EntryLike], *, priors: Mapping[str, float] | None = None
    ) -> CatalogueIndex:
        key = repr(([repr(entry) for entry in entries], sorted((priors or {}).items())))
        if key not in built:
            if len(built) == KEPT_INDEXES:
                del built[next(iter(built))]
            built[key] = CatalogueIndex(entries, priors=priors)
        return built[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(classifier_service, "CatalogueIndex", index)
        yield


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Embedded defaults in a private data folder."""
    return Settings(data_dir=tmp_path, database_url="", redis_url="", _env_file=None)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """A migrated, seeded SQLite database."""
    engine = container.prepare_database(settings)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def both_databases(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """The test runs twice: on the embedded SQLite database, then on a migrated and seeded
    PostgreSQL one (as ``suac db upgrade`` and a starting process leave it)."""
    if request.param == "sqlite":
        yield request.getfixturevalue("engine")
        return
    settings: Settings = request.getfixturevalue("pg_settings")
    migrating = make_engine(settings.resolved_database_url)
    upgrade(migrating)
    migrating.dispose()
    engine = container.prepare_database(settings)
    yield engine
    engine.dispose()


@pytest.fixture
def calendar() -> BusinessCalendar:
    """The shipped calendar."""
    return BusinessCalendar.default()


@pytest.fixture
async def bus() -> AsyncIterator[InProcessBus]:
    """An in-process bus."""
    bus = InProcessBus()
    yield bus
    await bus.close()


@pytest.fixture
def service(engine: Engine, calendar: BusinessCalendar, bus: InProcessBus) -> RequestService:
    """The request service over the embedded database."""
    return RequestService(
        engine=engine, calendar=calendar, notifier=Notifier(engine=engine, bus=bus)
    )


def _reset_postgres(url: str) -> Engine:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    return engine


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A real, emptied PostgreSQL database."""
    try:
        engine = _reset_postgres(POSTGRES_URL)
    except Exception as error:  # noqa: BLE001  (any driver error means: not reachable)
        unavailable("PostgreSQL", error)
    engine.dispose()
    yield POSTGRES_URL


@pytest.fixture
def pg_settings(tmp_path: Path, postgres_url: str) -> Settings:
    """Settings pointing at the real PostgreSQL."""
    return Settings(data_dir=tmp_path, database_url=postgres_url, _env_file=None)


@pytest.fixture
async def redis_url() -> str:
    """A real Redis server."""
    import redis.asyncio as redis

    client = redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as error:  # noqa: BLE001
        unavailable("Redis", error)
    finally:
        await client.aclose()
    return REDIS_URL


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A redis-server of the test's own (append-only, like a production one) to stop and start."""
    if shutil.which("redis-server") is None:
        unavailable("redis-server", FileNotFoundError("redis-server"))
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    if server.process is not None and server.process.poll() is None:
        server.stop()


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilioApi]:
    """A local stand-in for api.twilio.com."""
    server = start_fake_twilio()
    yield server
    server.shutdown()
    server.server_close()

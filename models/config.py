"""Application settings, read from the environment (prefix ``SUAC_``) and an optional ``.env``.

Example::

    >>> settings = Settings(database_url="sqlite:///tmp/x.db")
    >>> settings.time_zone
    'America/Mexico_City'
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DATA = Path(__file__).parent / "data"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
MIN_SECRET_BYTES = 32
EXAMPLE_SECRETS = frozenset({"", "change-me", "demo-token"})  # defaults and the README's


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/suac-locatel`` (``~/.local/share/suac-locatel``): one place, whatever
    folder a command is run from."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "suac-locatel"


class TwilioSettings(BaseModel):
    """Credentials and senders of the Twilio account that carries voice, SMS and WhatsApp."""

    account_sid: str = ""
    auth_token: SecretStr = SecretStr("")
    api_base_url: str = "https://api.twilio.com"
    sms_sender: str = ""
    whatsapp_sender: str = ""
    voice: str = "Polly.Mia"
    validate_signatures: bool = True

    @property
    def in_use(self) -> bool:
        """Twilio carries something: an account, a sender or a token is configured."""
        token = self.auth_token.get_secret_value().strip()
        return bool(self.account_sid or self.sms_sender or self.whatsapp_sender or token)


class IvrSettings(BaseModel):
    """The call flow, its speech engines, the Twilio voice front and text messages."""

    agent_queue: str = "locatel"
    max_failures: int = Field(default=3, ge=1)
    callback_wait_seconds: float = Field(default=300.0, ge=0)
    transfer: Literal["enqueue", "sip"] = "enqueue"
    sip_uri: str = ""
    speech_engine: Literal["twilio", "vosk", "whisper"] = "twilio"
    vosk_model_path: Path | None = None
    whisper_model_path: Path | None = None
    gather_speech_model: str = "phone_call"
    status_queries_per_hour: int = Field(default=5, ge=1)
    status_queries_per_withheld_call: int = Field(
        default=2,
        ge=1,
        description="folio look-ups one call with a withheld number may make (counted per call)",
    )
    sms_retries: int = Field(default=3, ge=0)
    sms_status_callbacks: bool = True
    state_redis_url: str = ""
    callback_from: str = ""
    callback_handle_seconds: float = Field(default=240.0, gt=0)
    text_idle_minutes: float = Field(
        default=30.0,
        gt=0,
        description="Minutes without a message after which an SMS or WhatsApp conversation "
        "is forgotten (the next message starts a new one)",
    )
    claim_lease_seconds: float = Field(
        default=4.0,
        ge=0.1,
        le=6.0,
        description="Seconds a worker holds a call's turn while computing it; a retried webhook "
        "takes over a claim older than this (its worker died), well within Twilio's 15 s",
    )


class WorkerSettings(BaseModel):
    """The worker role: jobs and periodic tasks."""

    poll_seconds: float = Field(default=1.0, gt=0)
    concurrency: int = Field(default=4, ge=1)
    relay_seconds: float = Field(default=2.0, gt=0)
    lease_seconds: float = Field(default=30.0, ge=1)


class AsteriskServer(BaseModel):
    """One Asterisk server reached over AMI."""

    name: str = "locatel"
    host: str = "127.0.0.1"
    port: int = 5038
    username: str = "suac"
    secret: SecretStr = SecretStr("")
    check_username: str = "suac-revision"  # ``suac asterisk check``'s own user: CLI questions only
    check_secret: SecretStr = SecretStr("")  # empty: that user is not rendered


class AsteriskPhone(BaseModel):
    """An agent's (or supervisor's) SIP phone: PJSIP endpoint ``extension``."""

    extension: str
    name: str = ""
    password: SecretStr = SecretStr("")


class AsteriskTrunk(BaseModel):
    """The carrier trunk that brings 0311 calls (rendered only when ``host`` is set)."""

    host: str = ""
    port: int = 5060
    username: str = ""
    password: SecretStr = SecretStr("")
    did: str = "0311"


class AsteriskQueue(BaseModel):
    """The agent queue's behaviour (``queues.conf``)."""

    strategy: str = "rrmemory"
    ring_seconds: int = 15
    retry_seconds: int = 2
    wrapup_seconds: int = 10
    service_level_seconds: int = 20
    announce_frequency_seconds: int = 60
    announce_holdtime: bool = True


class AsteriskSettings(BaseModel):
    """AMI servers, the FastAGI listener and what ``suac asterisk render`` writes."""

    servers: list[AsteriskServer] = Field(default_factory=list)
    agi_host: str = "127.0.0.1"
    agi_port: int = 4573
    agi_reachable_host: str = ""
    action_timeout_seconds: float = 10.0
    queue_refresh_seconds: float = Field(default=5.0, gt=0)
    keepalive_seconds: float = 10.0
    reconnect_max_seconds: float = 30.0
    ami_bind_address: str = "127.0.0.1"
    ami_permit: list[str] = Field(default_factory=lambda: ["127.0.0.1/255.255.255.255"])
    sip_bind: str = "0.0.0.0:5060"
    language: str = "es"
    prompts_dir: str = "/var/lib/asterisk/sounds/es/suac"
    recordings_dir: str = "/var/spool/asterisk/monitor/suac"
    speech: Literal["dtmf", "record", "asterisk"] = "record"
    speech_workers: int = Field(default=2, ge=1)
    queue: AsteriskQueue = Field(default_factory=AsteriskQueue)
    agents: list[AsteriskPhone] = Field(default_factory=list)
    supervisors: list[AsteriskPhone] = Field(default_factory=list)
    trunk: AsteriskTrunk = Field(default_factory=AsteriskTrunk)


class ConsoleSettings(BaseModel):
    """The staff console: sessions, sign-in limits, pause reasons and wrap-up codes."""

    session_idle_minutes: int = Field(default=30, ge=1)
    login_attempts_per_account: str = "5/15 minutes"
    login_attempts_per_client: str = "20/15 minutes"
    pause_reasons: list[str] = Field(
        default_factory=lambda: ["Descanso", "Capacitación", "Trabajo administrativo", "Comida"]
    )
    wrapup_codes: list[str] = Field(
        default_factory=lambda: [
            "Solicitud registrada",
            "Consulta de folio",
            "Información general",
            "Transferida a otra dependencia",
            "Llamada cortada",
            "Broma o llamada improcedente",
        ]
    )
    twilio_ring_seconds: float = Field(default=90.0, ge=10)  # a Twilio agent's ring, at most
    duplicate_days: int = Field(default=7, ge=1)
    duplicate_meters: float = Field(default=150.0, gt=0)
    folio_proof_attempts_per_folio: str = "5/hour"
    folio_proof_attempts_per_client: str = "30/hour"


class PublicSettings(BaseModel):
    """The public face: which proxies may say who the client is, and how long its pages may be
    cached by browsers and proxies."""

    trusted_proxies: list[str] = Field(default_factory=list)  # addresses allowed to set X-F-F
    cache_seconds: int = Field(default=15, ge=0)
    folio_lookups_per_client: str = Field(
        default="60/minute;600/day",
        description="folio look-ups per client address (``limits`` notation, ';' between limits)",
    )
    unknown_folio_cost: int = Field(
        default=10, ge=1, description="how many look-ups a folio that does not exist counts as"
    )
    open311_requests_per_key: str = Field(
        default="120/hour", description="Open311 requests one API key may create (moving window)"
    )
    open311_reads_per_client: str = Field(
        default="300/minute", description="Open311 reads one client address may make"
    )
    ranking_min_requests: int = Field(
        default=30, ge=1, description="requests an authority needs in a period to be ranked"
    )
    reports_per_client: str = Field(
        default="5/hour;20/day",
        description="citizens' reports (/reportar) one client address may send (``limits``)",
    )
    open_data_interval_seconds: float = Field(
        default=86400.0, gt=0, description="how often the open data files are regenerated"
    )
    open_data_dir: Path | None = Field(
        default=None,
        description="folder of the open data files (shared by workers and web processes); "
        "by default ``datos-abiertos`` in the data folder",
    )


class MetricsSettings(BaseModel):
    """The contact-centre metrics' thresholds (see ``models.metrics.definitions``)."""

    short_abandon_seconds: float = Field(default=5.0, ge=0)  # abandons before this are short
    service_level_seconds: float = Field(default=20.0, gt=0)  # answered within (inclusive)
    wallboard_hours: float = Field(default=4.0, gt=0, le=24)  # the wallboard's charts' span


class LimitSettings(BaseModel):
    """Bounds on what a client may send: request bodies, and Twilio's media streams."""

    max_body_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="largest request body, any HTTP request"
    )
    twilio_body_bytes: int = Field(
        default=64 * 1024, ge=1024, description="largest body of a Twilio webhook (small forms)"
    )
    media_idle_seconds: float = Field(
        default=5.0, gt=0, description="a media stream without a frame this long is closed"
    )
    media_max_seconds: float = Field(
        default=120.0, gt=0, description="a media stream is closed after this long, in any case"
    )


class Settings(BaseSettings):
    """Every setting of the service; see the README for each one."""

    model_config = SettingsConfigDict(
        env_prefix="SUAC_",
        env_file=".env",
        env_nested_delimiter="__",
        extra="ignore",
    )

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = ""
    database_busy_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        le=12.0,
        description="Seconds a transaction waits for a SQLite lock held elsewhere (in a worker "
        "thread, never on the event loop) before giving up: well within Twilio's 15 s",
    )
    redis_url: str = ""
    public_base_url: str = DEFAULT_PUBLIC_URL
    time_zone: str = "America/Mexico_City"
    secret_key: SecretStr = SecretStr("change-me")
    docs_enabled: bool | None = Field(
        default=None,
        description="serve /docs and /openapi.json (unset: in development, or when public)",
    )
    docs_public: bool = Field(
        default=False, description="the API documentation may be public (needed in production)"
    )
    catalogue_path: Path = PACKAGE_DATA / "catalogue.csv"
    authorities_path: Path = PACKAGE_DATA / "authorities.yaml"
    calendar_path: Path = PACKAGE_DATA / "non_working_days.yaml"
    reception_cutoff_hour: int = Field(default=18, ge=0, le=24)
    due_soon_business_days: int = Field(default=1, ge=0)
    confirmation_window_hours: int = Field(default=72, ge=1)
    confirmation_sweep_seconds: float = Field(default=300.0, gt=0)
    retention_days: int = Field(
        default=90,
        ge=1,
        description="Days the IVR keeps callers' numbers and words (its sessions, booked "
        "call-backs, transcripts in call records, Redis call state and events)",
    )
    retention_sweep_seconds: float = Field(default=3600.0, gt=0)
    metrics_token: SecretStr = SecretStr("")  # GET /metrics asks for it as a bearer token
    metrics_address: str = Field(default="", pattern=r"^(|.+:\d{1,5})$")  # host:port, non-web
    twilio: TwilioSettings = Field(default_factory=TwilioSettings)
    asterisk: AsteriskSettings = Field(default_factory=AsteriskSettings)
    ivr: IvrSettings = Field(default_factory=IvrSettings)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)
    console: ConsoleSettings = Field(default_factory=ConsoleSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    public: PublicSettings = Field(default_factory=PublicSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        """A relative folder is taken from where the setting was read, once, as an absolute."""
        return value.expanduser().resolve()

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        """Production starts only with its own secrets, its public https address and the API
        documentation closed unless it may be public (one Spanish line naming the variable)."""
        if self.environment == "production":
            problem = production_problem(self)
            if problem:
                raise ValueError(problem)
        return self

    @property
    def serves_docs(self) -> bool:
        """Whether /docs and /openapi.json are served."""
        if self.docs_enabled is not None:
            return self.docs_enabled
        return self.environment == "development" or self.docs_public

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.database_path}"

    @property
    def database_path(self) -> Path:
        """The embedded database file."""
        return self.data_dir / "suac.db"

    @property
    def is_embedded_database(self) -> bool:
        """True when the database is the embedded SQLite default (or any SQLite file)."""
        return self.resolved_database_url.startswith("sqlite")

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry ``Secure`` when the service is reached over HTTPS."""
        return self.public_base_url.startswith("https://")

    @property
    def zone(self) -> ZoneInfo:
        """The local time zone of the City."""
        return ZoneInfo(self.time_zone)


def production_problem(settings: Settings) -> str:
    """What production cannot start with (the variable and why, in Spanish), or ""."""
    secret = settings.secret_key.get_secret_value()
    token = settings.twilio.auth_token.get_secret_value().strip()
    url = urlsplit(settings.public_base_url)
    if secret in EXAMPLE_SECRETS or len(secret.encode()) < MIN_SECRET_BYTES:
        return (
            f"SUAC_SECRET_KEY debe ser en producción un secreto propio de al menos "
            f"{MIN_SECRET_BYTES} bytes"
        )
    if settings.twilio.in_use and token in EXAMPLE_SECRETS:
        return (
            "SUAC_TWILIO__AUTH_TOKEN está vacío o es de ejemplo: en producción debe ser el "
            "token de la cuenta de Twilio"
        )
    if not settings.twilio.validate_signatures:
        return "SUAC_TWILIO__VALIDATE_SIGNATURES no puede desactivarse en producción"
    if url.scheme != "https" or not url.hostname:
        return "SUAC_PUBLIC_BASE_URL debe ser en producción la dirección https pública del servicio"
    if settings.docs_enabled and not settings.docs_public:
        return "SUAC_DOCS_ENABLED en producción exige SUAC_DOCS_PUBLIC=true (será pública)"
    return ""


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()

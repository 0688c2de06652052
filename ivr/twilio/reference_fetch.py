"""The recorded references of Twilio calls, brought home: a job (``FETCH_JOB``, enqueued with
the registration) downloads the recording's WAV from Twilio's REST API with the account's
credentials, keeps it with the request, then deletes it on Twilio, so the caller's voice lives
in one place, under the retention period.

Each step is written to the job's outcome before the next, so a job resumed after its worker
died, in this process or another, skips what was done: ``{"sid": "RE…"}`` (the recording
being fetched), ``"stored": true``, ``"deleted": true``. A recording Twilio no longer has
(404) leaves the request as it is, without audio (the folio's page says so)::

    fetcher = ReferenceFetcher(settings=settings, engine=engine, client=lambda: sender.client)
    worker = JobWorker(queue=jobs, handlers={FETCH_JOB: fetcher.fetch}, name="w1")
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import stamina
from anyio import to_thread
from sqlalchemy import Engine, update
from sqlmodel import col, select
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from models.config import Settings
from models.db import run_blocking, session_scope
from models.job_worker import Handler, JobProgress, PermanentJobError
from models.jobs import ClaimedJob
from models.reference_audio import FETCH_JOB, ReferenceAudio
from models.requests import ServiceRequest

log = logging.getLogger(__name__)

TWILIO_API = "https://api.twilio.com"
RECORDING_PATH = re.compile(
    r"/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Recordings/(RE[0-9a-fA-F]{32})"
)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_WAV_BYTES = 4 * 1024 * 1024  # 20 s of 8 kHz 16-bit audio is 320 kB
TIMEOUT_SECONDS = 15.0
ATTEMPTS = 3


def is_twilio_recording(url: str, *, api_base: str = "") -> bool:
    """Whether ``url`` names a recording on Twilio's REST API (HTTPS) or on the configured
    stand-in ``api_base``, and nothing else::

        >>> path = f"/2010-04-01/Accounts/AC{'1' * 32}/Recordings/RE{'0' * 32}"
        >>> is_twilio_recording(f"https://api.twilio.com{path}")
        True
        >>> is_twilio_recording(f"http://api.twilio.com{path}"), is_twilio_recording(f"{path}")
        (False, False)
    """
    return recording_path(url, api_base=api_base) is not None


def recording_path(url: str, *, api_base: str = "") -> re.Match[str] | None:
    """The recording's path in ``url`` (account and recording SIDs as groups), when it is one."""
    for base in {TWILIO_API, api_base.rstrip("/")} - {""}:
        if url.startswith(f"{base}/") and (found := RECORDING_PATH.fullmatch(url[len(base) :])):
            return found
    return None


class TransientFetchError(Exception):
    """Twilio may answer if asked again (429, 5xx, the network)."""


class ReferenceFetcher:
    """Carries out ``FETCH_JOB``: download, keep, delete on Twilio."""

    def __init__(self, *, settings: Settings, engine: Engine, client: Callable[[], Client]) -> None:
        self._settings, self._engine, self._client = settings, engine, client

    def handlers(self) -> dict[str, Handler]:
        """The job handler, by kind."""
        return {FETCH_JOB: self.fetch}

    async def fetch(self, job: ClaimedJob, progress: JobProgress) -> None:
        """Bring one request's recording home and delete it on Twilio, once."""
        done: dict[str, Any] = json.loads(job.outcome or "{}")
        if done.get("deleted") or done.get("gone"):
            return
        if not done.get("stored"):
            done = await self._bring_home(str(job.payload["folio"]), done, progress)
            if done.get("gone"):
                return
        await self._delete(done["account"], done["sid"])
        await progress.record(json.dumps({**done, "deleted": True}))

    async def _bring_home(
        self, folio: str, done: dict[str, Any], progress: JobProgress
    ) -> dict[str, Any]:
        """Download the recording and keep it with the request; the job's outcome so far."""
        source = await run_blocking(self._engine, lambda: self._source(folio))
        if source is None and not done.get("sid"):
            raise PermanentJobError(f"La solicitud {folio} no tiene grabación por traer.")
        if source is not None:  # else kept by a worker that died before it could say so
            found = recording_path(source, api_base=self._api_base)
            if found is None:
                raise PermanentJobError(f"La grabación del folio {folio} no es de Twilio.")
            done = {"account": found.group(1), "sid": found.group(2)}
            await progress.record(json.dumps(done))
            wav = await self._download(done["account"], done["sid"])
            await run_blocking(self._engine, lambda: self._store(folio, source, wav))
            if wav is None:
                log.warning("Twilio has no recording %s of request %s", done["sid"], folio)
                done = {**done, "gone": True}
                await progress.record(json.dumps(done))
                return done
        done = {**done, "stored": True}
        await progress.record(json.dumps(done))
        return done

    @property
    def _api_base(self) -> str:
        return self._settings.twilio.api_base_url.rstrip("/")

    def _source(self, folio: str) -> str | None:
        """Where the request's recording still is on Twilio (None: nothing left to fetch)."""
        with session_scope(self._engine, readonly=True) as session:
            statement = (
                select(ReferenceAudio.source_url)
                .join(ServiceRequest, col(ServiceRequest.id) == col(ReferenceAudio.request_id))
                .where(col(ServiceRequest.folio) == folio)
            )
            return session.exec(statement).first()

    def _store(self, folio: str, source: str, wav: bytes | None) -> None:
        """Keep ``wav`` (None: Twilio lost it) in place of the recording's URL."""
        with session_scope(self._engine) as session:
            request_id = select(ServiceRequest.id).where(col(ServiceRequest.folio) == folio)
            session.connection().execute(
                update(ReferenceAudio)
                .where(col(ReferenceAudio.request_id) == request_id.scalar_subquery())
                .where(col(ReferenceAudio.source_url) == source)
                .values(audio=wav, source_url=None)
            )

    async def _download(self, account: str, sid: str) -> bytes | None:
        """The recording as WAV, retrying what may pass; None when Twilio has no such one."""
        url = f"{self._api_base}/2010-04-01/Accounts/{account}/Recordings/{sid}.wav"
        twilio = self._settings.twilio
        auth = httpx.BasicAuth(twilio.account_sid, twilio.auth_token.get_secret_value())
        wav: bytes | None = None
        async with httpx.AsyncClient(auth=auth, timeout=TIMEOUT_SECONDS) as http:
            async for attempt in stamina.retry_context(
                on=TransientFetchError,
                attempts=ATTEMPTS,
                wait_initial=0.5,
                timeout=timedelta(seconds=60),
            ):
                with attempt:
                    wav = await self._get(http, url)
        return wav

    @staticmethod
    async def _get(http: httpx.AsyncClient, url: str) -> bytes | None:
        try:
            async with http.stream("GET", url) as response:
                if response.status_code == 404:
                    return None
                if response.status_code in RETRY_STATUSES:
                    raise TransientFetchError(f"Twilio answered {response.status_code}")
                response.raise_for_status()
                wav = bytearray()
                async for chunk in response.aiter_bytes():
                    wav += chunk
                    if len(wav) > MAX_WAV_BYTES:
                        raise PermanentJobError("La grabación de Twilio es demasiado grande.")
                return bytes(wav)
        except httpx.TransportError as error:
            raise TransientFetchError(type(error).__name__) from error

    async def _delete(self, account: str, sid: str) -> None:
        """Delete the recording on Twilio (one already gone is deleted)."""

        def transient(error: Exception) -> bool:
            if isinstance(error, TwilioRestException):
                return error.status in RETRY_STATUSES
            return isinstance(error, TwilioException | OSError)

        recording = self._client().api.v2010.accounts(account).recordings(sid)
        try:
            async for attempt in stamina.retry_context(
                on=transient, attempts=ATTEMPTS, wait_initial=0.5, timeout=timedelta(seconds=60)
            ):
                with attempt:
                    await to_thread.run_sync(recording.delete)
        except TwilioRestException as error:
            if error.status != 404:
                raise

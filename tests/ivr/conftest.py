"""Fixtures for the Twilio tests: the whole app with signatures on, and a local Twilio API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from test_twilio_support import ACCOUNT, PUBLIC, TOKEN
from twilio_rest import FakeTwilioApi

from models.config import Settings, TwilioSettings
from suac.web import create_app


@pytest.fixture
def voice_settings(tmp_path: Path, twilio_api: FakeTwilioApi) -> Settings:
    """Embedded database, signatures on, a public base URL unlike the test server's."""
    return Settings(
        data_dir=tmp_path,
        public_base_url=PUBLIC,
        twilio=TwilioSettings(
            account_sid=ACCOUNT,
            auth_token=TOKEN,
            api_base_url=twilio_api.url,
            sms_sender="LOCATEL",
            whatsapp_sender="+5215599990000",
        ),
        _env_file=None,
    )


@pytest.fixture
async def twilio_app(voice_settings: Settings) -> AsyncIterator:
    """The whole application, with its lifespan running."""
    application = create_app(voice_settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def twilio_http(twilio_app) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client speaking to the twilio_app in process."""
    transport = httpx.ASGITransport(app=twilio_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client

"""Browser tests: Debian's Chromium driven by Playwright against a real server, with a
screenshot of every page kept under ``test-artifacts/screenshots``."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from models.config import Settings
from suac.web import create_app
from tests.browser.live_server import LiveServer
from tests.tests_support import free_port

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str:
    """Debian's Chromium (``apt-get install chromium``), or the one ``SUAC_TEST_CHROMIUM`` names."""
    return os.environ.get("SUAC_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the browser tests (each test has a context of its own), closed after
    the last of them: Playwright's sync API keeps an event loop running in this thread while
    it is open, which the async tests of later packages could not start under."""
    path = chromium_path()
    if not Path(path).exists():
        pytest.skip(f"Chromium not installed at {path} (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_settings(tmp_path: Path) -> Settings:
    """Embedded defaults for a browser test's server."""
    return Settings(data_dir=tmp_path / "datos", _env_file=None)


@pytest.fixture
def live_server(browser: Browser, live_settings: Settings) -> Iterator[LiveServer]:
    """The test's server; the browser contexts the test left open are closed before it stops
    (a page's open event stream would hold the server's shutdown)."""
    server = LiveServer(create_app(live_settings), free_port())
    server.start()
    try:
        yield server
    finally:
        for context in browser.contexts:
            context.close()
        server.stop()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1366, "height": 768}, locale="es-MX"
    )
    tab = context.new_page()
    yield tab
    context.close()


def shot(page: Page, name: str) -> Path:
    """Keep a full-page screenshot of what the browser shows now."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

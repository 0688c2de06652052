"""Every operation of the app's OpenAPI schema, fuzzed by schemathesis over ASGI with valid and
invalid input: staff operations signed in, Twilio's webhooks signed with the account's token
(so the fuzzed query reaches the logic). Each answer must be documented (status, content
type, body schema), never a 5xx, with no traceback in the log and no garbage stored."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from fastapi import FastAPI
from fuzz_support import (
    FUZZ,
    PASSWORD,
    PUBLIC,
    STAFF,
    count_case,
    csrf_token,
    stored_garbage,
    twilio_signature,
    watched_log,
)
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import Engine

from models.config import Settings
from models.users import Role
from suac.web import create_app

BASE = "https://testserver"
CALL = {"CallSid": "CA" + "f" * 32, "From": "+525512345678", "To": "+525556581111"}
FORMS = {
    "/twilio/messaging": {"MessageSid": "SM" + "f" * 32, "From": "+525512345678", "Body": "hola"},
    "/twilio/messaging/status": {"MessageSid": "SM" + "f" * 32, "MessageStatus": "delivered"},
}
# A request the schema allows may still name a folio or an alcaldía that does not exist: a
# 4xx then is the right answer, so schemathesis' "schema-valid input is accepted" is left out.
EXCLUDED = [positive_data_acceptance]
STREAMS = {"/consola/eventos"}  # server-sent events: read for a moment, then cut


@pytest.fixture(scope="module")
def api_schema(fuzz_app: FastAPI) -> Iterator[schemathesis.BaseSchema]:
    """The schema the running app serves (its lifespan runs until the module ends)."""
    yield schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    asgi.shutdown_lifespans()


@pytest.fixture(scope="module")
def visitors(
    api_schema: schemathesis.BaseSchema, fuzz_app: FastAPI
) -> dict[str, asgi.ASGIClient]:
    """An anonymous client and one signed in as an agent (over HTTPS: the public URL is, so
    cookies are secure), each sending its CSRF token as a header."""
    found = {}
    for who in ("anónimo", "agente"):
        client = asgi.ASGIClient(fuzz_app, base_url=BASE)
        token = csrf_token(client.get("/entrar").text)
        if who == "agente":
            signed_in = client.post(
                "/entrar",
                data={"usuario": STAFF[Role.AGENT], "contrasena": PASSWORD, "csrftoken": token},
                allow_redirects=False,
            )
            assert signed_in.status_code == 303, signed_in.text
            token = csrf_token(client.get("/consola").text)
        client.headers["x-csrftoken"] = token
        found[who] = client
    return found


def as_twilio(case: schemathesis.Case) -> dict[str, Any]:
    """For a webhook, the form Twilio would post with the fuzzed query, and its signature."""
    if not case.path.startswith("/twilio/"):
        return {}
    form = FORMS.get(case.path, CALL)
    kwargs = case.as_transport_kwargs(base_url=BASE)
    prepared = requests.Request(
        method=kwargs["method"], url=kwargs["url"], params=kwargs.get("params")
    ).prepare()
    assert prepared.url is not None
    url = PUBLIC + prepared.url.removeprefix(BASE)
    return {"data": form, "headers": {"X-Twilio-Signature": twilio_signature(url, form)}}


def _operations() -> list[tuple[str, str]]:
    """Each operation's path and method, read from the schema of an app that is not started."""
    paths = create_app(Settings(_env_file=None)).openapi()["paths"]
    return [(path, method) for path, methods in paths.items() for method in methods]


fuzz_cases = st.sampled_from(list(GenerationMode)).flatmap  # positive and negative input


@pytest.mark.parametrize("who", ["agente", "anónimo"])
@pytest.mark.parametrize(("path", "method"), _operations())
def test_every_operation_answers_as_documented(
    api_schema: schemathesis.BaseSchema,
    visitors: dict[str, asgi.ASGIClient],
    path: str,
    method: str,
    who: str,
) -> None:
    operation = api_schema[path][method]

    @FUZZ
    @given(case=fuzz_cases(lambda mode: operation.as_strategy(generation_mode=mode)))
    def answers_as_documented(case: schemathesis.Case) -> None:
        count_case("openapi")
        timeout = 1 if case.path in STREAMS else 30
        with watched_log() as errors:
            case.call_and_validate(
                BASE,
                session=visitors[who],
                timeout=timeout,
                excluded_checks=EXCLUDED,
                **as_twilio(case),
            )
        assert not errors.tracebacks(), errors.tracebacks()

    answers_as_documented()


def test_nothing_garbage_stored(api_schema: schemathesis.BaseSchema, fuzz_db: Engine) -> None:
    """After the fuzzing above, every stored request is one a person could have made."""
    assert stored_garbage(fuzz_db) == []

"""Helpers of the console tests: staff accounts, signing in through the real form, and
posting forms with the page's CSRF token."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from models.db import session_scope
from models.users import Role, StaffCreate, create_user

PASSWORD = "contraseña-de-prueba-1"
_TOKEN = re.compile(r'name="csrftoken" value="([^"]+)"')


def add_staff(
    engine: Engine,
    username: str,
    role: Role,
    *,
    authority_code: str | None = None,
    unit_code: str | None = None,
    phone: str | None = None,
) -> None:
    """Create an account with ``PASSWORD``."""
    with session_scope(engine) as session:
        create_user(
            session,
            StaffCreate(
                username=username,
                full_name=f"{username.capitalize()} Pérez",
                role=role,
                authority_code=authority_code,
                unit_code=unit_code,
                phone=phone,
            ),
            password=PASSWORD,
        )


def csrf_of(client: TestClient, page: str = "/entrar") -> str:
    """The CSRF token a page's forms carry."""
    match = _TOKEN.search(client.get(page).text)
    assert match, f"{page} has no form token"
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> Response:
    """Sign in through the form, as a browser does."""
    token = csrf_of(client)
    return client.post(
        "/entrar",
        data={"usuario": username, "contrasena": password, "csrftoken": token},
        follow_redirects=False,
    )


def post_form(client: TestClient, url: str, data: dict[str, Any], **kwargs: Any) -> Response:
    """Post a form with this browser's CSRF token (taken from its cookie)."""
    token = client.cookies.get("csrftoken") or csrf_of(client)
    return client.post(url, data={**data, "csrftoken": token}, **kwargs)

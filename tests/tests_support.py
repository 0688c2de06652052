"""Helpers shared by test modules (a plain module: ``conftest`` names are ambiguous)."""

from __future__ import annotations

import pytest


def unavailable_tool(name: str) -> None:
    """Skip for a missing program (under CI=true the report hook turns this into a failure)."""
    pytest.skip(f"{name} is not installed")

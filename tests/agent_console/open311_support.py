"""Open311 test helpers: the JSON schemas of ``../shared/data/open311`` (and the spec's
swagger for the creation answer), a client with an API key, and seeding requests."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from models.api_key_service import create_key
from models.db import session_scope

SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "data" / "open311"
ERRORS_SCHEMA = {  # GeoReport v2's error answer: a list of {code, description}
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}
DISCOVERY_SCHEMA = {  # GeoReport v2's discovery document
    "type": "object",
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {
        "endpoints": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["specification", "url", "changeset", "type", "formats"],
                "properties": {"formats": {"type": "array", "items": {"type": "string"}}},
            },
        }
    },
}
DATETIME_FIELDS = ("requested_datetime", "updated_datetime", "expected_datetime")


@cache
def _registry() -> Registry:
    resources = []
    for path in SCHEMAS.glob("*.json"):
        if path.name != "swagger.json":
            contents = json.loads(path.read_text(encoding="utf-8"))
            resources.append((path.name, Resource.from_contents(contents, DRAFT7)))
    swagger = json.loads((SCHEMAS / "swagger.json").read_text(encoding="utf-8"))
    created = swagger["definitions"]["RequestResponse"]
    # the spec's own example answers account_id null (this service has no citizen accounts)
    created["properties"]["account_id"]["type"] = ["string", "null"]
    answer = {"type": "array", "minItems": 1, "items": created}
    resources.append(("request-response.json", Resource.from_contents(answer, DRAFT7)))
    return Registry().with_resources(resources)


def validate(instance: Any, schema: str | dict[str, Any]) -> None:
    """Check ``instance`` against a schema file's name (``requests.json``) or a schema; the
    date-time fields (jsonschema does not check that format by itself) are ISO 8601 with zone."""
    root = {"$ref": schema} if isinstance(schema, str) else schema
    Draft7Validator(root, registry=_registry()).validate(instance)
    for item in instance if isinstance(instance, list) else [instance]:
        for name in DATETIME_FIELDS:
            if isinstance(item, dict) and item.get(name) is not None:
                assert datetime.fromisoformat(item[name]).tzinfo is not None, item[name]


def add_key(engine: Any, channel: str = "App CDMX") -> str:
    """A new API key for ``channel`` (its plain text)."""
    with session_scope(engine) as session:
        return create_key(session, channel=channel, contact="dev@cdmx.mx", created_by="test")[1]

"""Open311 answers in JSON or XML, from the same data.

JSON is the data as it is; XML names each list after its root and each item after the
spec's singular (``<services><service>…``, ``<attributes><attribute>…``), writes booleans as
``true``/``false`` and a missing value as an empty element::

    >>> to_xml("errors", [{"code": 404, "description": "No existe."}]).decode().splitlines()[1]
    '<errors><error><code>404</code><description>No existe.</description></error></errors>'
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from fastapi.responses import Response

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _fill(element: Element, value: Any) -> None:
    if isinstance(value, dict):
        for name, inner in value.items():
            _fill(SubElement(element, name), inner)
    elif isinstance(value, list):
        for inner in value:
            _fill(SubElement(element, ITEMS[element.tag]), inner)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def to_xml(root: str, data: Any) -> bytes:
    """``data`` as an XML document whose root element is ``root``."""
    element = Element(root)
    _fill(element, data)
    return tostring(element, encoding="utf-8", xml_declaration=True)


def respond(data: Any, response_format: str, *, root: str, status: int = 200) -> Response:
    """The answer in ``response_format`` (``json`` or ``xml``)."""
    if response_format == "xml":
        body = to_xml(root, data)
    else:
        body = json.dumps(data, ensure_ascii=False).encode()
    return Response(body, status_code=status, media_type=FORMATS[response_format])

"""FastAPI dependencies: the parts the program hung on ``app.state`` as ``Annotated`` aliases.

The web application never builds parts; the composition root (``suac.container``) does, and
its lifespan puts the container on ``app.state``. The dependencies are ``async``: FastAPI runs a
plain function in its thread pool, a thread hop per request that costs more than the lookup
(measured with ``benchmarks/console_capture.py``: 22 → 64 registrations/s).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ivr.classifier import Classifier
from models.request_service import RequestService


async def get_requests(request: Request) -> RequestService:
    """The request service."""
    return request.app.state.container.requests


async def get_classifier(request: Request) -> Classifier:
    """The classifier in use (rebuilt when the catalogue changes)."""
    return request.app.state.container.classifier


RequestServiceDep = Annotated[RequestService, Depends(get_requests)]
ClassifierDep = Annotated[Classifier, Depends(get_classifier)]

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
from ivr.classifier.roads import PrimaryRoads
from models.request_service import RequestService


async def get_requests(request: Request) -> RequestService:
    """The request service."""
    return request.app.state.container.requests


async def get_classifier(request: Request) -> Classifier:
    """The classifier in use (rebuilt when the catalogue changes)."""
    return request.app.state.container.classifier


async def get_primary_roads(request: Request) -> PrimaryRoads:
    """The City's primary roads (the IVR directory's copy, reloaded when administrators edit
    them)."""
    return await request.app.state.container.ivr.directory.primary_roads()


RequestServiceDep = Annotated[RequestService, Depends(get_requests)]
ClassifierDep = Annotated[Classifier, Depends(get_classifier)]
PrimaryRoadsDep = Annotated[PrimaryRoads, Depends(get_primary_roads)]

"""FastAPI dependencies: the container's parts as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from agent_console.container import Container
from models.request_service import RequestService


def get_container(request: Request) -> Container:
    """The container the lifespan hung on ``app.state``."""
    return request.app.state.container


def get_requests(request: Request) -> RequestService:
    """The request service."""
    return get_container(request).requests


ContainerDep = Annotated[Container, Depends(get_container)]
RequestServiceDep = Annotated[RequestService, Depends(get_requests)]

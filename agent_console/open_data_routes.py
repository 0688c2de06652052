"""The open data page: the files the worker regenerates, their downloads and their dictionary.

Anyone may read it. Only the known file names are served (never another path of the folder),
each with its size and the time it was generated::

    GET /datos-abiertos
    GET /datos-abiertos/solicitudes_0311.csv
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

from agent_console.templating import render_public
from models.open_data.dictionary import FIELDS
from models.open_data.files import FILES, OpenDataFile, open_data_dir

router = APIRouter(include_in_schema=False)
PAGE = "/datos-abiertos"


@dataclass(frozen=True)
class Listed:
    """A file present in the folder, as the page shows it."""

    file: OpenDataFile
    size: str
    generated_at: datetime  # local time


def size_text(size: int) -> str:
    """A file size in Spanish notation.

    >>> size_text(512), size_text(96279), size_text(3_500_000)
    ('512 bytes', '94,0 KB', '3,3 MB')
    """
    if size < 1024:
        return f"{size} bytes"
    value, unit = size / 1024, "KB"
    for bigger in ("MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{value:.1f} {unit}".replace(".", ",")


def _folder(request: Request) -> Path:
    return open_data_dir(request.app.state.container.settings)


@router.get(PAGE)
async def open_data_page(request: Request) -> HTMLResponse:
    """The files with their size and generation time, and the data dictionary."""
    folder = _folder(request)
    zone = request.app.state.container.settings.zone
    listed = []
    for file in FILES.values():
        path = folder / file.name
        if path.is_file():
            stat = path.stat()
            moment = datetime.fromtimestamp(stat.st_mtime, zone)
            listed.append(Listed(file, size_text(stat.st_size), moment))
    context = {"section": "datos", "files": listed, "fields": FIELDS}
    return render_public(request, "public/open_data.html", context)


@router.get(PAGE + "/{name}")
async def open_data_file(request: Request, name: str) -> FileResponse:
    """One of the known files, as a download."""
    file = FILES.get(name)
    path = _folder(request) / name
    if file is None or not path.is_file():
        raise HTTPException(status_code=404)
    seconds = request.app.state.container.settings.public.cache_seconds
    return FileResponse(
        path,
        media_type=f"{file.media_type}; charset=utf-8",
        filename=file.name,
        headers={"cache-control": f"public, max-age={seconds}"},
    )

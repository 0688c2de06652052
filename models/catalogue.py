"""Catalogue entries: the trámite and servicio categories citizens ask for."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from models.db_types import UTCDateTime, utcnow

RequestKind = Literal["tramite", "servicio", "queja", "sugerencia", "comentario", "requerimiento"]
REQUEST_KINDS: tuple[str, ...] = (
    "tramite",
    "servicio",
    "queja",
    "sugerencia",
    "comentario",
    "requerimiento",
)
KIND_LABELS: dict[str, str] = {
    "tramite": "Trámite",
    "servicio": "Servicio",
    "queja": "Queja",
    "sugerencia": "Sugerencia",
    "comentario": "Comentario",
    "requerimiento": "Requerimiento",
}
ALCALDIA_ROUTE = "ALCALDIA"
OTHER_TEMA = "OTRO"


class CatalogueEntryBase(SQLModel):
    code: str = Field(primary_key=True, max_length=16)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    tema: str = Field(max_length=80, index=True)
    description: str = ""
    synonyms: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    examples: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    authority: str = Field(max_length=16)
    unit: str = Field(max_length=16)
    primary_road_authority: str | None = Field(default=None, max_length=16)
    primary_road_unit: str | None = Field(default=None, max_length=16)
    phone_completable: bool = False


class CatalogueEntry(CatalogueEntryBase, table=True):
    """A category with its official tema and routing rule."""

    __tablename__ = "catalogue_entry"

    active: bool = True
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CatalogueEntryPublic(CatalogueEntryBase):
    """What anyone may read of a catalogue entry."""

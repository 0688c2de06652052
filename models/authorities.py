"""Authorities (alcaldías and dependencias) and their administrative units."""

from __future__ import annotations

from typing import Literal

from sqlmodel import Field, SQLModel, UniqueConstraint

AuthorityKind = Literal["alcaldia", "dependencia"]

ALCALDIAS: tuple[str, ...] = (
    "Álvaro Obregón",
    "Azcapotzalco",
    "Benito Juárez",
    "Coyoacán",
    "Cuajimalpa de Morelos",
    "Cuauhtémoc",
    "Gustavo A. Madero",
    "Iztacalco",
    "Iztapalapa",
    "La Magdalena Contreras",
    "Miguel Hidalgo",
    "Milpa Alta",
    "Tláhuac",
    "Tlalpan",
    "Venustiano Carranza",
    "Xochimilco",
)


class AuthorityBase(SQLModel):
    code: str = Field(primary_key=True, max_length=16)
    name: str = Field(max_length=200)
    short_name: str = Field(default="", max_length=80)
    kind: str = Field(max_length=16)
    alcaldia: str | None = Field(default=None, max_length=40, index=True)


class Authority(AuthorityBase, table=True):
    """A body that answers citizen requests."""


class AdministrativeUnit(SQLModel, table=True):
    """An administrative unit of an authority, named in every answer."""

    __tablename__ = "administrative_unit"
    __table_args__ = (UniqueConstraint("authority_code", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    authority_code: str = Field(foreign_key="authority.code", max_length=16, index=True)
    code: str = Field(max_length=16)
    name: str = Field(max_length=200)

"""The citizen's own report, as typed: checked field by field into a ``RequestCreate`` of the
web channel, with a Spanish message for each wrong field and what was typed kept as typed.

The place, contact and category checks are the capture form's (:func:`check_capture`); this
adds what only a citizen gives (sex and age with their consent to publish them) and what a
citizen must give (the alcaldía, and the colonia or a point)::

    typed = ReportInput.of(await request.form())
    checked = check_report(typed, catalogue=codes, colonias=colonias, roads=roads)
    if checked.errors: ...  # 422, the form again with each message next to its field
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields
from typing import Any

from agent_console.capture_form import CaptureInput, Checked, check_capture, form_text
from agent_console.colonias import ColoniaDirectory
from ivr.classifier.roads import PrimaryRoads
from models.requests import Channel, DemographicFields, RequestCreate, Sex

OTHER_CATEGORY = "otra"  # the radio button that takes the category from the full list
SOURCE = "reportar"  # the request's source: the public web form
SEX_LABELS = {Sex.FEMALE: "Mujer", Sex.MALE: "Hombre", Sex.UNSPECIFIED: "Prefiero no decirlo"}
AGE_RANGE = (12, 120)
REPLACED = {"channel", "kind", "call_id", "source", *DemographicFields.model_fields}


@dataclass
class ReportInput:
    """The report form's fields as typed (all text)."""

    formulario: str = ""
    descripcion: str = ""
    categoria: str = ""
    otra_categoria: str = ""
    alcaldia: str = ""
    colonia: str = ""
    calle: str = ""
    referencia: str = ""
    latitud: str = ""
    longitud: str = ""
    nombre: str = ""
    telefono: str = ""
    correo: str = ""
    sexo: str = ""
    edad: str = ""
    publicar: str = ""

    @classmethod
    def of(cls, form: Mapping[str, Any]) -> ReportInput:
        """The fields of a submitted form (anything else is ignored)."""
        return cls(**{f.name: form_text(form, f.name) for f in fields(cls)})

    @property
    def category(self) -> str:
        """The chosen category's code: a proposal, or the one picked from the full list."""
        return self.otra_categoria if self.categoria == OTHER_CATEGORY else self.categoria

    @property
    def consents(self) -> bool:
        """Whether the box that allows publishing sex and age is ticked."""
        return self.publicar == "si"

    def as_capture(self) -> CaptureInput:
        """The fields the capture form checks, under its names."""
        shared = {f.name for f in fields(CaptureInput)} & {f.name for f in fields(self)}
        values = {name: getattr(self, name) for name in shared}
        return CaptureInput(**{**values, "categoria": self.category})


def check_report(
    typed: ReportInput,
    *,
    catalogue: Collection[str],
    colonias: ColoniaDirectory,
    roads: PrimaryRoads,
) -> Checked:
    """Check every field (all of them, so the citizen sees every message at once)."""
    capture = typed.as_capture()
    checked = check_capture(capture, catalogue=catalogue, colonias=colonias, roads=roads)
    errors = {**checked.errors, **_citizen_errors(typed, checked.errors)}
    demographics = _demographics(typed, errors)
    if errors or checked.data is None:
        return Checked(None, errors)
    data = checked.data.model_dump(exclude=REPLACED)
    return Checked(
        RequestCreate(**data, **demographics, channel=Channel.WEB, source=SOURCE), errors
    )


def _citizen_errors(typed: ReportInput, known: Mapping[str, str]) -> dict[str, str]:
    """The messages a citizen reads instead of (or besides) the agent's ``known`` ones."""
    errors: dict[str, str] = {}
    if not typed.descripcion.strip():
        errors["descripcion"] = "Describa el problema que quiere reportar."
    if not typed.category:
        errors["categoria"] = "Elija la categoría que mejor describe el problema."
    if not typed.alcaldia and "alcaldia" not in known:
        errors["alcaldia"] = "Elija la alcaldía donde está el problema."
    located = typed.latitud.strip() and typed.longitud.strip()
    if not typed.colonia.strip() and not located:
        errors["colonia"] = "Escriba la colonia, o marque el punto con «Usar mi ubicación»."
    return errors


def _demographics(typed: ReportInput, errors: dict[str, str]) -> dict[str, Any]:
    """Sex and age, kept only with the citizen's consent to publish them in open data."""
    sex: Sex | None = None
    age: int | None = None
    if typed.sexo:
        if typed.sexo in SEX_LABELS:
            sex = Sex(typed.sexo)
        else:
            errors["sexo"] = "Elija una opción de la lista, o déjelo sin elegir."
    if typed.edad.strip():
        low, high = AGE_RANGE
        text = typed.edad.strip()
        if text.isascii() and text.isdigit() and low <= int(text) <= high:
            age = int(text)
        else:
            errors["edad"] = f"Escriba su edad en años, con número (de {low} a {high})."
    given = typed.sexo or typed.edad.strip()
    if given and not typed.consents:
        errors["publicar"] = (
            "Marque la casilla para aceptar que se publiquen su sexo y edad, "
            "o deje esos dos datos vacíos."
        )
    return {
        "citizen_sex": sex,
        "citizen_age": age,
        "demographics_public": bool(typed.consents and (sex or age is not None)),
    }

"""Pydantic's validation error types, said in Spanish (for settings, forms and APIs).

>>> problem("int_parsing")
'debe ser un número entero'
>>> problem("something_new")
'tiene un valor no admitido'
"""

from __future__ import annotations

PROBLEMS = {
    "int_parsing": "debe ser un número entero",
    "int_from_float": "debe ser un número entero",
    "float_parsing": "debe ser un número",
    "bool_parsing": "debe ser true o false",
    "literal_error": "debe ser uno de los valores admitidos",
    "enum": "debe ser uno de los valores admitidos",
    "missing": "falta un campo obligatorio",
    "json_invalid": "no es JSON válido",
    "list_type": "debe ser una lista JSON",
    "model_type": "debe ser un objeto JSON",
    "model_attributes_type": "debe ser un objeto JSON",
    "dict_type": "debe ser un objeto JSON",
    "string_type": "debe ser un texto",
    "string_too_short": "es demasiado corto",
    "string_too_long": "es demasiado largo",
    "string_pattern_mismatch": "no tiene el formato esperado",
    "greater_than": "es demasiado pequeño",
    "greater_than_equal": "es demasiado pequeño",
    "less_than": "es demasiado grande",
    "less_than_equal": "es demasiado grande",
    "extra_forbidden": "tiene un campo desconocido",
}


def problem(error_type: str) -> str:
    """What is wrong with a value, for pydantic's error ``error_type``."""
    return PROBLEMS.get(error_type, "tiene un valor no admitido")

"""Hypothesis strategies for the fields people type into the forms (a plain module)."""

from __future__ import annotations

import re

from hypothesis import strategies as st

junk = st.text(max_size=120)  # any Unicode: control characters, marks, other scripts
texts = st.one_of(
    junk,
    st.sampled_from(["Hay un bache enorme frente a la escuela", "fuga de agua en la banqueta"]),
    st.text(min_size=3000, max_size=5000),
)
latitudes = st.floats(19.30, 19.50).map(str)
longitudes = st.floats(-99.20, -99.05).map(str)
phones = st.from_regex(r"55[0-9]{8}", fullmatch=True)
emails = st.emails().map(str)
_FORM_ID = re.compile(r'name="formulario" value="([^"]*)"')


def field(data: st.DataObject, broken: bool, valid: st.SearchStrategy[str]) -> str:
    """A structured field: valid, or fuzzed when the case is a ``broken`` one (so half of the
    cases reach the database with their free text fuzzed)."""
    return data.draw(st.one_of(valid, junk) if broken else valid)


def form_id(page: str) -> str:
    """The one-time id a form page gives its form."""
    match = _FORM_ID.search(page)
    assert match, "the page has no form id"
    return match.group(1)

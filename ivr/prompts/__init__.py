"""Every text a caller hears or a citizen reads, as Jinja2 templates in ``templates/``.

A template's file name (without ``.j2``) is the prompt's name, which doubles as the name of
the pre-recorded audio file on Asterisk::

    >>> book = PromptBook()
    >>> book.prompt("estado-situacion", estado="en proceso").text
    'está en proceso.'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ivr.prompts.spoken_names import contract

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Prompt:
    """A sentence rendered from ``templates/<name>.j2`` (also the audio file name)."""

    name: str
    text: str


class PromptBook:
    """Renders prompts by name; unknown names and missing variables fail loudly.

    A ``variant`` (``"texto"``: messages) prefers ``templates/<variant>/<name>.j2`` where one
    exists, with the same name and values, so a message says "responda 1" where a call says
    "marque 1"::

        >>> PromptBook(variant="texto").text("despedida")
        'Gracias por escribir a Locatel. Hasta luego.'
    """

    def __init__(self, folder: Path = TEMPLATES, *, variant: str = "") -> None:
        self._folder = folder
        self._variant = variant

    @cached_property
    def _env(self) -> Environment:
        folders = [self._folder / self._variant, self._folder] if self._variant else self._folder
        return Environment(
            loader=FileSystemLoader(folders),
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
            auto_reload=False,  # templates ship with the code: no stat() per prompt
        )

    def names(self) -> list[str]:
        """Every prompt name, sorted."""
        return sorted(p.stem for p in self._folder.glob("*.j2"))

    def text(self, name: str, **values: object) -> str:
        """The rendered text of prompt ``name``, on one line, "de el" said "del" (``contract``)."""
        rendered = self._env.get_template(f"{name}.j2").render(**values)
        return contract(" ".join(rendered.split()))

    def prompt(self, name: str, **values: object) -> Prompt:
        """Prompt ``name`` rendered with ``values``."""
        return Prompt(name=name, text=self.text(name, **values))

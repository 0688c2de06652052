"""``suac asterisk check``: is everything the project relies on there, on a live Asterisk?

Asked over AMI: the modules of the rendered ``modules.conf``, the core sounds of the queue's
announcements in the IVR's language (``app_queue`` says the caller's position and the hold
time with ``queue-*`` sounds and Asterisk's Spanish numbers; the IVR itself says everything in
the project's own voice, :mod:`ivr.asterisk.prompt_audio`), the agent queue and its music
class, and the PJSIP endpoints of agents, supervisors and the trunk. Asterisk
has AMI actions for few of these, so the questions are CLI commands (``Command``, allowed by the
``command`` write permission of the rendered ``manager.conf``).

Asterisk refuses file functions (``STAT``) to AMI sessions, so the project's own prompts
(``suac asterisk prompts``) and the folders Asterisk records into are looked at on this
machine, where ``suac asterisk render`` created them: the AMI link listens on loopback.

Each need is named in Spanish; :attr:`Readiness.missing` is what is not there::

    readiness = await check_readiness(connection, settings)
    [need.describe() for need in readiness.missing]  # ['sonido «queue-thereare» (es)', …]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ivr.asterisk.ami_types import AmiAnswer
from ivr.asterisk.errors import AmiBadAction
from ivr.asterisk.panoramisk_adapter import AmiConnection
from ivr.asterisk.prompt_audio import spoken_templates
from ivr.asterisk.render import MODULES, MissingSecret, ami_server, record_folders
from ivr.prompts import PromptBook
from models.config import Settings

NUMBERS = (*range(31), *range(40, 100, 10), 100, *range(200, 1000, 100))  # say.c, Spanish
NUMBER_SOUNDS = (
    *(f"digits/{n}" for n in NUMBERS), "digits/and", "digits/100-and", "digits/thousand"
)  # fmt: skip
QUEUE_SOUNDS = tuple(
    f"queue-{name}"
    for name in (
        "youarenext", "thereare", "callswaiting", "holdtime", "minutes", "minute", "seconds",
        "thankyou",
    )
)  # fmt: skip
CORE_SOUNDS = (*QUEUE_SOUNDS, *NUMBER_SOUNDS)
MUSIC_CLASS = "default"
SOUND_PACKAGES = "asterisk-core-sounds-es-wav asterisk-core-sounds-en-wav"


class AmiAsker(Protocol):
    """What the check needs of an AMI connection (:class:`AmiConnection` is one)."""

    async def send(self, action: str, **headers: Any) -> AmiAnswer: ...


@dataclass(frozen=True)
class Need:
    """One thing the project relies on, in Spanish, and whether it is there."""

    kind: str
    name: str
    present: bool
    detail: str = ""

    def describe(self) -> str:
        """``módulo «res_agi.so»``, ``sonido «queue-thereare» (es)``."""
        return f"{self.kind} «{self.name}»" + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True)
class Readiness:
    """Every need checked on one server."""

    server: str
    needs: tuple[Need, ...]

    @property
    def missing(self) -> list[Need]:
        """The needs that are not there."""
        return [need for need in self.needs if not need.present]

    def report(self) -> list[str]:
        """The answer in Spanish: what is missing and what to do, or that nothing is."""
        missing, total = self.missing, len(self.needs)
        if not missing:
            return [f"Asterisk «{self.server}» tiene todo lo que el proyecto necesita "
                    f"({total} comprobaciones)."]  # fmt: skip
        verb = "falta" if len(missing) == 1 else "faltan"
        return [
            f"En Asterisk «{self.server}» {verb} {len(missing)} de {total} cosas que el "
            "proyecto necesita:",
            *(f"  - {group}: {', '.join(names)}" for group, names in self._grouped().items()),
            "Qué hacer:",
            *(f"  - {hint}" for hint in self.advice()),
        ]

    def _grouped(self) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {}
        for need in self.missing:
            group = need.kind + (f" ({need.detail})" if need.detail else "")
            groups.setdefault(group, []).append(need.name)
        return groups

    def advice(self) -> list[str]:
        """What to do about the kinds of need that are missing, in Spanish."""
        kinds = {need.kind for need in self.missing}
        hints = {
            "módulo": "Use el modules.conf de `suac asterisk render` y reinicie Asterisk.",
            "sonido": f"Instale los sonidos de Asterisk: apt-get install {SOUND_PACKAGES}.",
            "clase de música en espera": "Instale asterisk-moh-opsound-wav y use el "
            "musiconhold.conf de `suac asterisk render`.",
            "audio del IVR": "Genere los audios del IVR con `suac asterisk prompts`.",
            "carpeta": "Créela con `suac asterisk render` en el servidor de Asterisk.",
        }
        return [hint for kind, hint in hints.items() if kind in kinds]


async def cli(connection: AmiAsker, command: str) -> list[str]:
    """The output lines of one CLI command sent as AMI ``Command``."""
    answer = await connection.send("Command", Command=command)
    output = answer.headers.get("Output", [])
    lines = [output] if isinstance(output, str) else list(output)
    if not answer.success and not lines:
        raise AmiBadAction(f"Asterisk no aceptó la orden «{command}»: {answer.message}")
    return lines


async def _modules(connection: AmiAsker) -> list[Need]:
    running = {
        line.split()[0] for line in await cli(connection, "module show") if "Running" in line
    }
    return [
        Need("módulo", name, name in running, "" if name in running else "no cargado")
        for names in MODULES.values()
        for name in names
    ]


async def _sounds(connection: AmiAsker, language: str) -> list[Need]:
    needs = []
    for sound in CORE_SOUNDS:
        lines = await cli(connection, f"core show sound {sound}")
        there = any(line.strip() == f"Language {language}:" for line in lines)
        needs.append(Need("sonido", sound, there, language))
    return needs


async def _queue_and_music(connection: AmiAsker, queue: str) -> list[Need]:
    shown = await cli(connection, f"queue show {queue}")
    classes = await cli(connection, "moh show classes")
    return [
        Need("cola", queue, bool(shown) and shown[0].startswith(f"{queue} has ")),
        Need("clase de música en espera", MUSIC_CLASS, f"Class: {MUSIC_CLASS}" in classes),
    ]


async def _endpoints(connection: AmiAsker, names: Iterable[str]) -> list[Need]:
    needs = []
    for name in names:
        lines = await cli(connection, f"pjsip show endpoint {name}")
        there = any(re.match(rf"\s*Endpoint:\s+{re.escape(name)}[/\s]", line) for line in lines)
        needs.append(Need("extensión PJSIP", name, there))
    return needs


def _local_files(settings: Settings) -> list[Need]:
    prompts = Path(settings.asterisk.prompts_dir)
    return [
        *(
            Need("audio del IVR", name, (prompts / f"{name}.wav").is_file(), str(prompts))
            for name in spoken_templates(PromptBook())
        ),
        *(Need("carpeta", str(folder), folder.is_dir()) for folder in record_folders(settings)),
    ]


async def check_readiness(connection: AmiAsker, settings: Settings, *, server: str) -> Readiness:
    """Ask ``connection``'s Asterisk (and look on this machine) for every need."""
    config = settings.asterisk
    endpoints = [p.extension for p in (*config.agents, *config.supervisors)]
    if config.trunk.host:
        endpoints.append("trunk")
    needs = [
        *await _modules(connection),
        *await _sounds(connection, config.language),
        *await _queue_and_music(connection, settings.ivr.agent_queue),
        *await _endpoints(connection, endpoints),
        *_local_files(settings),
    ]
    return Readiness(server=server, needs=tuple(needs))


async def check_server(settings: Settings, *, server: str | None = None) -> Readiness:
    """Log in to ``server`` (the first configured when not named), check it, log out."""
    ami = ami_server(settings, server)
    if not ami.check_secret.get_secret_value():
        raise MissingSecret(
            f"Falta el secreto del usuario de revisión de «{ami.name}» (check_secret en "
            "SUAC_ASTERISK__SERVERS): configúrelo y vuelva a generar la configuración con "
            "«suac asterisk render»."
        )
    connection = AmiConnection(
        host=ami.host,
        port=ami.port,
        username=ami.check_username,
        secret=ami.check_secret.get_secret_value(),
        sink=lambda _: None,
        wanted=(),
        timeout=settings.asterisk.action_timeout_seconds,
        name=ami.name,
    )
    await connection.open()
    try:
        return await check_readiness(connection, settings, server=ami.name)
    finally:
        connection.close()

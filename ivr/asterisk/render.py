"""Renders the Asterisk configuration from the settings (``suac asterisk render``).

``extensions.conf`` comes from ``dialplans/templates``; every other file (AMI, PJSIP, queue,
modules, music on hold, logging, tones, and the files Asterisk's core reads at every start)
from ``asterisk_conf/templates``, so a stock Asterisk 22 starts with no error. Every
upper-case name of :mod:`ivr.asterisk.constants` is available to the templates, so the
dialplan and the Python side share contexts, routes and variables. Secrets are only ever the
configured ones::

    >>> from models.config import Settings
    >>> render_config(Settings(_env_file=None))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ivr.asterisk.render.MissingSecret: Faltan secretos por configurar: ...
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

import asterisk_conf
import dialplans
from ivr.asterisk import constants
from ivr.asterisk.errors import AsteriskError
from models.config import AsteriskServer, Settings

FOLDERS = [
    Path(dialplans.__file__).parent / "templates",
    Path(asterisk_conf.__file__).parent / "templates",
]
TEMPLATES = (
    "extensions.conf", "manager.conf", "queues.conf", "pjsip.conf", "modules.conf",
    "musiconhold.conf", "logger.conf", "indications.conf", "rtp.conf",
)  # fmt: skip
# With ``autoload = no`` Asterisk loads exactly these (and refuses to start without a required
# one); each module's own dependencies are listed with it, so nothing fails to load.
MODULES: dict[str, tuple[str, ...]] = {
    "Dialplan and FastAGI IVR": (
        "pbx_config.so", "res_agi.so", "res_speech.so", "app_playback.so", "app_exec.so",
        "app_system.so",  # AGI's EXEC System makes the answers' folder as Asterisk's user
        "func_channel.so", "func_callerid.so", "func_env.so", "func_strings.so",
        "func_logic.so", "func_global.so",
    ),
    "Agent queue, recording, supervisors' listening": (
        "app_queue.so", "app_mixmonitor.so", "app_chanspy.so", "app_dial.so",
        "res_musiconhold.so", "res_timing_timerfd.so",
    ),
    "Bridges between a caller and an agent": (
        "bridge_simple.so", "bridge_native_rtp.so", "bridge_builtin_features.so",
    ),
    "Audio: codecs and file formats (prompts, core sounds, music, recordings are wav)": (
        "codec_ulaw.so", "codec_alaw.so", "codec_gsm.so", "codec_g722.so", "codec_resample.so",
        "format_wav.so", "format_wav_gsm.so", "format_gsm.so", "format_pcm.so", "format_sln.so",
    ),
    "PJSIP: agents' and supervisors' phones, the carrier trunk": (
        "res_sorcery_config.so", "res_sorcery_memory.so", "res_sorcery_astdb.so",
        "res_pjproject.so", "res_pjsip.so", "chan_pjsip.so", "res_pjsip_session.so",
        "res_pjsip_authenticator_digest.so", "res_pjsip_outbound_authenticator_digest.so",
        "res_pjsip_endpoint_identifier_user.so", "res_pjsip_endpoint_identifier_ip.so",
        "res_pjsip_registrar.so", "res_pjsip_outbound_registration.so", "res_pjsip_sdp_rtp.so",
        "res_pjsip_caller_id.so", "res_pjsip_dtmf_info.so", "res_pjsip_rfc3326.so",
        "res_pjsip_nat.so", "res_pjsip_pubsub.so", "res_pjsip_refer.so", "res_pjsip_logger.so",
        "res_rtp_asterisk.so",
    ),
}  # fmt: skip
REQUIRED = (
    "pbx_config.so", "chan_pjsip.so", "res_pjsip.so", "app_queue.so", "res_agi.so",
    "app_chanspy.so", "app_mixmonitor.so", "res_musiconhold.so", "app_playback.so",
    "func_channel.so",
)  # fmt: skip


@dataclass(frozen=True)
class DefaultsFile:
    """A file Asterisk reads at every start (an error when missing); the project needs only
    its defaults."""

    name: str
    purpose: str
    lines: tuple[str, ...] = ("[general]",)


DEFAULTS_FILES = (
    DefaultsFile("cdr.conf", "no CDR (the project keeps its own call records).",
             ("[general]", "enable = no")),
    DefaultsFile("cel.conf", "no channel event logging.", ("[general]", "enable = no")),
    DefaultsFile("features.conf", "Asterisk's default in-call features (agents' transfers)."),
    DefaultsFile("ccss.conf", "call completion left at its defaults."),
    DefaultsFile("udptl.conf", "fax over IP left at its defaults."),
    DefaultsFile("acl.conf", "no named access lists.", ()),
    DefaultsFile("stasis.conf", "the message bus at its defaults.", ("[threadpool]",)),
    DefaultsFile("pjproject.conf", "PJSIP's own library at its defaults.", ()),
)  # fmt: skip


class MissingSecret(AsteriskError):
    """A password or secret the configuration needs was not configured."""

    error_id = "asterisk-missing-secret"
    status_code = 422


class FolderNotCreated(AsteriskError):
    """A folder Asterisk records into could not be created."""

    error_id = "asterisk-folder-not-created"
    status_code = 500


class UnsafeConfigValue(AsteriskError):
    """A setting that would break out of its line in an Asterisk file."""

    error_id = "asterisk-unsafe-config-value"
    status_code = 422


def _finalize(value: object) -> object:
    text = "" if value is None else str(value)
    if "\n" in text or "\r" in text:
        raise UnsafeConfigValue(
            f"Un valor de la configuración contiene un salto de línea: {text!r}"
        )
    return text.replace(";", r"\;")  # ";" starts a comment in Asterisk files


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader([str(f) for f in FOLDERS]),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.filters["ref"] = lambda name: "${" + name + "}"
    return env


def ami_server(settings: Settings, name: str | None) -> AsteriskServer:
    """The AMI server called ``name`` (the first configured when empty)."""
    servers = settings.asterisk.servers
    if name:
        for server in servers:
            if server.name == name:
                return server
        raise MissingSecret(f"No hay un servidor Asterisk llamado «{name}» en la configuración.")
    return servers[0] if servers else AsteriskServer()


def _missing(settings: Settings, server: AsteriskServer) -> list[str]:
    config = settings.asterisk
    missing = [] if server.secret.get_secret_value() else [f"secreto AMI de «{server.name}»"]
    missing += [
        f"contraseña del teléfono {phone.extension}"
        for phone in (*config.agents, *config.supervisors)
        if not phone.password.get_secret_value()
    ]
    if config.trunk.host and not config.trunk.password.get_secret_value():
        missing.append("contraseña de la troncal")
    return missing


def render_config(settings: Settings, *, server: str | None = None) -> dict[str, str]:
    """Every file's text by file name, for one AMI server (the first when not named)."""
    ami = ami_server(settings, server)
    missing = _missing(settings, ami)
    if missing:
        raise MissingSecret("Faltan secretos por configurar: " + ", ".join(missing) + ".")
    config = settings.asterisk
    host = config.agi_reachable_host or config.agi_host
    values = {
        **{k: v for k, v in vars(constants).items() if k.isupper()},
        "agi_url": f"agi://{host}:{config.agi_port}",
        "ami": ami,
        "ami_secret": ami.secret.get_secret_value(),
        "check_secret": ami.check_secret.get_secret_value(),
        "ami_bind_address": config.ami_bind_address,
        "ami_permit": config.ami_permit,
        "language": config.language,
        "prompts_dir": config.prompts_dir,
        "recordings_dir": config.recordings_dir,
        "queue_name": settings.ivr.agent_queue,
        "queue_max_wait": constants.QUEUE_MAX_WAIT_SECONDS,
        "queue": config.queue,
        "agents": list(config.agents),
        "supervisors": list(config.supervisors),
        "trunk": config.trunk,
        "sip_bind": config.sip_bind,
        "modules": MODULES,
        "required": REQUIRED,
    }
    env = _environment()
    files = {name: env.get_template(f"{name}.j2").render(values) for name in TEMPLATES}
    defaults = env.get_template("defaults.conf.j2")
    files |= {f.name: defaults.render(values, file=f) for f in DEFAULTS_FILES}
    return files


def record_folders(settings: Settings) -> list[Path]:
    """The folders Asterisk records into: ``MixMonitor`` creates its own, but AGI's
    ``RECORD FILE`` (the callers' answers, in ``<recordings_dir>/ivr``) does not."""
    recordings = Path(settings.asterisk.recordings_dir)
    return [recordings, recordings / constants.UTTERANCES_DIR]


def create_record_folders(settings: Settings) -> list[Path]:
    """Create the missing :func:`record_folders`; return those created.

    A new folder is owned like the folder it is made in (run as root under Debian's
    ``/var/spool/asterisk``, it belongs to the ``asterisk`` user that records into it)."""
    created: list[Path] = []
    for folder in record_folders(settings):
        missing = [p for p in (folder, *folder.parents) if not p.exists()][::-1]
        try:
            owner = folder.parents[len(missing) - 1].stat() if missing else None
            for path in missing:
                path.mkdir()
                if owner is not None and os.geteuid() == 0:
                    os.chown(path, owner.st_uid, owner.st_gid)
                created.append(path)
        except OSError as error:
            raise FolderNotCreated(
                f"No se pudo crear la carpeta de grabaciones {folder}: {error.strerror}. "
                "Créela en el servidor Asterisk, con permiso de escritura para Asterisk."
            ) from error
    return created


def write_config(settings: Settings, out: Path, *, server: str | None = None) -> list[Path]:
    """Render every file into ``out`` (created if needed); return the paths written."""
    files = render_config(settings, server=server)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written

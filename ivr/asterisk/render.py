"""Renders the Asterisk configuration from the settings (``suac asterisk render``).

``extensions.conf`` comes from ``dialplans/templates``; ``manager.conf``, ``queues.conf``,
``pjsip.conf`` and ``modules.conf`` from ``asterisk_conf/templates``. Every upper-case name of
:mod:`ivr.asterisk.constants` is available to the templates, so the dialplan and the Python
side share contexts, routes and variables. Secrets are only ever the configured ones::

    >>> from models.config import Settings
    >>> render_config(Settings(_env_file=None))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ivr.asterisk.render.MissingSecret: Faltan secretos por configurar: ...
"""

from __future__ import annotations

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
FILES = ("extensions.conf", "manager.conf", "queues.conf", "pjsip.conf", "modules.conf")
NOLOAD = (
    "chan_iax2.so", "chan_mgcp.so", "chan_skinny.so", "chan_unistim.so", "chan_ooh323.so",
    "pbx_dundi.so", "res_hep.so", "res_hep_rtcp.so", "res_hep_pjsip.so", "res_phoneprov.so",
    "res_pjsip_phoneprov_provider.so", "res_smdi.so", "res_statsd.so", "res_config_ldap.so",
    "cdr_radius.so", "cel_radius.so", "app_voicemail.so", "res_adsi.so", "app_adsiprog.so",
    "app_getcpeid.so", "app_alarmreceiver.so", "res_pjsip_transport_websocket.so",
    "res_http_websocket.so", "res_ari.so", "pbx_ael.so", "pbx_lua.so",
)  # fmt: skip
REQUIRED = (
    "chan_pjsip.so", "res_pjsip.so", "app_queue.so", "res_agi.so", "app_chanspy.so",
    "app_mixmonitor.so", "res_musiconhold.so", "app_playback.so", "func_channel.so",
)  # fmt: skip


class MissingSecret(AsteriskError):
    """A password or secret the configuration needs was not configured."""

    error_id = "asterisk-missing-secret"
    status_code = 422


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


def _server(settings: Settings, name: str | None) -> AsteriskServer:
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
    ami = _server(settings, server)
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
        "noload": NOLOAD,
        "required": REQUIRED,
    }
    env = _environment()
    return {name: env.get_template(f"{name}.j2").render(values) for name in FILES}


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

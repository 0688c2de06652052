"""The demonstration's staff accounts: the ones printed for the newcomer, and the simulated
agents and authority official who work the traffic through the same pages.

    accounts = demo_accounts()
    create_accounts(engine, accounts)
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import Engine

from models.db import session_scope
from models.users import Role, StaffCreate, check_phone, create_user

AUTHORITY, AUTHORITY_UNIT = "SACMEX", "DGAP"


@dataclass(frozen=True)
class DemoAccount:
    """One account, its password, and what it is for (in Spanish, for the screen)."""

    username: str
    full_name: str
    role: Role
    password: str
    purpose: str = ""
    phone: str | None = None
    authority_code: str | None = None
    simulated: bool = False  # worked by the demonstration itself

    @property
    def transport(self) -> str:
        """ "asterisk" or "twilio" for an agent with a phone, else ""."""
        if not self.phone:
            return ""
        return "twilio" if self.phone.startswith(("+", "sip:")) else "asterisk"


def _password() -> str:
    return "demo-" + secrets.token_hex(4)


def demo_accounts(*, simulated_agents: int = 3) -> list[DemoAccount]:
    """The printed accounts (one password for all, new each run) and the simulated ones
    (``simulated_agents`` per front, passwords of their own)."""
    shown = _password()
    accounts = [
        DemoAccount(
            "asesor.asterisk",
            "Ana Asesora (Asterisk)",
            Role.AGENT,
            shown,
            "agente con teléfono de Asterisk (PJSIP/1100)",
            phone="PJSIP/1100",
        ),
        DemoAccount(
            "asesor.twilio",
            "Tomás Asesor (Twilio)",
            Role.AGENT,
            shown,
            "agente con teléfono de Twilio (+525590001100)",
            phone="+525590001100",
        ),
        DemoAccount(
            "supervisora",
            "Sara Supervisora",
            Role.SUPERVISOR,
            shown,
            "supervisora: tablero en vivo, escucha y reportes",
            phone="PJSIP/2100",
        ),
        DemoAccount(
            "sacmex",
            "Samuel Funcionario (SACMEX)",
            Role.AUTHORITY,
            shown,
            "personal de SACMEX: bandeja de solicitudes",
            authority_code=AUTHORITY,
        ),
        DemoAccount("admin", "Adela Administradora", Role.ADMIN, shown, "administración"),
    ]
    for n in range(1, simulated_agents + 1):
        accounts.append(
            DemoAccount(
                f"simulado.asterisk{n}",
                f"Asesor simulado {n} (Asterisk)",
                Role.AGENT,
                _password(),
                phone=f"PJSIP/{1100 + n}",
                simulated=True,
            )
        )
        accounts.append(
            DemoAccount(
                f"simulado.twilio{n}",
                f"Asesor simulado {n} (Twilio)",
                Role.AGENT,
                _password(),
                phone=f"+5255900011{n:02d}",
                simulated=True,
            )
        )
    accounts.append(
        DemoAccount(
            "simulado.sacmex",
            "Funcionaria simulada (SACMEX)",
            Role.AUTHORITY,
            _password(),
            authority_code=AUTHORITY,
            simulated=True,
        )
    )
    return accounts


def create_accounts(engine: Engine, accounts: list[DemoAccount]) -> None:
    """Create every account (the database is the demonstration's own, new and empty)."""
    with session_scope(engine) as session:
        for account in accounts:
            data = StaffCreate(
                username=account.username,
                full_name=account.full_name,
                role=account.role,
                authority_code=account.authority_code,
                phone=account.phone,
            )
            check_phone(data)
            create_user(session, data, password=account.password)

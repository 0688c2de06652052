"""Listen, whisper and barge (supervisors only) and their audit log (administrators).

GET  /supervision/escucha                   agents on a call, each with the three modes
POST /supervision/escucha                   start one (agente = the agent's phone, modo)
POST /supervision/escucha/{id}/terminar     end it (hang the supervisor's channel up)
GET  /admin/auditoria                       the audit log: filters and pages

Administrators may read the log but not listen: listening is the floor supervisors' job, and
keeping the two apart means whoever audits the log is not in it. No page shows a citizen's
data (the call's id only), so none is written to the personal-data log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse
from sqlmodel import col, select

from agent_console.auth import AdminStaff, Staff, require
from agent_console.spy_service import TWILIO_UNSUPPORTED, SpyFailed, SpyService
from agent_console.templating import ZONE, render
from models.db import run_blocking, session_scope
from models.errors import DomainError
from models.spy_audit import MODE_LABELS, AuditQuery, SpyAudit, search, supervisors_in_log
from models.users import Role, User

router = APIRouter(include_in_schema=False)
SupervisorOnly = Annotated[Staff, require(Role.SUPERVISOR)]
Text = Annotated[str, Form(max_length=200)]
AuditId = Annotated[int, Path(ge=1)]
PER_PAGE = 50


def _service(request: Request) -> SpyService:
    return SpyService(container=request.app.state.container, calls=request.app.state.recent_calls)


@router.get("/supervision/escucha")
async def spy_page(request: Request, staff: SupervisorOnly) -> HTMLResponse:
    """The agents on a call now, each with listen, whisper and barge, and the supervisor's
    sessions still open."""
    service = _service(request)
    context = {
        "agents": await service.agents_on_calls(),
        "sessions": await service.open_sessions(staff),
        "modes": MODE_LABELS,
        "twilio_unsupported": TWILIO_UNSUPPORTED,
    }
    return render(request, "supervisor/spy.html", context)


@router.post("/supervision/escucha")
async def start_spy(
    request: Request, staff: SupervisorOnly, agente: Text = "", modo: Text = ""
) -> HTMLResponse:
    """Ring the supervisor's phone into the agent's live call; refusals explained."""
    try:
        row = await _service(request).start(staff, agent_phone=agente, mode=modo)
    except DomainError as error:
        context = {"problem": error.message, "agent_phone": agente, "mode": modo}
        return render(request, "supervisor/spy_result.html", context, status=error.status_code)
    return render(request, "supervisor/spy_result.html", {"row": row, "started": True})


@router.post("/supervision/escucha/{audit_id}/terminar")
async def end_spy(request: Request, staff: SupervisorOnly, audit_id: AuditId) -> HTMLResponse:
    """Hang the supervisor's listening channel up; the end goes to the log."""
    service = _service(request)
    try:
        row = await service.end(staff, audit_id)
    except SpyFailed as error:
        row = await service.get(staff, audit_id)
        context = {"row": row, "problem": error.message}
        return render(request, "supervisor/spy_result.html", context, status=error.status_code)
    except DomainError as error:
        context = {"problem": error.message}
        return render(request, "supervisor/spy_result.html", context, status=error.status_code)
    return render(request, "supervisor/spy_result.html", {"row": row})


@dataclass
class AuditFilters:
    """The log's filters as typed, with a Spanish message per bad field."""

    supervisor: str = ""
    agente: str = ""
    desde: str = ""
    hasta: str = ""
    pagina: int = 1
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, params: dict[str, str]) -> AuditFilters:
        form = cls(
            supervisor=params.get("supervisor", "").strip()[:64],
            agente=params.get("agente", "").strip()[:120],
            desde=params.get("desde", "").strip(),
            hasta=params.get("hasta", "").strip(),
        )
        page = params.get("pagina", "1").strip()
        whole = page.isascii() and page.isdigit()  # "²" is a digit to isdigit(), not to int()
        form.pagina = int(page) if whole and 0 < int(page) < 100_000 else 1
        first, last = form._day("desde", "inicial"), form._day("hasta", "final")
        if first and last and first > last:
            form.errors["hasta"] = "La fecha final es anterior a la inicial."
        return form

    def _day(self, name: str, which: str) -> date | None:
        text = getattr(self, name)
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.errors[name] = f"La fecha {which} no es válida: escríbala como AAAA-MM-DD."
            return None

    def query(self) -> AuditQuery:
        """The search these filters ask (local days, ``hasta`` included)."""

        def start_of(text: str) -> datetime | None:
            return datetime.combine(date.fromisoformat(text), time(), ZONE) if text else None

        until = start_of(self.hasta)
        return AuditQuery(
            supervisor=self.supervisor,
            agent=self.agente,
            since=start_of(self.desde),
            until=until + timedelta(days=1) if until else None,
            page=self.pagina,
            per_page=PER_PAGE,
        )

    def link(self, page: int) -> str:
        """The address of another page with the same filters."""
        params = {
            "supervisor": self.supervisor,
            "agente": self.agente,
            "desde": self.desde,
            "hasta": self.hasta,
            "pagina": page,
        }
        return "/admin/auditoria?" + urlencode({k: v for k, v in params.items() if v})


@router.get("/admin/auditoria")
async def audit_page(request: Request, _staff: AdminStaff) -> HTMLResponse:
    """The log of listen, whisper and barge, newest first, filtered and paginated."""
    form = AuditFilters.read(dict(request.query_params))
    engine = request.app.state.container.engine

    def load() -> tuple[list[SpyAudit], int, list[str]]:
        with session_scope(engine, readonly=True) as session:
            rows, total = search(session, form.query()) if not form.errors else ([], 0)
            staff = session.exec(
                select(User.username).where(col(User.role) == Role.SUPERVISOR.value)
            )
            names = sorted(set(staff) | set(supervisors_in_log(session)))
            session.expunge_all()
            return rows, total, names

    rows, total, supervisors = await run_blocking(engine, load)
    pages = max(1, -(-total // PER_PAGE))
    context = {
        "form": form,
        "rows": rows,
        "total": total,
        "pages": pages,
        "supervisors": supervisors,
    }
    return render(request, "admin/audit.html", context, status=422 if form.errors else 200)

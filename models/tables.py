"""Imports every table module so ``SQLModel.metadata`` knows the whole schema."""

from models.access_log import PersonalDataView  # noqa: F401
from models.agent_presence import AgentPresence  # noqa: F401
from models.api_keys import ApiKey  # noqa: F401
from models.authorities import AdministrativeUnit, Authority
from models.callback_attempts import CallbackAttempt  # noqa: F401
from models.calls import CallRecord
from models.capture_forms import CaptureForm  # noqa: F401
from models.catalogue import CatalogueEntry
from models.inbox import INBOX_INDEX  # noqa: F401  (the inbox's index)
from models.ivr_sessions import CallbackRequest, IvrSession  # noqa: F401
from models.messages import OutboundMessage  # noqa: F401
from models.metrics.agent_log import AgentStateChange  # noqa: F401
from models.metrics.facts import CallFactRow  # noqa: F401
from models.open_data_rows import OpenDataRow  # noqa: F401
from models.outbox import Job, Lease, OutboxEvent  # noqa: F401
from models.primary_roads import PrimaryRoad  # noqa: F401
from models.reference_audio import ReferenceAudio  # noqa: F401
from models.request_supporters import RequestSupporter  # noqa: F401
from models.requests import FolioCounter, RequestHistory, ServiceRequest
from models.spy_audit import SpyAudit  # noqa: F401
from models.staff_sessions import StaffSession  # noqa: F401
from models.users import User

__all__ = [
    "AdministrativeUnit",
    "Authority",
    "CallRecord",
    "CatalogueEntry",
    "FolioCounter",
    "RequestHistory",
    "ServiceRequest",
    "User",
]

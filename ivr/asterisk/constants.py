"""Names shared by the Python side and the rendered dialplan, so the two cannot drift.

The dialplan templates receive every upper-case name of this module (see
``ivr.asterisk.render``)::

    >>> CONTEXT_INBOUND, AGI_ROUTE_IVR, VAR_NEXT
    ('locatel-entrada', 'ivr', 'SUAC_SIGUIENTE')
"""

from __future__ import annotations

from models.calls import CallStatus
from models.events import QueueExitReason

# --- dialplan contexts -----------------------------------------------------------------------
CONTEXT_INBOUND = "locatel-entrada"  # calls from the trunk land here and go to the FastAGI IVR
CONTEXT_QUEUE = "locatel-cola"  # the agent queue (also the fall-back when the IVR is down)
CONTEXT_STATUS = "locatel-estado"  # re-entry into the IVR's status reading (AMI Redirect)
CONTEXT_AGENTS = "locatel-agentes"  # agents' phones: what they may dial
CONTEXT_HANGUP = "locatel-colgar"  # end a call politely

EXTEN_START = "s"

# --- FastAGI routes (agi://host:port/<route>) --------------------------------------------------
AGI_ROUTE_IVR = "ivr"
AGI_ROUTE_STATUS = "estado"

# --- channel variables set by the IVR before the dialplan takes the call on ------------------
VAR_NEXT = "SUAC_SIGUIENTE"  # "cola" (to an agent) or "colgar"
VAR_QUEUE = "SUAC_COLA"
VAR_CALL_ID = "SUAC_LLAMADA"  # the call's Linkedid
VAR_FOLIO = "SUAC_FOLIO"
VAR_CATEGORY = "SUAC_CATEGORIA"
VAR_ALCALDIA = "SUAC_ALCALDIA"
VAR_REASON = "SUAC_MOTIVO"
VAR_CONTEXT = "SUAC_CONTEXTO"  # the whole hand-off context, JSON in base64 (no quotes to escape)
VAR_RECORDING = "SUAC_GRABACION"  # path of the MixMonitor recording
VAR_SPEECH = "SUAC_VOZ"  # set by the dialplan to "dtmf": this call is served by keys only
VAR_QUEUE_STATUS = "QUEUESTATUS"  # Queue()'s own result, set when the caller leaves it alive
VAR_QUEUE_WAIT = "QUEUEWAIT"  # Queue()'s seconds from joining to the answer, set at the answer
# QUEUESTATUS → how a call left the queue without an agent, the caller still on the line
QUEUE_EXITS: dict[str, QueueExitReason] = {
    "TIMEOUT": "timeout",
    "LEAVEEMPTY": "empty",
    "LEAVEUNAVAIL": "empty",
    "WITHDRAW": "left",
    "CONTINUE": "left",
}

NEXT_QUEUE = "cola"
NEXT_HANGUP = "colgar"

# --- supervisors' spying: mode → ChanSpy options --------------------------------------------
# The supervisor's phone is originated straight into ChanSpy on the agent's channel prefix
# "PJSIP/1001-" (never "PJSIP/10010-…"). q: no beep nor channel name announced; E: exit when
# the spied-on channel hangs up (never hop to the agent's next call); S: stop at once when
# there is nothing to spy on; w: whisper to the agent only; B: barge, talk to both agent and
# caller. The supervisor's channel gets a Uniqueid starting with SPY_CHANNEL_PREFIX: the call
# tracker leaves it out of the calls and reports its hang-up (``SpyEnded``).
SPY_MODES = {"escuchar": "qES", "susurrar": "qwES", "intervenir": "qBES"}
SPY_APPLICATION = "ChanSpy"
SPY_CHANNEL_PREFIX = "suac-escucha-"

# --- the queue and the recordings ------------------------------------------------------------
DEFAULT_QUEUE = "locatel"
QUEUE_MAX_WAIT_SECONDS = 1800
RECORDING_FORMAT = "wav"
UTTERANCES_DIR = "ivr"  # under the recordings: each answer recorded for the speech engine
RECORDING_NOTICE_PROMPT = "aviso-grabacion"  # played before any recording starts
RECORDING_NOTICE_TEXT = (
    "Para mejorar la calidad del servicio, esta llamada será grabada. "
    "Sus datos personales están protegidos conforme a la ley."
)

# --- call statuses written on call records and CallEnded.status -----------------------------
STATUS_IN_PROGRESS = CallStatus.IN_PROGRESS.value
STATUS_QUEUED = CallStatus.QUEUED.value
STATUS_ANSWERED = CallStatus.ANSWERED.value
STATUS_ABANDONED = CallStatus.ABANDONED.value
STATUS_UNANSWERED = CallStatus.UNANSWERED.value
STATUS_LOST = CallStatus.LOST.value  # ended while the bridge was disconnected (seen on resync)

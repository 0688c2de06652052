"""Errors of the Asterisk front: small classes with a stable ``error_id``."""

from __future__ import annotations

from models.errors import DomainError


class AsteriskError(DomainError):
    """Base of every Asterisk failure."""

    error_id = "asterisk-error"
    status_code = 502


class AmiConnectionFailed(AsteriskError):
    """The AMI socket could not be opened or was lost."""

    error_id = "ami-connection-failed"
    status_code = 503


class AmiLoginFailed(AsteriskError):
    """Asterisk refused the AMI user name or secret."""

    error_id = "ami-login-failed"
    status_code = 503


class AmiActionTimeout(AsteriskError):
    """Asterisk did not answer an action in time."""

    error_id = "ami-action-timeout"
    status_code = 504


class AmiActionRejected(AsteriskError):
    """Asterisk answered an action with an error; ``message`` is Asterisk's own text."""

    error_id = "ami-action-rejected"
    status_code = 502


class AmiBadAction(AsteriskError):
    """An action we refuse to send (a header value with a line break, an unknown server)."""

    error_id = "ami-bad-action"
    status_code = 422


class NoRunningLoop(AsteriskError):
    """An asyncio object built outside a running event loop."""

    error_id = "asterisk-no-running-loop"
    status_code = 500


class CallerHungUp(AsteriskError):
    """The caller hung up while the FastAGI script was talking to the channel."""

    error_id = "agi-caller-hung-up"
    status_code = 410


class AgiCommandFailed(AsteriskError):
    """An AGI command failed (``result=-1``) on a channel that is still up: a missing file."""

    error_id = "agi-command-failed"
    status_code = 502


class RecordingUnavailable(AgiCommandFailed):
    """``RECORD FILE`` failed on a live channel (``writefile``: no folder, or no right to write
    there): the caller is asked by keys instead."""

    error_id = "agi-recording-unavailable"

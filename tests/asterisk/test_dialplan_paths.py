"""Where a call goes in the rendered dialplan: the AGI server down, a hand-off, a goodbye.

A small walker runs the subset of dialplan the templates use (``Set``, ``GotoIf`` on
``$["${VAR}" = "text"]``, ``Goto``, labels) and records the applications a call runs; the
``AGI`` step applies what the FastAGI front would set, or nothing when its server is down
(Asterisk then sets ``AGISTATUS=FAILURE`` and goes on with the next priority).
"""

from __future__ import annotations

import re

import pytest

from ivr.asterisk import constants as names
from ivr.asterisk.render import render_config

from .test_render import configured, parse_asterisk_config

APP = re.compile(r"^(?:n|\d+)(?:\((?P<label>\w+)\))?,(?P<app>\w+)\((?P<args>.*)\)$")
CONDITION = re.compile(r'^\$\["\$\{(\w+)\}" (=|!=) "([^"]*)"\]\?(.+)$')
Step = tuple[str, str, str]  # label, application, arguments


def dialplan() -> dict[str, list[Step]]:
    """The ``s`` extension of every context, as (label, application, arguments)."""
    contexts: dict[str, list[Step]] = {}
    extension = ""
    text = render_config(configured())["extensions.conf"]
    for context, key, value in parse_asterisk_config(text):
        if key == "exten":
            extension, _, value = value.partition(",")
        if key in ("exten", "same") and extension == "s":
            match = APP.match(value)
            assert match, value
            contexts.setdefault(context, []).append((match["label"], match["app"], match["args"]))
    return contexts


def walk(context: str, variables: dict[str, str], agi: dict[str, str] | None) -> list[str]:
    """The applications a call entering ``context`` runs, until it queues or hangs up."""
    plan, ran, index = dialplan(), [], 0
    for _ in range(100):
        label, app, args = plan[context][index]
        ran.append(app)
        index += 1
        if app in ("Queue", "Hangup"):
            return ran
        if app == "AGI" and agi is not None:
            variables.update(agi)
        elif app == "Set" and not args.startswith("CHANNEL("):
            name, _, value = args.partition("=")
            variables[name.lstrip("_")] = value
        elif app == "GotoIf":
            var, op, text, target = CONDITION.match(args).groups()
            if (variables.get(var, "") == text) == (op == "="):
                context, index = jump(plan, context, target)
        elif app == "Goto":
            context, index = jump(plan, context, args)
    raise AssertionError(f"the call never left the dialplan: {ran}")


def jump(plan: dict[str, list[Step]], context: str, target: str) -> tuple[str, int]:
    parts = target.split(",")
    if len(parts) == 3:
        return parts[0], 0
    return context, next(i for i, step in enumerate(plan[context]) if step[0] == target)


def test_agi_server_down_sends_the_caller_to_the_queue_with_notice_and_recording() -> None:
    ran = walk(names.CONTEXT_INBOUND, {}, agi=None)
    assert ran[-1] == "Queue"
    assert ran.index("Playback") < ran.index("MixMonitor") < ran.index("Queue")


def test_hand_off_goes_to_the_queue_without_a_second_notice() -> None:
    ivr = {names.VAR_NEXT: names.NEXT_QUEUE, names.VAR_RECORDING: "/grabaciones/1.1.wav"}
    ran = walk(names.CONTEXT_INBOUND, {}, agi=ivr)
    assert ran[-1] == "Queue" and "Playback" not in ran and "MixMonitor" not in ran


def test_goodbye_hangs_up_without_queueing() -> None:
    ran = walk(names.CONTEXT_INBOUND, {}, agi={names.VAR_NEXT: names.NEXT_HANGUP})
    assert ran[-1] == "Hangup" and "Queue" not in ran


@pytest.mark.parametrize("before", [names.NEXT_QUEUE, names.NEXT_HANGUP])
def test_status_re_entry_with_the_agi_server_down_queues_the_caller(before: str) -> None:
    # whatever the first IVR run left in the channel, a failed re-entry ends with an agent
    channel = {names.VAR_NEXT: before, names.VAR_RECORDING: "/grabaciones/1.1.wav"}
    ran = walk(names.CONTEXT_STATUS, channel, agi=None)
    assert ran[-1] == "Queue" and "MixMonitor" not in ran

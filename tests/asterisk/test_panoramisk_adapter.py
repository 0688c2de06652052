"""One regression test per panoramisk 1.4 trap, plus the adapter's own guarantees."""

from __future__ import annotations

import asyncio
import re
import warnings
from pathlib import Path

import pytest

from ivr.asterisk.errors import (
    AmiActionTimeout,
    AmiBadAction,
    AmiConnectionFailed,
    AmiLoginFailed,
    NoRunningLoop,
)
from ivr.asterisk.panoramisk_adapter import AgiSession, AmiConnection, FastAgiServer

from .fake_ami import FakeAmi, frame

ENV = b"agi_network: yes\nagi_network_script: ivr\nagi_uniqueid: 1.1\nagi_channel: PJSIP/x-1\n\n"


async def connect(peer: FakeAmi, sink=lambda event: None, **kwargs) -> AmiConnection:
    connection = AmiConnection(
        host="127.0.0.1",
        port=peer.port,
        username="suac",
        secret=peer.secret,
        sink=sink,
        **kwargs,
    )
    await connection.open()
    return connection


async def test_login_success_and_failure_are_reported(fake_ami: FakeAmi) -> None:
    connection = await connect(fake_ami)
    assert fake_ami.received[0]["Username"] == "suac"
    connection.close()
    refused = AmiConnection(
        host="127.0.0.1", port=fake_ami.port, username="suac", secret="otro", sink=print
    )
    with pytest.raises(AmiLoginFailed, match="Authentication failed"):
        await refused.open()
    assert refused.closed


async def test_unreachable_server_is_a_connection_error() -> None:
    connection = AmiConnection(
        host="127.0.0.1", port=1, username="u", secret="s", sink=print, timeout=1
    )
    with pytest.raises(AmiConnectionFailed):
        await connection.open()


async def test_trap_raising_sync_callback_keeps_the_connection(fake_ami: FakeAmi) -> None:
    seen: list[str] = []

    def sink(event: dict) -> None:
        seen.append(event["Event"])
        if event["Event"] == "Boom":
            raise RuntimeError("handler bug")

    connection = await connect(fake_ami, sink=sink)
    await fake_ami.push({"Event": "Boom"}, {"Event": "After"})
    answer = await connection.send("Ping")
    assert answer.success and not connection.closed
    assert seen[-2:] == ["Boom", "After"]


async def test_failing_async_callback_is_logged_not_fatal(fake_ami: FakeAmi, caplog) -> None:
    async def sink(event: dict) -> None:
        raise RuntimeError("async handler bug")

    connection = await connect(fake_ami, sink=sink)
    await fake_ami.push({"Event": "Boom"})
    assert (await connection.send("Ping")).success
    await asyncio.sleep(0.01)
    assert "an AMI event handler failed" in caplog.text


async def test_trap_queue_add_resolves(fake_ami: FakeAmi) -> None:
    connection = await connect(fake_ami)
    answer = await connection.send("QueueAdd", Queue="locatel", Interface="PJSIP/agente01")
    assert answer.success and answer.message == "Added interface to queue"


async def test_trap_originate_always_async_and_connection_survives(fake_ami: FakeAmi) -> None:
    connection = await connect(fake_ami)
    answer = await connection.send("Originate", Channel="Local/spy@x", Application="ChanSpy")
    assert answer.message == "Originate successfully queued"
    assert fake_ami.received[-1]["Async"] == "true"
    assert (await connection.send("Ping")).success


async def test_list_action_collects_items_and_error_lists_resolve(fake_ami: FakeAmi) -> None:
    fake_ami.channels = [{"Channel": "PJSIP/trunk-1", "Uniqueid": "1.1", "Linkedid": "1.1"}]
    connection = await connect(fake_ami)
    answer = await connection.send("CoreShowChannels", as_list=True)
    assert [item["Channel"] for item in answer.items] == ["PJSIP/trunk-1"]
    fake_ami.answers["QueueStatus"] = lambda a: [fake_ami.response(a, "Error", "Permission denied")]
    refused = await connection.send("QueueStatus", as_list=True, timeout=2)
    assert not refused.success and refused.message == "Permission denied"


async def test_every_action_times_out(fake_ami: FakeAmi) -> None:
    fake_ami.answers["Ping"] = lambda action: []
    connection = await connect(fake_ami)
    with pytest.raises(AmiActionTimeout):
        await connection.send("Ping", timeout=0.05)


async def test_lost_connection_fails_pending_action_at_once(fake_ami: FakeAmi) -> None:
    fake_ami.answers["Ping"] = lambda action: []
    connection = await connect(fake_ami)
    pending = asyncio.create_task(connection.send("Ping", timeout=30))
    await fake_ami.wait_for_action("Ping")
    await fake_ami.drop()
    with pytest.raises(AmiConnectionFailed):
        await asyncio.wait_for(pending, 5)
    assert connection.closed


async def test_header_injection_is_refused(fake_ami: FakeAmi) -> None:
    connection = await connect(fake_ami)
    with pytest.raises(AmiBadAction):
        await connection.send("QueuePause", Reason="comida\r\nAction: Hangup")


async def test_malformed_frames_and_split_utf8_do_not_break_the_stream(fake_ami: FakeAmi) -> None:
    seen: list[dict] = []
    connection = await connect(fake_ami, sink=seen.append)
    await fake_ami.push(b"Event: A\r\nEvent: B\r\n\r\n", b"garbage without headers\r\n\r\n")
    data = frame({"Event": "NewCallerid", "CallerIDName": "Muñoz Peña"})
    cut = data.index("ñ".encode()) + 1  # in the middle of the two bytes of "ñ"
    await fake_ami.push(data[:cut])
    await asyncio.sleep(0.02)
    await fake_ami.push(data[cut:])
    assert (await connection.send("Ping")).success
    assert seen[-1]["CallerIDName"] == "Muñoz Peña"


async def test_event_filter_skips_unwanted_events(fake_ami: FakeAmi) -> None:
    seen: list[dict] = []
    connection = await connect(fake_ami, sink=seen.append, wanted={"Hangup"})
    await fake_ami.push({"Event": "VarSet"}, {"Event": "Hangup", "Uniqueid": "1.1"})
    await connection.send("Ping")
    assert [e["Event"] for e in seen] == ["Hangup"]
    assert connection.events_seen == 3  # FullyBooted, VarSet, Hangup


def test_trap_objects_outside_a_running_loop_fail_clearly() -> None:
    with pytest.raises(NoRunningLoop):
        AmiConnection(host="h", port=1, username="u", secret="s", sink=print)
    with pytest.raises(NoRunningLoop):
        FastAgiServer(host="127.0.0.1", port=0)


async def test_trap_objects_inside_the_loop_do_not_warn(fake_ami: FakeAmi) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        connection = await connect(fake_ami)
        await connection.send("Ping")
        FastAgiServer(host="127.0.0.1", port=0)


# --- FastAGI ---------------------------------------------------------------------------------


async def agi_server(route) -> tuple[FastAgiServer, int]:
    server = FastAgiServer(host="127.0.0.1", port=0, header_timeout=1)
    server.route("ivr", route)
    _, port = await server.start()
    return server, port


async def test_trap_client_closing_before_headers_does_not_spin_the_loop() -> None:
    calls: list[str] = []

    async def route(session: AgiSession) -> None:
        calls.append(session.env["agi_uniqueid"])

    server, port = await agi_server(route)
    for payload in (b"", b"agi_network: yes\n"):  # a health check; half an environment
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(payload)
        writer.close()
    await asyncio.wait_for(asyncio.sleep(0.05), 1)  # the loop still turns
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(ENV)
    await asyncio.wait_for(reader.read(), 2)  # the real session runs and is closed
    assert calls == ["1.1"]
    await server.close()


async def test_trap_plain_def_route_is_served() -> None:
    async def talk(session: AgiSession) -> None:
        await session.command("ANSWER")

    def route(session: AgiSession):
        return talk(session)

    server, port = await agi_server(route)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(ENV)
    assert await asyncio.wait_for(reader.readline(), 2) == b"ANSWER\n"
    writer.write(b"200 result=0\n")
    await asyncio.wait_for(reader.read(), 2)
    await server.close()


async def test_trap_speech_text_with_spaces_and_hangup_line() -> None:
    replies = []

    async def route(session: AgiSession) -> None:
        replies.append(await session.command("SPEECH RECOGNIZE menu 5000"))
        replies.append(await session.command("GET VARIABLE AGISTATUS"))

    server, port = await agi_server(route)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(ENV)
    await reader.readline()
    writer.write(
        b"200 result=1 (speech) endpos=4000 results=1 score0=870 "
        b'text0="hay una fuga de agua en mi calle" grammar0=libre\n'
    )
    await reader.readline()
    writer.write(b"HANGUP\n200 result=1 (SUCCESS)\n")
    await asyncio.wait_for(reader.read(), 2)
    assert replies[0].fields["text0"] == "hay una fuga de agua en mi calle"
    assert replies[1].data == "SUCCESS"
    await server.close()


def test_the_adapter_is_the_only_module_importing_panoramisk() -> None:
    root = Path(__file__).resolve().parents[2]
    importing = {
        path.relative_to(root).as_posix()
        for folder in ("ivr", "models", "agent_console", "dialplans", "asterisk_conf")
        for path in (root / folder).rglob("*.py")
        if re.search(r"^\s*(from|import)\s+panoramisk\b", path.read_text(), re.MULTILINE)
    }
    assert importing == {"ivr/asterisk/panoramisk_adapter.py"}

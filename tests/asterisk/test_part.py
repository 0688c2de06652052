"""The Asterisk front as the container builds it: bridge, actions and FastAGI together."""

from __future__ import annotations

import asyncio
from pathlib import Path

from models.config import Settings
from suac.container import build_container

from .fake_agi import AgiPeer
from .fake_ami import FakeAmi


async def test_container_wires_bridge_actions_and_fastagi(
    fake_ami: FakeAmi, transcripts: Path, tmp_path: Path
) -> None:
    fake_ami.members = [{"Queue": "locatel", "Interface": "PJSIP/1001", "Status": "1"}]
    server = {"name": "locatel", "port": fake_ami.port, "username": "suac"}
    settings = Settings(
        data_dir=tmp_path,
        database_url="",
        redis_url="",
        _env_file=None,
        asterisk={
            "servers": [{**server, "secret": fake_ami.secret}],
            "agi_port": 0,
            "recordings_dir": str(tmp_path / "grabaciones"),
            "prompts_dir": str(tmp_path / "voz"),
        },
    )
    container = await build_container(settings)
    part = container.asterisk
    assert part is not None
    try:
        async with container.bus.subscribe() as events:
            _, port = await part.start()
            await asyncio.wait_for(part.bridge.links["locatel"].connected.wait(), 5)
            assert fake_ami.received[0]["Username"] == "suac"
            assert (await part.actions.pause("PJSIP/1001", reason="capacitación")).ok
            env = (transcripts / "c_ivr_fastagi.agi-env.txt").read_bytes()
            peer = AgiPeer(env=env, keys=["0"])
            await peer.call(port)
            seen = []
            while not any(e.type == "call.handed_over" for e in seen):
                seen.append(await asyncio.wait_for(anext(events), 5))
        assert peer.set_variables["SUAC_SIGUIENTE"] == "cola"
        # the AMI bridge alone reports a call's start and end on Asterisk
        assert not [e for e in seen if e.type == "call.started" and e.source == "ivr"]
        assert [e.step for e in seen if e.type == "call.ivr_step"] == ["menu"]
    finally:
        await container.close()

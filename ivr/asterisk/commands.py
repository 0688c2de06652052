"""The Asterisk actions as commands: one target per AMI server, served by the telephony role.

The process that holds a server's AMI link serves that server's commands (see
:mod:`models.commands`); every other process reaches them through :class:`ivr.telephony.Telephony`::

    servers = AsteriskCommandServers(client=client, bridge=bridge, queue="locatel", owner=name)
    await servers.start()
"""

from __future__ import annotations

from ivr.asterisk.actions import AsteriskActions
from ivr.asterisk.bridge import AmiBridge
from models.command_server import CommandServer
from models.commands import CommandClient, Handler, Target

COMMANDS = (
    "pause",
    "unpause",
    "add_member",
    "remove_member",
    "spy",
    "read_status",
    "hangup",
    "originate",
    "queue_log",
)


def asterisk_target(server: str) -> Target:
    """The command target of one AMI server.

    >>> asterisk_target("locatel").label
    'el servidor Asterisk «locatel»'
    """
    return Target(key=f"asterisk:{server}", label=f"el servidor Asterisk «{server}»")


def asterisk_handlers(actions: AsteriskActions) -> dict[str, Handler]:
    """Each command name bound to the action of the same name."""
    return {name: getattr(actions, name) for name in COMMANDS}


class AsteriskCommandServers:
    """One command server per AMI link of the bridge."""

    def __init__(self, *, client: CommandClient, bridge: AmiBridge, queue: str, owner: str) -> None:
        self.servers = [
            CommandServer(
                client=client,
                target=asterisk_target(name),
                handlers=asterisk_handlers(
                    AsteriskActions(bridge=bridge, queue=queue, server=name)
                ),
                owner=owner,
            )
            for name in bridge.links
        ]

    async def start(self) -> None:
        """Serve every server's commands."""
        for server in self.servers:
            await server.start()

    async def stop(self) -> None:
        """Stop serving them."""
        for server in self.servers:
            await server.stop()

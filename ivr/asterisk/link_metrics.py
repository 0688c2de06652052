"""``suac_ami_link_up{server}``: 1 while this process's AMI link to the server is connected
and logged in, 0 while it reconnects; ``suac_ami_link_connects_total{server}``: sessions
opened (each reconnection adds one). Only the telephony role holds the links, so only it
exposes them::

    collector = AmiLinks(bridge)
    list(collector.collect())
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from ivr.asterisk.bridge import AmiBridge


class AmiLinks:
    """Each configured AMI server's link state, read at the scrape."""

    def __init__(self, bridge: AmiBridge) -> None:
        self._bridge = bridge

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily(
            "suac_ami_link_up",
            "1 while the AMI link is connected and logged in.",
            labels=["server"],
        )
        connects = CounterMetricFamily(
            "suac_ami_link_connects",
            "AMI sessions opened (reconnections included).",
            labels=["server"],
        )
        for name, link in sorted(self._bridge.links.items()):
            up.add_metric([name], 1.0 if link.connected.is_set() else 0.0)
            connects.add_metric([name], link.connects)
        yield up
        yield connects

"""Contact-centre metrics: one set of definitions for the live wallboard and the reports.

- :mod:`models.metrics.definitions`: the rules (offered, answered, abandoned, service level,
  ASA, AHT…), a call's fact and the tallies;
- :mod:`models.metrics.agents`: agents' logged-in and paused time, handled calls, occupancy;
- :mod:`models.metrics.report`: a period's figures and their roll-ups;
- :mod:`models.metrics.live`: the live aggregator fed with the bus's events;
- :mod:`models.metrics.reports`: historical reports from the stored records;
- :mod:`models.metrics.agent_log`: the stored agents' state changes.
"""

from models.metrics.agents import AgentTally
from models.metrics.definitions import (
    CallFact,
    Interval,
    MetricsRules,
    Outcome,
    Tally,
    fact_of,
    rules_of,
)
from models.metrics.live import LiveMetrics
from models.metrics.report import MetricsReport
from models.metrics.reports import historical_report

__all__ = [
    "AgentTally",
    "CallFact",
    "Interval",
    "LiveMetrics",
    "MetricsReport",
    "MetricsRules",
    "Outcome",
    "Tally",
    "fact_of",
    "historical_report",
    "rules_of",
]

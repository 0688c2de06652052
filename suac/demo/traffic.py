"""The demonstration's callers, on both fronts: an opening that shows every kind of call within
the first half minute (requests registered in the IVR, callers answered by agents on Asterisk
and on Twilio, callers who give up waiting), then a steady stream of random calls.

    traffic = Traffic(asterisk=simulator, twilio=stand_in, rng=random.Random())
    await traffic.run()   # until cancelled
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from ivr.asterisk.simulator import AsteriskSimulator, SimulatedCaller
from suac.demo.staff import Chores
from suac.demo.twilio_standin import TwilioCaller, TwilioStandIn

log = logging.getLogger(__name__)

# what callers say to the IVR to register a request (the classifier's first guess is right)
PROBLEMS = (
    "hay una fuga de agua en la calle",
    "no tengo agua en mi casa desde ayer",
    "hay un bache enorme en mi calle",
    "el agua sale con muy poca presión",
    "la lámpara de la esquina está apagada",
)
PLACES = ("calle Morelos frente al mercado", "avenida Juárez esquina con Hidalgo")


@dataclass
class Traffic:
    """Random callers on both fronts until cancelled; ``pace`` is the mean seconds between
    two arrivals after the opening."""

    asterisk: AsteriskSimulator
    twilio: TwilioStandIn
    rng: random.Random
    pace: float = 4.0
    chores: Chores = field(default_factory=Chores)
    counts: dict[str, int] = field(default_factory=dict)

    async def run(self) -> None:
        """The opening, then an arrival every ``pace`` seconds on average."""
        for caller in self._opening():
            self._start(caller)
        await asyncio.sleep(3.0)
        for caller in (self._asterisk(patience=8.0), self._twilio(patience=8.0)):
            self._start(caller)  # every simulated agent is busy by now: they give up
        while True:
            await asyncio.sleep(self.rng.expovariate(1 / self.pace))
            self._start(self._random())

    def _opening(self) -> list[Callable[[], Awaitable[str]]]:
        talk = 14.0
        return [
            self._registration(PROBLEMS[0]),
            *(self._asterisk(patience=60, talk=talk + n) for n in range(3)),
            *(self._twilio(patience=60, talk=talk + n) for n in range(3)),
        ]

    def _random(self) -> Callable[[], Awaitable[str]]:
        patience = self.rng.uniform(4, 12) if self.rng.random() < 0.25 else self.rng.uniform(30, 90)
        talk = self.rng.uniform(10, 25)
        callback = self.rng.random() < 0.4  # if the IVR offers a call-back on a long wait
        choice = self.rng.random()
        if choice < 0.2:
            return self._registration(self.rng.choice(PROBLEMS))
        if choice < 0.6:
            return self._asterisk(patience=patience, talk=talk, callback=callback)
        return self._twilio(patience=patience, talk=talk, callback=callback)

    def _start(self, caller: Callable[[], Awaitable[str]]) -> None:
        async def counted() -> None:
            try:
                outcome = await caller()
            except (httpx.HTTPError, OSError):
                log.warning("a simulated caller failed", exc_info=True)
                outcome = "falla"
            self.counts[outcome] = self.counts.get(outcome, 0) + 1

        self.chores.run(counted)

    def _digits(self, count: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(count))

    def _asterisk(
        self, *, patience: float, talk: float = 15.0, callback: bool = False
    ) -> Callable[[], Awaitable[str]]:
        caller = SimulatedCaller(
            number="55" + self._digits(8),
            keys=("0", "1" if callback else "2"),
            patience=patience,
            talk=talk,
            hangs_up_first=self.rng.random() < 0.7,
        )

        async def call() -> str:
            return (await self.asterisk.call(caller)).outcome

        return call

    def _twilio(
        self, *, patience: float, talk: float = 15.0, callback: bool = False
    ) -> Callable[[], Awaitable[str]]:
        caller = TwilioCaller(
            number="+5255" + self._digits(8),
            patience=patience,
            talk=talk,
            hangs_up_first=self.rng.random() < 0.7,
            accepts_callback=callback,
        )
        return lambda: self.twilio.incoming(caller)

    def _registration(self, problem: str) -> Callable[[], Awaitable[str]]:
        alcaldia = f"{self.rng.randint(1, 16):02d}"
        script = (
            ("press", "1"),
            ("say", problem),
            ("press", "1"),
            ("press", alcaldia),
            ("press", "1"),  # the alcaldía read back is right
            ("say", self.rng.choice(PLACES)),
        )
        caller = TwilioCaller(number="+5255" + self._digits(8), script=script, think=1.0)
        return lambda: self.twilio.incoming(caller)

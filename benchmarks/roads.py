"""Time to read the place out of a spoken reference at registration: the primary-road match
alone, and the whole reading with the street and colonia (``ivr.flow.place_reading``, whose
colonia search is the classifier's ``PlaceFinder``), over references built from every name and
alias of the shipped list, with the list as shipped and with one ten times longer (synthetic
aliases), after one untimed pass (number words are cached)::

    python benchmarks/roads.py [--passes 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from dataclasses import dataclass

from ivr.classifier.places import PlaceFinder
from ivr.classifier.roads import PrimaryRoads
from ivr.flow.place_reading import read_place
from ivr.flow.state import CallState
from models.primary_roads import PRIMARY_ROADS_FILE, read_roads

TEMPLATES = (
    "{} esquina con calle Roble, colonia Granjas México",
    "en {} a la altura del mercado",
    "calle {} número 12 frente a la escuela",
)


@dataclass
class Shelf:
    """The two look-ups ``read_place`` needs from the IVR's directory."""

    roads: PrimaryRoads
    places: PlaceFinder

    async def primary_roads(self) -> PrimaryRoads:
        return self.roads


async def measure(shelf: Shelf, references: list[str], passes: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"match": [], "reading": []}
    for warm in [True] + [False] * passes:
        for reference in references:
            state = CallState(call_id="B", transport="asterisk", reference=reference)
            start = time.perf_counter()
            shelf.roads.find(reference)
            matched = time.perf_counter()
            await read_place(shelf, state)  # type: ignore[arg-type]
            if not warm:
                times["match"].append((matched - start) * 1e6)
                times["reading"].append((time.perf_counter() - matched) * 1e6)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    shipped = [(road.name, road.aliases) for road in read_roads(PRIMARY_ROADS_FILE)]
    names = [phrase for name, aliases in shipped for phrase in (name, *aliases)]
    references = [template.format(name) for template in TEMPLATES for name in names]
    larger = shipped + [(f"Vía {i}", [f"Avenida Sintética {i}"]) for i in range(9 * len(shipped))]
    places = PlaceFinder.default()
    for label, roads in (("shipped", shipped), ("10x", larger)):
        shelf = Shelf(PrimaryRoads(roads), places)
        for part, times in asyncio.run(measure(shelf, references, args.passes)).items():
            times.sort()
            p99 = times[int(len(times) * 0.99)]
            print(
                f"{label:8} {len(roads):4} roads, {len(references)} references × {args.passes}, "
                f"{part:7}: median {statistics.median(times):.0f} µs, p99 {p99:.0f} µs"
            )


if __name__ == "__main__":
    main()

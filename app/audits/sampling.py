"""The audit draw 抽样 (DOMAIN §12): a seeded random sample of a population of households,
stratified by township.

What must always hold:
- The same population, size and seed give the same sample, whatever order the population
  was read in (each township's households are sorted by id, and each township draws from its
  own generator seeded by the round's seed and the township's id).
- A share takes, in each township, the share of its households rounded half up, at least one
  where it has any; a count is shared among townships in proportion to their households by
  largest remainder (ties to the lower township id), never more than a township has.
- The report gives households, persons and the share of the population's households drawn.

Pure: no Flask, no database.
"""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Candidate:
    household_id: int
    township_id: int
    persons: int


@dataclass(frozen=True)
class Report:
    households: int
    persons: int
    population_households: int

    @property
    def share_percent(self) -> Decimal:
        if not self.population_households:
            return Decimal("0.00")
        return (Decimal(self.households) * 100 / self.population_households).quantize(HUNDREDTH, ROUND_HALF_UP)


def _strata(population: list[Candidate]) -> dict[int, list[Candidate]]:
    strata: dict[int, list[Candidate]] = defaultdict(list)
    for candidate in sorted(population, key=lambda candidate: candidate.household_id):
        strata[candidate.township_id].append(candidate)
    return dict(sorted(strata.items()))


def sizes(strata: dict[int, int], *, share: Decimal | None = None, count: int | None = None) -> dict[int, int]:
    """How many to draw per township (township → its households), by share or by total count."""
    if (share is None) == (count is None):
        raise ValueError("give a share or a count")
    if share is not None:
        return {township: min(size, max(1, int((share * size).quantize(Decimal(1), ROUND_HALF_UP))))
                for township, size in strata.items() if size}
    total = sum(strata.values())
    count = min(count, total)
    if not total:
        return {}
    exact = {township: Decimal(count) * size / total for township, size in strata.items()}
    found = {township: int(value) for township, value in exact.items()}
    left = count - sum(found.values())
    for township in sorted(exact, key=lambda township: (-(exact[township] - found[township]), township))[:left]:
        found[township] += 1
    return {township: size for township, size in found.items() if size}


def draw(population: list[Candidate], seed: int, *, share: Decimal | None = None,
         count: int | None = None) -> list[Candidate]:
    """The sample, by township then household id."""
    strata = _strata(population)
    wanted = sizes({township: len(members) for township, members in strata.items()}, share=share, count=count)
    sample = []
    for township, members in strata.items():
        chosen = random.Random(f"{seed}:{township}").sample(members, wanted.get(township, 0))
        sample.extend(sorted(chosen, key=lambda candidate: candidate.household_id))
    return sample


def report(sample: list[Candidate], population: list[Candidate]) -> Report:
    return Report(len(sample), sum(candidate.persons for candidate in sample), len(population))

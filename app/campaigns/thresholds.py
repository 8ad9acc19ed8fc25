"""Which monitoring threshold (监测范围) applies to an area: the most specific one.

Pure module: no Flask, no database. A threshold is set for a year and an area; an area
without its own takes its nearest ancestor's (a village its township's, else the county's).
A threshold for another year never applies.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple


class ThresholdMatch(NamedTuple):
    area_id: int  # the area whose threshold applies (the area itself or an ancestor)
    amount_fen: int


def ancestry(area_id: int, parents: Mapping[int, int | None]) -> list[int]:
    """The area and its ancestors, most specific first, from a map of area → parent."""
    chain = []
    current: int | None = area_id
    while current is not None and current not in chain:  # a loop in the data must not hang
        chain.append(current)
        current = parents.get(current)
    return chain


def applicable_threshold(thresholds: Mapping[tuple[int, int], int], chain: Sequence[int],
                         year: int) -> ThresholdMatch | None:
    """``thresholds`` maps (year, area id) to fen; ``chain`` is the area's ancestry, most
    specific first. None when no area of the chain has a threshold for the year."""
    for area_id in chain:
        amount = thresholds.get((year, area_id))
        if amount is not None:
            return ThresholdMatch(area_id, amount)
    return None

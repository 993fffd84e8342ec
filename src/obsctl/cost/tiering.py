"""Intelligent-Tiering: which access tier an object is in, from how often the app reads it.

S3 moves an Intelligent-Tiering object to its infrequent tier once it has not been accessed
for 30 consecutive days, to Archive Instant after 90, and back to the frequent tier on the next
access [AWS-IT]. The clock is the time since the last access (or since the object entered the
class), not the object's age.

The model reads objects at a rate that depends on their age: `AccessRate` is a step function
(GETs per object per day until a given age, as the stream's reads and polls spread over the
objects; none after the last step). Treating accesses as independent events, an object of age
`a` that entered the class at age `s` is in a tier of threshold D when `a - s >= D` and no
access fell in (a - D, a]: probability exp(-Lambda(a - D, a)), Lambda being the expected number
of accesses in that span. Several range GETs of one query count as several accesses, so the
time in the cheaper tiers is a lower bound (the cost an upper bound).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class AccessRate:
    """GETs per object per day: `steps` is ((until_age_days, rate), ...) in rising age order;
    an age past the last step sees no access."""

    steps: tuple[tuple[float, float], ...] = ()

    def expected(self, start: float, end: float) -> float:
        """Expected accesses of one object between ages `start` and `end`."""
        total, floor = 0.0, 0.0
        for until, rate in self.steps:
            low, high = max(start, floor), min(end, until)
            if high > low:
                total += rate * (high - low)
            floor = until
        return total

    def breakpoints(self) -> tuple[float, ...]:
        return tuple(until for until, _ in self.steps)


def unaccessed_days(lo: float, hi: float, threshold: float, access: AccessRate) -> float:
    """The expected days, for ages in [lo, hi], on which the object has seen no access for
    `threshold` days: the integral of exp(-Lambda(a - threshold, a)) over a in [lo, hi]."""
    if hi <= lo:
        return 0.0
    # Lambda(a - threshold, a) is linear in `a` between the steps' ends and those ends plus the
    # threshold: integrate exp(-linear) exactly on each piece.
    cuts = {lo, hi}
    for point in access.breakpoints():
        cuts.update(cut for cut in (point, point + threshold) if lo < cut < hi)
    ordered = sorted(cuts)
    total = 0.0
    for left, right in itertools.pairwise(ordered):
        first = access.expected(left - threshold, left)
        last = access.expected(right - threshold, right)
        width = right - left
        if abs(last - first) < 1e-12:
            total += width * math.exp(-first)
        else:
            total += width * (math.exp(-first) - math.exp(-last)) / (last - first)
    return total


def tier_days(
    start: float,
    end: float,
    access: AccessRate,
    infrequent_after: float,
    archive_instant_after: float,
) -> tuple[float, float, float]:
    """(frequent, infrequent, archive instant) days of an object in Intelligent-Tiering from
    age `start` (when it entered the class) to age `end`."""
    below_infrequent = unaccessed_days(start + infrequent_after, end, infrequent_after, access)
    archive = unaccessed_days(start + archive_instant_after, end, archive_instant_after, access)
    infrequent = below_infrequent - archive
    frequent = (end - start) - below_infrequent
    return frequent, infrequent, archive

"""The demo's day so far: the queue figures a call center has counted by the time the demo
starts (calls arrive from 7:00 local, busiest 9:00–17:00, none after 20:00), drawn per
minute and queue from the demo's own generator, so the same seed gives the same figures.

Tallies are drawn directly (counts by normal approximation, sums from the means): a
5,000-call demo starts as fast as a 24-call one.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from wallboard.core.daily import day_window, minute_of
from wallboard.core.metrics import MetricsSettings
from wallboard.core.queues import MetricsSeed, Queue
from wallboard.core.tally import _Tally

INCOMING_SHARE = 0.65
SHORT_SHARE = 0.05
ABANDON_SHARE = 0.08
MEAN_WAIT = 14.0
MEAN_HANDLE = 170.0
MEAN_WRAPUP = 14.0


def busy_share(local_hour: float) -> float:
    """How busy the call center is at this local hour (1: the busiest)."""
    if local_hour < 7 or local_hour >= 20:
        return 0.0
    if 9 <= local_hour < 17:
        return 1.0
    return 0.5


def _count(rng: random.Random, n: int, p: float) -> int:
    """A binomial draw, by its normal approximation (exact enough for a demo)."""
    if n <= 0 or p <= 0:
        return 0
    k = round(n * p + math.sqrt(n * p * (1 - p)) * rng.gauss(0, 1))
    return max(0, min(n, k))


def _arrivals(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean < 30:  # Knuth's Poisson draw
        limit, k, product = math.exp(-mean), 0, rng.random()
        while product > limit:
            k += 1
            product *= rng.random()
        return k
    return max(0, round(mean + math.sqrt(mean) * rng.gauss(0, 1)))


def day_so_far(settings: MetricsSettings, now: datetime, queues: dict[str, Queue],
               weights: dict[str, float], arrival_rate: float, seed: int | None
               ) -> MetricsSeed:
    """The figures from the day's reset up to ``now`` (``arrival_rate``: calls a second
    at the busiest; ``weights``: each queue's share of the incoming calls)."""
    rng = random.Random(None if seed is None else seed * 7_919 + 3)
    start, end = day_window(now, settings.reset_at, settings.zone)
    total_weight = sum(weights.values()) or 1.0
    per_minute = arrival_rate * 60 * INCOMING_SHARE
    recent_from = minute_of(now) - settings.window_minutes
    day = {q: _Tally() for q in queues}
    minutes: dict[int, dict[str, _Tally]] = {}
    quality = {q: 0.62 + 0.3 * rng.random() for q in queues}
    """Each queue's share answered within its threshold: some queues do better."""
    moment = start
    while moment < now:
        local = moment.astimezone(settings.zone)
        share = busy_share(local.hour + local.minute / 60)
        minute = minute_of(moment)
        if share:
            for queue_id in queues:
                n = _arrivals(rng, per_minute * share * weights.get(queue_id, 0) / total_weight)
                if not n:
                    continue
                tally = _draw(rng, n, quality[queue_id])
                day[queue_id].add(tally)
                if minute > recent_from:
                    minutes.setdefault(minute, {})[queue_id] = tally
        moment += timedelta(minutes=1)
    return MetricsSeed(day_start=start, next_reset=end,
                       day={q: t.frozen() for q, t in day.items()},
                       minutes={m: {q: t.frozen() for q, t in per.items()}
                                for m, per in minutes.items()})


def _draw(rng: random.Random, n: int, quality: float) -> _Tally:
    tally = _Tally()
    short = _count(rng, n, SHORT_SHARE)
    abandoned = _count(rng, n - short, ABANDON_SHARE)
    answered = n - short - abandoned
    tally.offered = n
    tally.short = short
    tally.abandoned = abandoned
    tally.answered = answered
    tally.answered_within = _count(rng, answered, quality)
    tally.abandoned_within = short + _count(rng, abandoned, 0.3)
    tally.wait = answered * MEAN_WAIT * (1.6 - quality) * rng.uniform(0.8, 1.2)
    tally.handled = answered
    tally.handle = answered * MEAN_HANDLE * rng.uniform(0.85, 1.15)
    tally.wrapups = answered
    tally.wrapup = answered * MEAN_WRAPUP * rng.uniform(0.8, 1.2)
    return tally

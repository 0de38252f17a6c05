"""The one backoff every source uses between attempts to reach its upstream."""

from __future__ import annotations

import math
import random


class Backoff:
    """Exponential backoff with jitter: attempt n waits base * 2**n (capped), times 0.5-1."""

    def __init__(self, base: float = 0.5, cap: float = 30.0, rng: random.Random | None = None):
        self.base = base
        self.cap = cap
        self.attempt = 0
        self._rng = rng or random.Random()

    def next_delay(self) -> float:
        raw = min(self.cap, self.base * 2 ** min(self.attempt, 30))
        self.attempt += 1
        return raw * self._rng.uniform(0.5, 1.0)

    def reset(self) -> None:
        self.attempt = 0

    def wait_text(self, delay: float) -> str:
        """``Retrying in 3 s``: whole seconds, never 0."""
        return f"Retrying in {max(1, math.ceil(delay))} s."

"""What the demo draws at random for a call: ring and talk times, client numbers; run ids."""

from __future__ import annotations

import math
import random
import secrets
import string
from dataclasses import dataclass


def new_run_id() -> str:
    """Six random letters and digits naming one run of the demo (not drawn from the seed)."""
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(6))


@dataclass
class CallShapes:
    """Random ring and talk times around the means, and client numbers, from one generator."""

    rng: random.Random
    mean_ring: float
    mean_talk: float
    talk_sigma: float = 0.8

    def ring_seconds(self) -> float:
        return min(90.0, self.rng.lognormvariate(math.log(self.mean_ring * 0.8), 0.6))

    def _talk_mu(self) -> float:
        """mu of the lognormal talk time whose mean is ``mean_talk``."""
        return math.log(self.mean_talk) - self.talk_sigma * self.talk_sigma / 2

    def talk_seconds(self) -> float:
        talk = self.rng.lognormvariate(self._talk_mu(), self.talk_sigma)
        return min(self.mean_talk * 8, max(4.0, talk))

    def length_biased_talk(self) -> float:
        """A talk time drawn in proportion to its length: how long a call seen live lasts.

        The length-biased form of a lognormal(mu, sigma) is lognormal(mu + sigma², sigma).
        """
        sigma = self.talk_sigma
        talk = self.rng.lognormvariate(self._talk_mu() + sigma * sigma, sigma)
        return min(self.mean_talk * 8, max(4.0, talk))

    def client_number(self) -> str:
        rng = self.rng
        prefix = rng.choice(("+48 5", "+48 6", "+48 7", "+48 8", "+49 15", "+380 6"))
        digits = f"{rng.randrange(10**8):08d}"
        return f"{prefix}{digits[:2]} {digits[2:5]} {digits[5:]}"

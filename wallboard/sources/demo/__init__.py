"""The built-in demo call center: a seeded, clock-driven simulation (the default source).

:class:`DemoCallCenter` (center.py) is the pure simulation; :class:`DemoSource` (source.py)
wraps it as a live Source; history.py draws managers' past days, listen.py simulates a
supervisor joining a call.
"""

from wallboard.sources.demo.center import DemoCallCenter
from wallboard.sources.demo.source import DemoSource

__all__ = ["DemoCallCenter", "DemoSource"]

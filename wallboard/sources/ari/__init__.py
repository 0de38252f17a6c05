"""The Asterisk ARI source: live calls, endpoint and device states, snoop-based listening."""

from wallboard.sources.ari.client import AriClient

__all__ = ["AriClient"]

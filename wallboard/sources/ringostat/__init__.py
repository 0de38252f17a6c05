"""The Ringostat source: staff and statuses polled, live calls from webhooks, history from
the call log and the daily status report."""

from wallboard.sources.ringostat.client import RingostatClient

__all__ = ["RingostatClient"]

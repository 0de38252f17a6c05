"""The Asterisk AMI source: calls, device states, queues, members and pauses."""

from wallboard.sources.ami.client import AmiClient

__all__ = ["AmiClient"]

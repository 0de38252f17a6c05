"""Small network facts shared by the servers (``serve``, ``web``)."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """True for localhost (and ``*.localhost``, RFC 6761), 127.0.0.0/8 and ::1 (bracketed
    or not); any other name or address is not."""
    name = host.strip().lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False

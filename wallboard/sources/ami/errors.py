"""What went wrong with the AMI connection, in one sentence naming what to fix.

The secret never appears: sentences are built from the host, the user name, the
action and the error's type, never from what we sent.
"""

from __future__ import annotations

import socket
import ssl

from wallboard.sources.ami.connection import AmiClosed
from wallboard.sources.ami.protocol import AmiProtocolError

REQUIRED_ACTIONS = {
    "CoreShowChannels": "reporting",
    "QueueStatus": "",
}
"""Actions every wallboard needs, with the write class that allows them (main/manager.c and
apps/app_queue.c register them; '' = any user). ``write = reporting`` lets a user run the
read-only status actions, nothing that changes a call."""

OPTIONAL_ACTIONS = {
    "DeviceStateList": "reporting",
    "ExtensionStateList": "reporting",
    "CoreStatus": "reporting",
    "DBGet": "reporting",
    "QueueSummary": "",
    "QueuePause": "agent",
    "Originate": "originate",
    "Hangup": "call",
    "PlayDTMF": "call",
}

READ_CLASSES = ("call", "agent")
"""Event classes the wallboard must receive: channels, bridges, dials, holds and device
states are ``call``; queues, members and agents are ``agent``."""


class AmiGiveUp(Exception):
    """A person must act (credentials, permissions): retrying will not help."""


class AmiDropped(Exception):
    """The link went away or went silent: reconnect."""


def where(host: str, port: int) -> str:
    return f"Asterisk's manager at {host}:{port}"


def auth_failed(username: str) -> str:
    return (
        f"Asterisk refused the AMI user {username!r} or its secret; check [source] username "
        "and secret (or $WALLBOARD_AMI_SECRET) against manager.conf."
    )


def login_in_use(username: str) -> str:
    return (
        f"The AMI user {username!r} is already logged in elsewhere and manager.conf allows "
        "one login (allowmultiplelogin = no); give this wallboard its own user."
    )


def missing_write(username: str, action: str, klass: str) -> str:
    if not klass:
        return f"Asterisk has no {action} action: is app_queue loaded (module load app_queue.so)?"
    return (
        f"The AMI user {username!r} may not run {action}: add {klass} to its write = line "
        "in manager.conf."
    )


def missing_read(username: str, klass: str, seen: str) -> str:
    return (
        f"The AMI user {username!r} receives no {klass} events although {seen} changed: add "
        f"{klass} to its read = line in manager.conf (and check its eventfilter lines)."
    )


def unreachable(exc: BaseException, host: str, port: int) -> str:
    """One sentence for a failed or broken connection."""
    target = where(host, port)
    if isinstance(exc, AmiProtocolError):
        return f"{host}:{port} is not an Asterisk manager port (no 'Asterisk Call Manager' " \
            "greeting); check [source] port (5038, or 5039 with tls)."
    if isinstance(exc, AmiClosed):
        return f"{target} closed the connection."
    if isinstance(exc, TimeoutError):
        return f"{target} did not answer in time."
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"{target} has a TLS certificate that was not accepted; see verify_tls."
    if isinstance(exc, ssl.SSLError):
        return f"The TLS handshake with {target} failed; is tls = true right for that port?"
    if isinstance(exc, ConnectionRefusedError):
        return (
            f"Cannot reach {target}: connection refused. Is AMI enabled in manager.conf "
            "(enabled = yes) and the port right?"
        )
    if isinstance(exc, socket.gaierror):
        return f"Cannot reach {target}: the host name is unknown."
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return f"The connection to {target} broke."
    if isinstance(exc, OSError):
        return f"Cannot reach {target}: {(exc.strerror or 'a network error').lower()}."
    return f"Talking to {target} failed ({type(exc).__name__})."

"""Every failure of the service as one sentence and a kind, mapped in one place.

The board shows the sentence; ``wallboard serve`` answers the kind's HTTP status with it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from enum import StrEnum
from typing import TypeVar

from wallboard.core.listen import Refusal, RefusalCode
from wallboard.core.text import N_, Sentence
from wallboard.sources.base import NotSupported, SourceError

log = logging.getLogger(__name__)

T = TypeVar("T")


class Problem(StrEnum):
    BAD_REQUEST = "bad_request"
    """The question itself is wrong (a date out of range, a span too long)."""
    FORBIDDEN = "forbidden"
    """A rule or a role says no."""
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    """Not now: the state says no (a session already running, a call still ringing)."""
    GONE = "gone"
    """It existed and ended (a listen session)."""
    UNSUPPORTED = "unsupported"
    """The source cannot do this at all."""
    UPSTREAM = "upstream"
    """The PBX or the upstream feed failed."""
    UNAVAILABLE = "unavailable"
    """Not ready yet, try again soon."""
    INTERNAL = "internal"
    """A bug of ours (never the PBX's): logged by type, said without details."""

    @property
    def http_status(self) -> int:
        return _HTTP[self]


_HTTP = {
    Problem.BAD_REQUEST: 400,
    Problem.FORBIDDEN: 403,
    Problem.NOT_FOUND: 404,
    Problem.CONFLICT: 409,
    Problem.GONE: 410,
    Problem.UNSUPPORTED: 501,
    Problem.UPSTREAM: 502,
    Problem.UNAVAILABLE: 503,
    Problem.INTERNAL: 500,
}

_REFUSALS = {
    RefusalCode.OFF: Problem.FORBIDDEN,
    RefusalCode.BUSY: Problem.CONFLICT,
    RefusalCode.NO_CALL: Problem.NOT_FOUND,
    RefusalCode.NOT_IN_CONVERSATION: Problem.CONFLICT,
    RefusalCode.NO_MANAGER: Problem.CONFLICT,
    RefusalCode.NO_SUPERVISOR: Problem.FORBIDDEN,
    RefusalCode.OTHER_PROJECT: Problem.FORBIDDEN,
    RefusalCode.OWN_CALL: Problem.FORBIDDEN,
    RefusalCode.MODE_UNAVAILABLE: Problem.FORBIDDEN,
}


class ServiceError(Exception):
    """What went wrong, in one sentence, and what kind of problem it is.

    ``message`` is English (the feed's JSON, logs, the audit trail); when it is a
    :class:`~wallboard.core.text.Sentence` the board shows it translated."""

    def __init__(self, message: str, problem: Problem = Problem.UPSTREAM) -> None:
        super().__init__(message)
        self.message = message
        self.problem = problem

    @classmethod
    def refused(cls, refusal: Refusal) -> ServiceError:
        return cls(refusal.message, _REFUSALS[refusal.code])


async def mapped(action: Awaitable[T], what: str) -> T:
    """Await a source call; any failure becomes a ServiceError with one sentence.

    ``what`` completes "… failed unexpectedly", e.g. "Reading the history" (marked with
    ``N_`` where it is written).
    """
    try:
        return await action
    except ServiceError:
        raise
    except NotSupported as exc:
        raise ServiceError(str(exc) or Sentence(N_("{what} is not supported here."),
                                                what=Sentence(what)),
                           Problem.UNSUPPORTED) from None
    except SourceError as exc:
        raise ServiceError(str(exc) or Sentence(N_("{what} failed."), what=Sentence(what)),
                           Problem.UPSTREAM) from None
    except Exception as exc:  # a backend bug must not take the board or the server down
        log.error("%s failed: %s", what, type(exc).__name__)
        raise ServiceError(Sentence(N_("{what} failed unexpectedly ({error})."),
                                    what=Sentence(what), error=type(exc).__name__),
                           Problem.INTERNAL) from None

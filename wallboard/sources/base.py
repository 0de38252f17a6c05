"""The one small interface every backend implements.

A source is an async producer of :mod:`wallboard.core.events`. It never imports the UI;
the app (or ``wallboard serve``) consumes ``events()`` and applies the batches to a
:class:`~wallboard.core.state.LiveState`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from datetime import datetime
from typing import TYPE_CHECKING

from wallboard.core.events import Event
from wallboard.core.history import CallRecord, ManagerHistory
from wallboard.core.listen import ListenMode, SupervisorAccount

if TYPE_CHECKING:  # Starlette is imported only by the sources that serve routes
    from starlette.routing import BaseRoute


class SourceError(Exception):
    """A problem a person must fix or wait out, said in one clear sentence."""


class NotSupported(SourceError):
    """The backend cannot do this (e.g. no history, no listening)."""


class Source(ABC):
    """A call-center backend."""

    title: str = "source"
    """Shown in the top bar, e.g. 'Demo call center' or 'feed 10.0.0.5:8765'."""

    listen_modes: frozenset[ListenMode] = frozenset()
    """The listen modes this backend can start (empty: listening unsupported)."""

    can_pause: bool = False
    """Whether a supervisor can pause and unpause agents through this backend."""

    default_supervisor: SupervisorAccount | None = None
    """A supervisor account the backend brings along (the demo's), used when the config
    names none."""

    @abstractmethod
    def events(self) -> AsyncIterator[list[Event]]:
        """Batches of events, forever. The first batch holds a Snapshot.

        A source that loses its upstream reports it with ConnectionChanged events,
        reconnects by itself, and sends a fresh Snapshot once it is back.
        """

    async def aclose(self) -> None:  # noqa: B027 - a source with nothing to release
        """Release connections; ``events()`` ends."""

    def http_routes(self) -> list[BaseRoute]:
        """Starlette routes ``wallboard serve`` adds to its app for this source, e.g. a
        webhook receiver; they check their own credentials. None by default."""
        return []

    # -- manager profile (SPEC 4) ----------------------------------------------------
    async def manager_history(
        self, employee_id: str, start: datetime, end: datetime
    ) -> ManagerHistory:
        raise NotSupported(f"{self.title} keeps no history of managers")

    async def call_log(self, employee_id: str, start: datetime, end: datetime) -> list[CallRecord]:
        history = await self.manager_history(employee_id, start, end)
        return list(history.calls)

    # -- listen / coach / barge (SPEC 6) ---------------------------------------------
    async def start_listen(self, call_id: str, supervisor: str, mode: ListenMode) -> str:
        """Start joining a call; returns the session id. Progress comes as ListenChanged."""
        raise NotSupported(f"{self.title} cannot join calls")

    async def change_listen(
        self, session_id: str, *, mode: ListenMode | None = None, muted: bool | None = None
    ) -> None:
        raise NotSupported(f"{self.title} cannot join calls")

    async def stop_listen(self, session_id: str) -> None:
        raise NotSupported(f"{self.title} cannot join calls")

    # -- agents (issue 14) -------------------------------------------------------------
    async def pause(self, employee_id: str, paused: bool, reason: str = "") -> None:
        """Pause (with a reason) or unpause a manager as a queue agent; the new state
        comes as an AgentChanged event."""
        raise NotSupported(f"{self.title} cannot pause agents")

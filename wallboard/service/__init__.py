"""The session service under the board and ``wallboard serve`` (see service.py)."""

from wallboard.service.agents import AgentDesk
from wallboard.service.errors import Problem, ServiceError
from wallboard.service.listen import Actor, ListenDesk, ListenPolicy
from wallboard.service.service import WallboardService

__all__ = ["Actor", "AgentDesk", "ListenDesk", "ListenPolicy", "Problem", "ServiceError",
           "WallboardService"]

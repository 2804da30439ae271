"""What every route of the one app runs on: the components, the Student, the campaign jobs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from fastapi import Request
from sqlalchemy import Engine

from selflearn.maas import MemoryService

if TYPE_CHECKING:
    from selflearn.bootstrap import Components
    from selflearn.web._jobs import CampaignJobs

__all__ = ["WebState", "web_state"]


@dataclass
class WebState:
    """The app's dependencies; `stopping` is set when the server begins to shut down."""

    components: Components
    student: MemoryService
    jobs: CampaignJobs
    stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def engine(self) -> Engine:
        """Return the database engine."""
        return self.components.database.engine

    @property
    def clock(self) -> Callable[[], datetime]:
        """Return the clock of the owner's actions (the wall clock in production)."""
        return self.components.clock


def web_state(request: Request) -> WebState:
    """Return the app's state (a FastAPI dependency)."""
    state: WebState = request.app.state.web
    return state

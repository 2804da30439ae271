"""Which offline behaviour each role has: given by the role's owner, passed to its model."""

from __future__ import annotations

from selflearn.agents.manager import read_intent
from selflearn.agents.teacher import offline_judge, offline_teacher
from selflearn.maas import offline_responder
from selflearn.providers import OfflineHandler


def offline_handlers() -> dict[str, OfflineHandler]:
    """Return the offline handler of every role that has one (the emulator paraphrases by
    template offline and calls no model)."""
    return {
        "manager": read_intent,
        "teacher": offline_teacher,
        "judge": offline_judge,
        "responder": offline_responder,
    }

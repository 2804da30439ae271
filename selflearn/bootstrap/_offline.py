"""Which offline behaviour each role has: given by the role's owner, passed to its model."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from selflearn.providers import OfflineHandler


def _manager() -> OfflineHandler:
    from selflearn.agents.manager import read_intent

    return read_intent


def _teacher() -> OfflineHandler:
    from selflearn.agents.teacher import offline_teacher

    return offline_teacher


def _judge() -> OfflineHandler:
    from selflearn.agents.teacher import offline_judge

    return offline_judge


def _responder() -> OfflineHandler:
    from selflearn.maas import offline_responder

    return offline_responder


# The emulator paraphrases by template offline and calls no model.
_OWNERS: dict[str, Callable[[], OfflineHandler]] = {
    "manager": _manager,
    "teacher": _teacher,
    "judge": _judge,
    "responder": _responder,
}


class OfflineHandlers(Mapping[str, OfflineHandler]):
    """Each role's offline handler, imported from its owner when a model first needs it.

    Lazy because the roles are heavy to import and most commands build no role's model.
    """

    def __getitem__(self, role: str) -> OfflineHandler:
        return _OWNERS[role]()

    def __iter__(self) -> Iterator[str]:
        return iter(_OWNERS)

    def __len__(self) -> int:
        return len(_OWNERS)


def offline_handlers() -> OfflineHandlers:
    """Return the offline handler of every role that has one."""
    return OfflineHandlers()

"""Errors of scenario and LoCoMo files, and the rule issues that lead to them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike

from selflearn.errors import InvalidInputError

DEFAULT_HINT = "Fix the value at that place in the file; scenarios/README.md describes the format."


@dataclass(frozen=True)
class ScenarioIssue:
    """One problem found in a file: where (dotted path, line) and what is wrong."""

    path: str
    problem: str
    line: int | None = None
    hint: str = ""

    def describe(self) -> str:
        """Return `line N: path: problem` (the parts that are known)."""
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.path or '<root>'}: {self.problem}"


class ScenarioError(InvalidInputError):
    """A scenario (or LoCoMo) file is unreadable, malformed or inconsistent.

    The message reads `file:line: path: problem`, like a compiler's, so an editor can jump to
    it. `issues` holds every problem found (the first one is the one in the message).
    """

    code = "invalid_scenario"
    default_hint = DEFAULT_HINT

    def __init__(
        self,
        problem: str,
        *,
        file: str | PathLike[str] | None = None,
        line: int | None = None,
        path: str = "",
        hint: str | None = None,
        issues: tuple[ScenarioIssue, ...] = (),
    ) -> None:
        self.file = str(file) if file is not None else None
        self.line = line
        self.path = path
        self.problem = problem
        self.issues = issues or (ScenarioIssue(path=path, problem=problem, line=line),)
        super().__init__(self._compose(), hint=hint or None)

    def _compose(self) -> str:
        where = self.file or "<scenario>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        text = f"{where}: {self.path}: {self.problem}" if self.path else f"{where}: {self.problem}"
        more = len(self.issues) - 1
        if more > 0:
            text += f" (and {more} more problem{'s' if more > 1 else ''})"
        return text

    def to_dict(self) -> dict[str, str]:
        data = super().to_dict()
        data.update(file=self.file or "", line=str(self.line or ""), path=self.path)
        return data


Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class RuleIssue:
    """A broken rule: where (pydantic-style location), what, and what to do."""

    loc: Loc
    problem: str
    hint: str = ""


class SemanticError(ValueError):
    """Raised inside model validation; carries every broken rule with its location.

    A ValueError because pydantic turns only those into validation errors; the loader
    unwraps it into a `ScenarioError` with file and line.
    """

    def __init__(self, issues: Sequence[RuleIssue]) -> None:
        self.issues = list(issues)
        first = self.issues[0]
        where = ".".join(str(part) for part in first.loc)
        more = f" (and {len(self.issues) - 1} more)" if len(self.issues) > 1 else ""
        super().__init__(f"{where}: {first.problem}{more}")

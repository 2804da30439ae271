"""Read scenario YAML files into validated `Scenario` objects with precise error places."""

from __future__ import annotations

from collections.abc import Iterable
from os import PathLike
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from selflearn.simulator._errors import ScenarioError, ScenarioIssue, SemanticError
from selflearn.simulator._scenario import Scenario
from selflearn.simulator._yaml_nodes import duplicate_keys, line_of, parse_yaml

SCENARIO_SUFFIXES = (".yaml", ".yml")

_HINTS = {
    "missing": "Add the field; scenarios/README.md lists what each part needs.",
    "extra_forbidden": "Check the spelling; scenarios/README.md lists the allowed fields.",
    "timezone_aware": "Write the UTC offset, e.g. 2024-03-01T09:00:00+01:00 or ...Z.",
    "datetime_type": "Write a date and time with an offset, e.g. 2024-03-01T09:00:00+01:00.",
}


def _dotted(loc: Iterable[str | int]) -> str:
    return ".".join(str(part) for part in loc)


def _problem(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "missing"
    if kind == "extra_forbidden":
        return "unknown field"
    message = str(error["msg"])
    return message[0].lower() + message[1:] if message else kind


def _issues(exc: ValidationError, root: yaml.Node | None) -> list[ScenarioIssue]:
    issues: list[ScenarioIssue] = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, SemanticError):
            for rule in cause.issues:
                full = (*loc, *rule.loc)
                issues.append(
                    ScenarioIssue(_dotted(full), rule.problem, line_of(root, full), rule.hint)
                )
            continue
        hint = _HINTS.get(error["type"], "")
        issues.append(ScenarioIssue(_dotted(loc), _problem(error), line_of(root, loc), hint))
    return issues


def _error(file: str, issues: list[ScenarioIssue]) -> ScenarioError:
    first = issues[0]
    return ScenarioError(
        first.problem,
        file=file,
        line=first.line,
        path=first.path,
        hint=first.hint or None,
        issues=tuple(issues),
    )


def parse_scenario(text: str, *, file: str | PathLike[str] = "<string>") -> Scenario:
    """Validate scenario YAML text; `file` only names the source in errors."""
    name = str(file)
    try:
        data, root = parse_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        raise ScenarioError(
            f"YAML syntax: {problem or exc}",
            file=name,
            line=line,
            hint="Fix the YAML syntax (indentation, quotes, colons) at that line.",
        ) from exc
    except yaml.YAMLError as exc:
        raise ScenarioError(f"YAML syntax: {exc}", file=name) from exc
    for loc, line in duplicate_keys(root):
        raise ScenarioError(
            f"duplicate key '{loc[-1]}' (YAML would silently keep only the last one)",
            file=name,
            line=line,
            path=_dotted(loc),
        )
    if not isinstance(data, dict):
        found = "nothing" if data is None else type(data).__name__
        raise ScenarioError(
            f"a scenario file holds one mapping (id, persona, sessions, ...), found {found}",
            file=name,
            line=1,
        )
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        # The pydantic trace adds nothing: the issues carry every place and problem.
        raise _error(name, _issues(exc, root)) from None


def load_scenario(path: str | PathLike[str]) -> Scenario:
    """Read and validate one scenario file; every failure is a `ScenarioError`."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ScenarioError(
            f"cannot read the file: {exc.strerror or exc}", file=file, hint="Check the path."
        ) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"not UTF-8 text (bad byte at offset {exc.start})",
            file=file,
            hint="Save the file as UTF-8.",
        ) from exc
    return parse_scenario(text, file=file)


def scenario_files(paths_or_dirs: Iterable[str | PathLike[str]]) -> list[Path]:
    """Expand directories into their *.yaml / *.yml files (sorted), keep files as given."""
    files: list[Path] = []
    for entry in paths_or_dirs:
        path = Path(entry)
        if path.is_dir():
            files.extend(
                sorted(p for p in path.iterdir() if p.suffix in SCENARIO_SUFFIXES and p.is_file())
            )
        else:
            files.append(path)
    return files


def load_scenarios(paths_or_dirs: Iterable[str | PathLike[str]]) -> list[Scenario]:
    """Load every scenario of the given files and directories; scenario ids must be unique."""
    if isinstance(paths_or_dirs, str | PathLike):
        paths_or_dirs = [paths_or_dirs]
    loaded: list[Scenario] = []
    origin: dict[str, Path] = {}
    for file in scenario_files(paths_or_dirs):
        scenario = load_scenario(file)
        if scenario.id in origin:
            raise ScenarioError(
                f"scenario id '{scenario.id}' is also used by {origin[scenario.id]}",
                file=file,
                line=line_of(parse_yaml(file.read_text("utf-8"))[1], ("id",)),
                path="id",
                hint="Give every scenario its own id.",
            )
        origin[scenario.id] = file
        loaded.append(scenario)
    return loaded

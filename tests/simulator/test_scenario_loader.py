"""Scenario files: every failure is one ScenarioError with file, line, path and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from selflearn.errors import InvalidInputError
from selflearn.simulator import ScenarioError, load_scenario, load_scenarios

BASE = """\
id: tiny
title: Tiny scenario
persona:
  name: Ada
  style: neutral
project: Test project
goal: Test goal
sessions:
  - id: s1
    at: 2024-01-01T10:00:00+00:00
  - id: s2
    at: 2024-02-01T10:00:00+00:00
facts:
  - id: f-home
    session: s1
    text: I live in Lyon.
    value: Lyon
  - id: f-home2
    session: s2
    text: I moved to Ghent.
    value: Ghent
    supersedes: f-home
distractors:
  - id: d-sis
    session: s1
    text: My sister lives in Cork.
    about: sister
    value: Cork
probes:
  - id: p-where
    session: s2
    question: Where do I live?
    expects:
      - f-home2
    answer: Ghent
    forbidden: [Cork]
    kind: update
  - id: p-blood
    session: s2
    question: What is my blood type?
    unanswerable: true
"""


def write(tmp_path: Path, text: str, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, marker: str, nth: int = 1) -> int:
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if marker in line:
            seen += 1
            if seen == nth:
                return number
    raise AssertionError(f"marker {marker!r} not in text")


def edit(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


def test_base_file_is_valid(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, BASE))
    assert scenario.id == "tiny"


# (replace old, with new, expected path, problem fragment, line marker, marker occurrence)
CASES = [
    pytest.param(
        "      - f-home2\n",
        "      - f-nope\n",
        "probes.0.expects.0",
        "unknown fact id 'f-nope'",
        "- f-nope",
        1,
        id="unknown-expected-fact",
    ),
    pytest.param(
        "      - f-home2\n",
        "      - d-sis\n",
        "probes.0.expects.0",
        "'d-sis' is a distractor",
        "- d-sis",
        1,
        id="expects-a-distractor",
    ),
    pytest.param(
        "  - id: p-where\n    session: s2",
        "  - id: p-where\n    session: s1",
        "probes.0.expects.0",
        "revealed in session 's2', after this probe's session 's1'",
        "- f-home2",
        1,
        id="fact-revealed-after-probe",
    ),
    pytest.param(
        "  - id: d-sis",
        "  - id: f-home",
        "distractors.0.id",
        "duplicate id 'f-home' (already used by facts.0)",
        "- id: f-home",
        3,
        id="duplicate-id",
    ),
    pytest.param(
        "facts:\n",
        "  - id: s3\n    at: 2024-03-01T10:00:00+00:00\nfacts:\n",
        "sessions.2",
        "session 's3' is empty",
        "- id: s3",
        1,
        id="empty-session",
    ),
    pytest.param(
        "    unanswerable: true\n",
        "    unanswerable: true\n    expects: [f-home]\n",
        "probes.1.expects",
        "unanswerable probe cannot expect facts",
        "expects: [f-home]",
        1,
        id="unanswerable-expects-facts",
    ),
    pytest.param(
        "    value: Lyon\n  - id: f-home2\n    session: s2\n    text: I moved to Ghent.\n"
        "    value: Ghent\n    supersedes: f-home\n",
        "    value: Lyon\n    supersedes: f-home2\n  - id: f-home2\n    session: s2\n"
        "    text: I moved to Ghent.\n    value: Ghent\n",
        "facts.0.supersedes",
        "revealed later",
        "supersedes: f-home2",
        1,
        id="supersedes-forward-in-time",
    ),
    pytest.param(
        "    supersedes: f-home\n",
        "    supersedes: f-ghost\n",
        "facts.1.supersedes",
        "unknown fact id 'f-ghost'",
        "supersedes: f-ghost",
        1,
        id="supersedes-unknown",
    ),
    pytest.param(
        "    value: Lyon\n",
        "    value: Lisboa\n",
        "facts.0.value",
        "does not occur verbatim",
        "value: Lisboa",
        1,
        id="value-not-in-text",
    ),
    pytest.param(
        "    at: 2024-01-01T10:00:00+00:00",
        "    at: 2024-01-01T10:00:00",
        "sessions.0.at",
        "timezone",
        "at: 2024-01-01T10:00:00",
        1,
        id="naive-timestamp",
    ),
    pytest.param(
        "    at: 2024-02-01T10:00:00+00:00",
        "    at: 2023-12-01T10:00:00+00:00",
        "sessions.1.at",
        "not after session 's1'",
        "at: 2023-12-01",
        1,
        id="sessions-out-of-order",
    ),
    pytest.param(
        "    answer: Ghent\n",
        "    answr: Ghent\n",
        "probes.0.answr",
        "unknown field",
        "answr:",
        1,
        id="unknown-field",
    ),
    pytest.param(
        "    answer: Ghent\n",
        "",
        "probes.0.answer",
        "missing",
        "- id: p-where",
        1,
        id="answerable-without-answer",
    ),
    pytest.param(
        "  style: neutral\n",
        "  style: grumpy\n",
        "persona.style",
        "terse",
        "style: grumpy",
        1,
        id="unknown-style",
    ),
    pytest.param(
        "    forbidden: [Cork]\n",
        "    forbidden: [Ghent]\n",
        "probes.0.forbidden.0",
        "occurs in the expected answer",
        "forbidden: [Ghent]",
        1,
        id="forbidden-contains-answer",
    ),
    pytest.param(
        "      - f-home2\n    answer: Ghent\n    forbidden: [Cork]\n    kind: update\n",
        "      - f-home\n    answer: Lyon\n    forbidden: [Cork]\n    kind: single-hop\n",
        "probes.0.expects.0",
        "superseded by 'f-home2'",
        "      - f-home",
        1,
        id="expects-stale-fact",
    ),
    pytest.param(
        "    kind: update\n",
        "    kind: isolation\n",
        "probes.0.kind",
        "needs a scenario with several users",
        "kind: isolation",
        1,
        id="isolation-with-one-user",
    ),
    pytest.param(
        "    session: s2\n    question: What is my blood type?\n",
        "    session: s9\n    question: What is my blood type?\n",
        "probes.1.session",
        "unknown session 's9'",
        "session: s9",
        1,
        id="unknown-session",
    ),
    pytest.param(
        "title: Tiny scenario\n",
        "",
        "title",
        "missing",
        "id: tiny",
        1,
        id="missing-top-level-field",
    ),
    pytest.param(
        "goal: Test goal\n",
        "goal: Test goal\ngoal: Other goal\n",
        "goal",
        "duplicate key 'goal'",
        "goal: Other goal",
        1,
        id="duplicate-yaml-key",
    ),
]


@pytest.mark.parametrize(("old", "new", "path", "problem", "marker", "nth"), CASES)
def test_validation_error_names_file_line_and_path(
    tmp_path: Path, old: str, new: str, path: str, problem: str, marker: str, nth: int
) -> None:
    text = edit(old, new)
    file = write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(file)
    error = caught.value
    assert error.file == str(file)
    assert error.path == path
    assert problem in error.problem
    assert error.line == line_of(text, marker, nth)
    assert str(error).startswith(f"{file}:{error.line}: {path}: ")
    assert error.hint
    assert isinstance(error, InvalidInputError)
    assert error.code == "invalid_scenario"


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    text = BASE.replace("goal: Test goal\n", "goal: [unclosed\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path, text))
    assert "YAML syntax" in caught.value.problem
    assert caught.value.line is not None
    assert caught.value.line >= line_of(text, "goal: [unclosed")


def test_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="found list"):
        load_scenario(write(tmp_path, "- a\n- b\n"))
    with pytest.raises(ScenarioError, match="found nothing"):
        load_scenario(write(tmp_path, "", "empty.yaml"))


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes("title: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(ScenarioError, match="not UTF-8"):
        load_scenario(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "absent.yaml")


def test_all_problems_are_kept_on_the_error(tmp_path: Path) -> None:
    text = edit("      - f-home2\n", "      - f-nope\n").replace("value: Lyon", "value: Lx")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path, text))
    paths = {issue.path for issue in caught.value.issues}
    assert {"probes.0.expects.0", "facts.0.value"} <= paths
    assert "more problem" in str(caught.value)


def test_multi_user_item_without_user(tmp_path: Path) -> None:
    text = BASE.replace(
        "persona:\n  name: Ada\n  style: neutral\n",
        "users:\n  - id: a\n    persona: {name: A}\n  - id: b\n    persona: {name: B}\n",
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path, text))
    assert caught.value.path == "facts.0.user"
    assert caught.value.line == line_of(text, "- id: f-home")


def test_load_scenarios_reads_directories_and_rejects_duplicate_ids(tmp_path: Path) -> None:
    write(tmp_path, BASE, "a.yaml")
    write(tmp_path, BASE.replace("id: tiny", "id: other"), "b.yml")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    assert [s.id for s in load_scenarios([tmp_path])] == ["tiny", "other"]
    assert [s.id for s in load_scenarios(tmp_path)] == ["tiny", "other"]
    write(tmp_path, BASE, "c.yaml")
    with pytest.raises(ScenarioError, match="also used by") as caught:
        load_scenarios([tmp_path])
    assert caught.value.path == "id"
    assert caught.value.line == 1

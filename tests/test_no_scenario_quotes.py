"""No code path, prompt or test quotes a bundled scenario.

The bundled scenarios (`scenarios/*.yaml`) are what the system is tuned and judged on; a
test datum, docstring example or prompt copied from them would make a rule look general
while it was fitted to one sentence. This guard reads every string of every bundled
scenario, cuts it into word shingles of `SHINGLE` words, and fails naming the file, line,
phrase and scenario when a source file under `selflearn/`, `tests/` or `benchmarks/`
shares one.

Six words: short enough to catch a copied scenario sentence ("My dentist is Dr. ... ..."
is six words), long enough that common English ("what is the name of") does not trigger.
A handful of generic question phrasings that any memory assistant asks are allowed
(`GENERIC_PHRASINGS`): the question kind is fine to share, a scenario's facts, names,
numbers and sentences are not. A shingle is allowed only when it lies wholly inside one
of them.

Files that only load scenarios by path (`load_scenarios("scenarios")`) quote nothing and
pass on their own; only this file, which must spell out its allow-list, is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
SCANNED_ROOTS = ("selflearn", "tests", "benchmarks")
# Source, prompts, templates and test data; recorded benchmark results are outputs.
SCANNED_SUFFIXES = frozenset({".py", ".html", ".js", ".yaml", ".yml", ".md", ".json", ".txt"})
SKIPPED = frozenset({Path(__file__).resolve()})
SKIPPED_DIRS = frozenset({ROOT / "benchmarks" / "results"})
SHINGLE = 6

#: Generic question phrasings a bundled scenario happens to share with the generator's
#: vocabulary or a test; they name a kind of question, not any scenario's facts.
GENERIC_PHRASINGS: tuple[str, ...] = (
    "which city do i live in",
    "which company do i work for",
    "where did i live before i moved to",
    "what is the name of my",
)

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")


@dataclass(frozen=True)
class Quote:
    """One shingle a scanned file shares with a bundled scenario."""

    path: str
    line: int
    phrase: str
    scenario: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.phrase!r} (from scenarios/{self.scenario})"


def _words(text: str) -> list[tuple[str, int]]:
    """Return the lower-cased words of `text` with their character offsets."""
    lowered = text.lower().replace("’", "'")
    return [(m.group(0), m.start()) for m in _WORD.finditer(lowered)]


def shingles(text: str, size: int = SHINGLE) -> Iterator[tuple[str, int]]:
    """Yield every run of `size` consecutive words of `text` and the offset of its first."""
    found = _words(text)
    for i in range(len(found) - size + 1):
        yield " ".join(w for w, _ in found[i : i + size]), found[i][1]


def _strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _allowed() -> set[str]:
    allowed: set[str] = set()
    for phrase in GENERIC_PHRASINGS:
        allowed.update(s for s, _ in shingles(phrase))
    return allowed


def scenario_shingles(directory: Path = SCENARIOS) -> dict[str, str]:
    """Map every non-generic shingle of the bundled scenarios to the file it comes from."""
    allowed = _allowed()
    found: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        for text in _strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
            for shingle, _ in shingles(text):
                if shingle not in allowed:
                    found.setdefault(shingle, path.name)
    return found


def quotes_in(text: str, path: str, known: dict[str, str]) -> list[Quote]:
    """Return the shingles of `text` (the contents of `path`) that a scenario holds."""
    hits: dict[str, Quote] = {}
    for shingle, offset in shingles(text):
        if shingle in known and shingle not in hits:
            line = text.lower().replace("’", "'").count("\n", 0, offset) + 1
            hits[shingle] = Quote(path, line, shingle, known[shingle])
    return list(hits.values())


def _scanned_files() -> Iterator[Path]:
    for root in SCANNED_ROOTS:
        for path in sorted((ROOT / root).rglob("*")):
            if (
                path.is_file()
                and path.suffix in SCANNED_SUFFIXES
                and path.resolve() not in SKIPPED
                and not any(parent in SKIPPED_DIRS for parent in path.parents)
            ):
                yield path


@pytest.fixture(scope="module")
def known() -> dict[str, str]:
    found = scenario_shingles()
    assert found, f"no scenario text found under {SCENARIOS}"
    return found


def test_no_source_file_quotes_a_bundled_scenario(known):
    quotes = [
        quote
        for path in _scanned_files()
        for quote in quotes_in(
            path.read_text(encoding="utf-8", errors="ignore"),
            str(path.relative_to(ROOT)),
            known,
        )
    ]
    assert not quotes, (
        f"{len(quotes)} phrase(s) of {SHINGLE} words are copied from a bundled scenario; "
        "write fresh test data (other people, places, numbers, domains) instead:\n"
        + "\n".join(str(q) for q in quotes)
    )


def test_the_guard_finds_a_scenario_sentence_and_where_it_is(known):
    # Take a real scenario sentence so the check keeps working when the scenarios change.
    sentence = next(s for s in _strings(_first_scenario()) if len(_words(s)) >= 2 * SHINGLE)
    text = f'"""Module doc."""\n\nEXAMPLE = {sentence!r}\n'
    quotes = quotes_in(text, "example.py", known)
    assert quotes and {q.line for q in quotes} == {3}
    assert all(q.path == "example.py" and q.scenario.endswith(".yaml") for q in quotes)


def test_generic_question_phrasings_and_common_english_do_not_trigger(known):
    text = "\n".join([*GENERIC_PHRASINGS, "What is the name of the street where I live?"])
    assert quotes_in(text, "generic.py", known) == []


def _first_scenario() -> object:
    path = sorted(SCENARIOS.glob("*.yaml"))[0]
    return yaml.safe_load(path.read_text(encoding="utf-8"))

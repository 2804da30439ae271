"""The scenario generator: valid, varied, reproducible sets, written whole or not at all."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from selflearn.cli import app
from selflearn.errors import InvalidInputError
from selflearn.simulator import generate_scenario, load_scenarios, write_generated_set
from selflearn.simulator._generator import probe_kind_label
from selflearn.simulator._generator_vocab import DOMAINS

KINDS = {
    "single-hop", "multi-hop", "temporal", "update", "adversarial", "isolation", "injection",
    "unanswerable",
}  # fmt: skip


def test_same_seed_and_index_give_the_same_scenario_and_others_differ():
    assert generate_scenario(5, 3) == generate_scenario(5, 3)
    assert generate_scenario(5, 3)["facts"] != generate_scenario(5, 4)["facts"]
    assert generate_scenario(5, 3)["facts"] != generate_scenario(6, 3)["facts"]


def test_a_set_covers_every_probe_kind_style_and_domain():
    kinds: Counter[str] = Counter()
    styles: Counter[str] = Counter()
    domains: set[str] = set()
    for index in range(200):
        document = generate_scenario(11, index)
        kinds.update(probe_kind_label(p) for p in document["probes"])
        people = [u["persona"] for u in document.get("users", [])] or [document["persona"]]
        styles.update(p["style"] for p in people)
        domains.update(f["id"].rsplit("-", 1)[0] for f in document["facts"])
        assert all(f["value"] in f["text"] for f in document["facts"])
    assert set(kinds) == KINDS
    assert set(styles) == {"terse", "chatty", "neutral", "formal"}
    assert domains == {d.key for d in DOMAINS}


def test_facts_change_once_or_twice():
    lengths: Counter[int] = Counter()
    for index in range(200):
        facts = generate_scenario(2, index)["facts"]
        superseded = {f["supersedes"]: f["id"] for f in facts if "supersedes" in f}
        for fact in facts:
            if "supersedes" in fact:
                continue
            length, current = 0, fact["id"]
            while current in superseded:
                current, length = superseded[current], length + 1
            lengths[length] += 1
    assert lengths[0] and lengths[1] and lengths[2]


def test_domain_values_are_distinct_and_never_inside_one_another():
    for domain in DOMAINS:
        values = [v.lower() for v in domain.values]
        assert len(set(values)) == len(values), domain.key
        for a in values:
            assert not [b for b in values if b != a and a in b], (domain.key, a)


def test_written_sets_load_and_validate(tmp_path: Path):
    report = write_generated_set(25, 4, tmp_path / "set")
    assert len(report.files) == 25
    scenarios = load_scenarios([tmp_path / "set"])
    assert len({s.id for s in scenarios}) == 25
    assert all(s.split == "holdout" for s in scenarios)
    assert not list((tmp_path / "set").glob(".generating-*"))


@pytest.mark.parametrize(("count", "seed"), [(0, 1), (-3, 1), (3, -1)])
def test_bad_counts_and_seeds_write_nothing(tmp_path: Path, count: int, seed: int):
    with pytest.raises(InvalidInputError):
        write_generated_set(count, seed, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_an_unwritable_folder_is_a_clear_error(tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(InvalidInputError, match="cannot write"):
        write_generated_set(3, 1, blocker / "out")
    with pytest.raises(InvalidInputError, match="not a folder"):
        write_generated_set(3, 1, blocker)


def test_the_command_writes_files_that_validate(tmp_path: Path):
    runner = CliRunner()
    out = tmp_path / "gen"
    made = runner.invoke(app, ["scenarios", "generate", "--count", "6", "--seed", "9", "--out",
                               str(out), "--json"])  # fmt: skip
    assert made.exit_code == 0, made.output
    payload = json.loads(made.output)
    assert payload["written"] == 6 and sum(payload["styles"].values()) >= 6
    checked = runner.invoke(app, ["scenarios", "validate", str(out), "--json"])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.output)["valid"] is True
    refused = runner.invoke(app, ["scenarios", "generate", "--count", "0", "--seed", "9",
                                  "--out", str(tmp_path / "none")])  # fmt: skip
    assert isinstance(refused.exception, InvalidInputError)  # `main` prints it, exits 2
    assert not (tmp_path / "none").exists()

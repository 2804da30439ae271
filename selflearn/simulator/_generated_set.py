"""Write a generated scenario set to a folder, whole or not at all, with its coverage."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from selflearn.errors import InvalidInputError
from selflearn.simulator._generator import generate_scenario, probe_kind_label
from selflearn.simulator._scenario import Split

__all__ = ["GeneratedSet", "write_generated_set"]


@dataclass
class GeneratedSet:
    """What `write_generated_set` wrote, and how the set covers kinds, domains and styles."""

    folder: Path
    seed: int
    files: list[Path] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    domains: Counter[str] = field(default_factory=Counter)
    styles: Counter[str] = field(default_factory=Counter)
    multi_user: int = 0

    def to_json(self) -> dict[str, object]:
        """Return the report of `selflearn scenarios generate --json`."""
        return {
            "folder": str(self.folder),
            "seed": self.seed,
            "written": len(self.files),
            "multi_user": self.multi_user,
            "probe_kinds": dict(sorted(self.kinds.items())),
            "domains": dict(sorted(self.domains.items())),
            "styles": dict(sorted(self.styles.items())),
        }


def _check(count: int, seed: int, folder: Path) -> None:
    if count < 1:
        raise InvalidInputError(
            f"--count must be at least 1, got {count}", hint="Ask for e.g. --count 30."
        )
    if seed < 0:
        raise InvalidInputError(
            f"--seed must not be negative, got {seed}", hint="Use a seed from 0 up."
        )
    if folder.exists() and not folder.is_dir():
        raise InvalidInputError(f"{folder} is a file, not a folder", hint="Give a folder path.")


def write_generated_set(
    count: int,
    seed: int,
    folder: Path,
    *,
    split: Split = "holdout",
    progress: Callable[[int], None] | None = None,
) -> GeneratedSet:
    """Generate scenarios 0..count-1 of set `seed` and write one YAML file each to `folder`.

    Every scenario is generated and checked before anything is written; the files are
    written to a scratch folder next to the target and moved in at the end, so a failure
    leaves no partial set behind.
    """
    _check(count, seed, folder)
    report = GeneratedSet(folder=folder, seed=seed)
    documents = []
    for index in range(count):
        document = generate_scenario(seed, index, split=split)
        documents.append(document)
        report.kinds.update(probe_kind_label(p) for p in document["probes"])
        report.domains.update(
            fact["id"].rsplit("-", 1)[0] for fact in document["facts"] if "supersedes" not in fact
        )
        personas = [u["persona"] for u in document.get("users", [])] or [document["persona"]]
        report.styles.update(p["style"] for p in personas)
        report.multi_user += bool(document.get("users"))
        if progress is not None:
            progress(index + 1)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".generating-", dir=folder))
    except OSError as error:
        raise InvalidInputError(
            f"cannot write to {folder}: {error.strerror or error}",
            hint="Choose a folder you can write to (--out).",
        ) from None
    try:
        staged = []
        for document in documents:
            path = scratch / f"{document['id']}.yaml"
            path.write_text(
                yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8"
            )
            staged.append(path)
        for path in staged:
            target = folder / path.name
            os.replace(path, target)
            report.files.append(target)
    except OSError as error:
        for written in report.files:
            written.unlink(missing_ok=True)
        raise InvalidInputError(
            f"cannot write to {folder}: {error.strerror or error}",
            hint="Check the folder's permissions and free space; nothing was kept.",
        ) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return report

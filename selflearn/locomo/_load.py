"""LoCoMo conversations: strict loading, and conversion into the scenario model.

Conversion keeps LoCoMo's own ids: every turn becomes a fact whose id is its `dia_id` (and,
with `delivery: verbatim`, the turn id of the replayed message), so evidence ids score
retrieval directly. QA become probes asked after the last session: categories 1-4 expect
their evidence; category 5 (adversarial) is `unanswerable`, forbids the adversarial answer
and lists its evidence as `related`. Questions left with no evidence are skipped (counted
in `quirks.qa_without_evidence`). Session times carry no zone in the source; UTC is used.

Quirks of the five released files used here (all handled, all counted in `quirks`):
conv-26 has one joined evidence entry ("D8:6; D9:17"), two open-domain questions with no
evidence, six numeric answers, two adversarial questions that also carry an answer, and 16
`session_N_date_time` entries (sessions 20-35) with no turns; conv-42 cites "D10:19" (session
10 ends at D10:16) and a bare "D"; conv-43 cites "D:11:26" (read as D11:26).
"""

from __future__ import annotations

import json
from os import PathLike
from pathlib import Path

from selflearn.locomo._models import LocomoConversation
from selflearn.locomo._parse import parse_conversation
from selflearn.simulator import ScenarioError

__all__ = ["load_locomo", "load_locomo_dir", "parse_locomo"]


def parse_locomo(
    text: str | bytes, *, file: str | PathLike[str] = "<locomo>", sample_id: str | None = None
) -> LocomoConversation:
    """Parse the text of one LoCoMo file; bytes must be UTF-8."""
    name = str(file)
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ScenarioError(
                f"not UTF-8 text (bad byte at offset {exc.start})",
                file=name,
                hint="LoCoMo files are UTF-8 JSON; re-download or re-encode the file.",
            ) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            f"invalid JSON: {exc.msg} (column {exc.colno})",
            file=name,
            line=exc.lineno,
            hint="The file is not valid JSON; re-download it.",
        ) from exc
    return parse_conversation(data, file=name, sample_id=sample_id or Path(name).stem)


def load_locomo(path: str | PathLike[str]) -> LocomoConversation:
    """Read and parse one LoCoMo conversation file (its stem is the default sample id)."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ScenarioError(
            f"cannot read the file: {exc.strerror or exc}", file=file, hint="Check the path."
        ) from exc
    return parse_locomo(raw, file=file, sample_id=file.stem)


def load_locomo_dir(directory: str | PathLike[str]) -> list[LocomoConversation]:
    """Parse every *.json conversation of a directory, in name order."""
    return [load_locomo(p) for p in sorted(Path(directory).glob("*.json"))]

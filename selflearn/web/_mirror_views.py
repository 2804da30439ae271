"""What the /mirror page and the mirror routes show: the field, the heatmap, the episodes.

The heatmap is the policy table folded over the hour of day: one cell per hour and
(tone, intensity bin), its reward the n-weighted mean of `reward_avg` over the buckets of
that hour. The page draws it on the server and its script recolours it from the `heatmap`
messages the hub pushes after each learning pass.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from selflearn.errors import InvalidInputError
from selflearn.learners.mirror import INTENSITY_BINS, TONES, bucket_key, parse_bucket_key

if TYPE_CHECKING:
    from selflearn.learners.mirror import FieldState
    from selflearn.web._mirror_hub import LiveHub

__all__ = [
    "cell_colour",
    "field_view",
    "heatmap",
    "heatmap_svg",
    "mirror_page",
    "parse_instant",
    "save_profile",
    "stats_window",
]

#: A user id the mirror routes and the profile form take.
USER_ID = re.compile(r"[A-Za-z0-9_.:@-]{1,200}")

#: An ISO 8601 date, or date and time with an optional offset (what `from` and `to` take).
ISO_DATETIME = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$"
#: The earliest and latest instants a stats window may name.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def field_view(field: FieldState) -> dict[str, Any]:
    """The field as JSON, with the bucket it falls in now."""
    return {**field.as_dict(), "bucket_key": bucket_key(field.ts, field.user_count, field)}


def heatmap(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Fold policy rows into hour × (tone, intensity bin) cells (n-weighted mean reward)."""
    sums: dict[tuple[int, str, int], list[float]] = {}
    for row in rows:
        hour, _, _ = parse_bucket_key(str(row["bucket_key"]))
        reward, n = row.get("reward_avg"), int(row.get("n") or 0)
        if reward is None or n <= 0 or not math.isfinite(float(reward)):
            continue
        cell = sums.setdefault((hour, str(row["tone"]), int(row["intensity_bin"])), [0.0, 0])
        cell[0] += float(reward) * n
        cell[1] += n
    cells = [
        {"hour": h, "tone": t, "bin": b, "reward": total / n, "n": int(n)}
        for (h, t, b), (total, n) in sorted(sums.items())
    ]
    return {
        "tones": list(TONES),
        "intensities": [float(x) for x in INTENSITY_BINS],
        "cells": cells,
        "hours_covered": len({c["hour"] for c in cells}),
    }


def cell_colour(reward: float, scale: float) -> str:
    """Green for a reward above zero, red below, paler towards zero (same rule as mirror.js)."""
    share = max(-1.0, min(1.0, reward / scale)) if scale > 0 else 0.0
    light = round(92 - 47 * abs(share))
    hue = 142 if share >= 0 else 0
    return f"hsl({hue}, 65%, {light}%)"


def heatmap_svg(data: Mapping[str, Any]) -> str:
    """Return the heatmap as SVG: a row per (tone, bin), a column per hour of day."""
    tones, intensities = data["tones"], data["intensities"]
    left, top, cell_w, cell_h = 120, 24, 26, 18
    rows = [(t, b) for t in tones for b in range(len(intensities))]
    width, height = left + 24 * cell_w + 10, top + cell_h * len(rows) + 30
    found = {(c["hour"], c["tone"], c["bin"]): c for c in data["cells"]}
    scale = max((abs(c["reward"]) for c in data["cells"]), default=0.0)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" class="chart heatmap" id="heatmap" '
        f'aria-label="reward by tone and intensity over the hour of day">',
        '<g font-family="system-ui, sans-serif" font-size="11" fill="#374151">',
    ]
    for hour in range(0, 24, 3):
        x = left + hour * cell_w + cell_w / 2
        parts.append(f'<text x="{x}" y="{top - 8}" text-anchor="middle">{hour:02d}h</text>')
    for index, (tone, bin_) in enumerate(rows):
        y = top + index * cell_h
        label = f"{tone} · {intensities[bin_]:.2g}"
        parts.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{escape(label)}</text>')
        for hour in range(24):
            cell = found.get((hour, tone, bin_))
            fill = "#f3f4f6" if cell is None else cell_colour(cell["reward"], scale)
            title = "no data" if cell is None else f"reward {cell['reward']:.3g}, n {cell['n']}"
            filled = "" if cell is None else ' data-filled="1"'
            parts.append(
                f'<rect x="{left + hour * cell_w}" y="{y}" width="{cell_w - 2}" '
                f'height="{cell_h - 2}" fill="{fill}" data-hour="{hour}" '
                f'data-tone="{escape(tone)}" data-bin="{bin_}"{filled}>'
                f"<title>{escape(title)}</title></rect>"
            )
    parts.append(
        f'<text x="{left}" y="{height - 8}">hour of day (UTC) → · green: reward above 0, '
        "red: below</text></g></svg>"
    )
    return "".join(parts)


def stats_window(
    start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    """Return the window of a stats request: the last 24 h by default, checked and in UTC."""
    end = _utc(end) if end is not None else now
    start = _utc(start) if start is not None else None
    for name, value in (("to", end), ("from", start)):
        if value is not None and not EARLIEST <= value <= LATEST:
            raise InvalidInputError(
                f"{name} must be between 1970 and 9000", hint="Give an ISO 8601 date-time."
            )
    if start is None:
        start = max(EARLIEST, end - timedelta(hours=24))
    if start > end:
        raise InvalidInputError("from is after to", hint="Swap them, or leave one out.")
    return start, end


def parse_instant(value: str | None, name: str) -> datetime | None:
    """Return the instant an ISO 8601 query value names (UTC when it names no offset)."""
    if value is None:
        return None
    try:
        return _utc(datetime.fromisoformat(value))
    except ValueError as error:
        raise InvalidInputError(
            f"{name} {value!r} is not a date-time", hint="Give ISO 8601: 2026-12-03T08:00:00Z."
        ) from error


def _utc(value: datetime) -> datetime:
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (OverflowError, ValueError) as error:
        raise InvalidInputError(
            f"{value.isoformat()} is out of range", hint="Give a date-time between 1970 and 9000."
        ) from error


def mirror_page(hub: LiveHub, *, user_id: str) -> dict[str, Any]:
    """The /mirror page: the field and bucket, the last choice, the heatmap, the episodes."""
    now = hub.loop.clock()  # the loop's time: the stats match the ones the hub pushes later
    field = field_view(hub.loop.field())
    table = heatmap(hub.loop.policy())
    episodes = hub.recent_episodes()
    stats = hub.loop.stats(now - timedelta(hours=24), now)
    feedback = hub.last("feedback")
    profile = {"user_id": user_id, "mirror_enabled": hub.loop.is_enabled(user_id)}
    return {
        "field": field,
        "feedback": feedback,
        "stats": stats,
        "heatmap": table,
        "heatmap_svg": heatmap_svg(table),
        "episodes": episodes,
        "profile": profile,
        "data": {"heatmap": table, "episodes": episodes, "field": field},
    }


def save_profile(hub: LiveHub, form: Mapping[str, str]) -> str:
    """The profile form: turn a user's adaptive feedback on or off; back to the page."""
    user_id = (form.get("user_id") or "").strip()
    if not USER_ID.fullmatch(user_id):
        raise InvalidInputError(
            "the user id must be 1-200 letters, digits or _.:@-",
            hint="Type the user's id as the Student knows it.",
        )
    hub.loop.set_enabled(user_id, form.get("mirror_enabled") == "on")
    return f"/mirror?user={quote(user_id)}"

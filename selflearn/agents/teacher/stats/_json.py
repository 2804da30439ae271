"""A float type whose infinities and NaN survive a trip through JSON (and PostgreSQL JSONB)."""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import PlainSerializer


def _finite_or_text(value: float) -> float | str:
    # JSON has no infinity or NaN, and JSONB rejects the non-standard tokens, so write them as
    # the strings pydantic reads back into floats.
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


JsonFloat = Annotated[float, PlainSerializer(_finite_or_text, when_used="json")]

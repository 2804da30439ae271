"""Numbers in plain words: metric levels, changes and intervals in each metric's own unit."""

from __future__ import annotations

from selflearn.agents.metrics import BY_NAME

MINUS = "\u2212"


def _signed(number: float, digits: int) -> str:
    text = f"{abs(number):.{digits}f}"
    if float(text) == 0:
        return text
    return f"{MINUS if number < 0 else '+'}{text}"


def _unit(metric: str) -> str:
    # Shares in [0, 1] read as per cent and points, whatever the metric calls its unit.
    info = BY_NAME.get(metric)
    if info is None:
        return "raw"
    return "rate" if info.fraction else info.unit


def format_level(metric: str, value: float) -> str:
    """Return a metric value as people read it (3 %, 50 ms, $0.0020, 900 tokens)."""
    unit = _unit(metric)
    if unit == "rate":
        return f"{value * 100:g} %"
    if unit == "ms":
        return f"{value:g} ms"
    if unit == "usd":
        return f"${value:.4f}" if value < 1 else f"${value:,.2f}"
    if unit == "tokens":
        return f"{value:,.0f} tokens"
    return f"{value:g}"


def format_margin(metric: str, margin: float, *, relative: bool) -> str:
    """Return an allowed change: "2 pts" for rates, "20 % of its baseline" when relative."""
    if relative:
        return f"{margin * 100:g} % of its baseline"
    unit = _unit(metric)
    if unit == "rate":
        points = margin * 100
        return f"{points:g} {'pt' if points == 1 else 'pts'}"
    return format_level(metric, margin)


def format_change(metric: str, effect: float) -> str:
    """Return a signed change in the metric's unit: rates in percentage points."""
    unit = _unit(metric)
    if unit == "rate":
        return f"{_signed(effect * 100, 1)} pts"
    if unit == "ms":
        return f"{_signed(effect, 1)} ms"
    if unit == "usd":
        return f"{_signed(effect, 5)} USD"
    if unit == "tokens":
        return f"{_signed(effect, 0)} tokens"
    return _signed(effect, 3)


def format_interval(metric: str, low: float, high: float) -> str:
    """Return a confidence interval in the same unit as `format_change`, without the unit."""
    unit = _unit(metric)
    scale, digits = {"rate": (100.0, 1), "ms": (1.0, 1), "usd": (1.0, 5), "tokens": (1.0, 0)}.get(
        unit, (1.0, 3)
    )
    return f"[{_signed(low * scale, digits)}, {_signed(high * scale, digits)}]"


def format_delta(metric: str, effect: float, low: float | None, high: float | None) -> str:
    """Return e.g. "hallucination_rate −2.1 pts [−3.0, −1.2]"."""
    text = f"{metric} {format_change(metric, effect)}"
    if low is not None and high is not None:
        text += f" {format_interval(metric, low, high)}"
    return text

"""What each console page shows, gathered from the store and the running jobs, plots included."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from selflearn.errors import NotFoundError
from selflearn.store import session_scope
from selflearn.store.models import Campaign, Proposal
from selflearn.tuner import active_version
from selflearn.web._approval_views import approvals
from selflearn.web._campaign_views import campaign_detail, campaign_page
from selflearn.web._chat import conversation
from selflearn.web._state import WebState
from selflearn.web._svg import Interval, bar_chart, forest_plot, line_chart
from selflearn.web._telemetry_views import cost, hit_rate, latency
from selflearn.web._version_views import version_detail, version_diff, version_page

#: Versions of the chain shown on the parameters page (each links to its own chain).
CHAIN_SHOWN = 20

__all__ = [
    "approvals_page",
    "campaign_view",
    "campaigns_view",
    "chat_page",
    "overview_page",
    "parameters_page",
    "telemetry_page",
]


def _running(state: WebState) -> list[dict[str, Any]]:
    with session_scope(state.engine) as session:
        rows = session.scalars(
            select(Campaign)
            .where(Campaign.status == "running")
            .order_by(Campaign.started_at.desc())
            .limit(20)
        ).all()
        found: list[dict[str, Any]] = [
            {"campaign_id": r.id, "goal": r.config.get("goal_text")} for r in rows
        ]
    for item in found:
        job = state.jobs.get(str(item["campaign_id"]))
        item["progress"] = job.progress() if job is not None else None
    return found


def latency_chart(report: dict[str, Any], title: str) -> str:
    """Return the p50/p95 bars of a latency report."""
    groups = [(s["stage"], [s["p50_ms"], s["p95_ms"]]) for s in report["stages"]]
    return bar_chart(groups, names=["p50", "p95"], title=title, unit=" ms")


def overview_page(state: WebState) -> dict[str, Any]:
    """The active version, running campaigns, proposals waiting, the last hour's latency."""
    now = state.clock()
    with session_scope(state.engine) as session:
        active = active_version(session=session)
        waiting = int(
            session.scalar(
                select(func.count()).select_from(Proposal).where(Proposal.status == "pending")
            )
            or 0
        )
        last_hour = latency(session, now=now, window_minutes=60)
        active_view = None
        if active is not None:
            active_view = {
                "version": active.version,
                "reason": active.reason,
                "activated_at": active.activated_at,
                "params": dict(sorted(active.params.items())),
            }
    recent = campaign_page(state.components.database, limit=8, offset=0, status=None)
    return {
        "active": active_view,
        "running": _running(state),
        "waiting": waiting,
        "latency": last_hour,
        "latency_svg": latency_chart(last_hour, "latency per stage, last hour (ms)"),
        "recent": recent["items"],
        "campaign_total": recent["total"],
    }


def campaigns_view(state: WebState, *, page: int, status: str | None) -> dict[str, Any]:
    """A page of campaigns, newest first."""
    limit = 50
    listing = campaign_page(
        state.components.database, limit=limit, offset=(page - 1) * limit, status=status
    )
    pages = max(1, -(-listing["total"] // limit))
    return {**listing, "page": page, "pages": pages, "status": status}


def _forest(experiment: dict[str, Any]) -> str:
    rows = [
        Interval(
            f"{m['metric']} ({m['variant']})",
            m["effect"],
            m["ci_low"],
            m["ci_high"],
            note=m.get("verdict") or "",
        )
        for m in experiment["metrics"]
        if m["effect"] is not None
    ]
    return forest_plot(rows, title="deltas vs baseline, latest look (95 % interval)")


def _looks(experiment: dict[str, Any]) -> str:
    series: dict[str, list[tuple[str, float | None]]] = {}
    bands: dict[str, list[tuple[float | None, float | None]]] = {}
    for point in experiment["looks"]:
        name = f"{point['metric']} ({point['variant']})"
        series.setdefault(name, []).append((f"look {point['look']}", point["effect"]))
        bands.setdefault(name, []).append((point["ci_low"], point["ci_high"]))
    return line_chart(series, bands=bands, title="effect at each sequential look")


def campaign_view(state: WebState, campaign_id: str) -> dict[str, Any]:
    """One campaign: progress, each experiment with its plots, the report."""
    detail = campaign_detail(state.components.database, campaign_id, state.jobs.get(campaign_id))
    for experiment in detail["experiments"]:
        experiment["forest_svg"] = _forest(experiment)
        experiment["looks_svg"] = _looks(experiment)
    return detail


def approvals_page(state: WebState) -> dict[str, Any]:
    """Pending proposals with their evidence plotted; the last decided ones."""
    pending = approvals(state, "pending")
    for item in pending:
        evidence = item.get("evidence") or {}
        rows = [
            Interval(f"{d['metric']} ({d['variant']})", d["effect"], d["ci_low"], d["ci_high"])
            for d in evidence.get("deltas", [])
            if d.get("effect") is not None
        ]
        item["forest_svg"] = forest_plot(rows, title="evidence: deltas with 95 % intervals")
    decided = [p for p in approvals(state, None) if p["status"] != "pending"][-10:]
    return {"pending": pending, "decided": list(reversed(decided))}


def parameters_page(
    state: WebState, *, version: int | None, compare: int | None, page: int
) -> dict[str, Any]:
    """The version history, one version's chain and its diff with another (its parent)."""
    with session_scope(state.engine) as session:
        listing = version_page(session, limit=50, offset=(page - 1) * 50)
        chosen = version
        if chosen is None:
            active = active_version(session=session)
            chosen = active.version if active is not None else None
        detail = version_detail(session, chosen, CHAIN_SHOWN) if chosen is not None else None
        diff = None
        if detail is not None:
            other = compare or detail["version"]["parent_version"]
            if other is not None:
                diff = version_diff(session, other, chosen)  # type: ignore[arg-type]
    pages = max(1, -(-listing["total"] // 50))
    return {**listing, "detail": detail, "diff": diff, "page": page, "pages": pages}


def telemetry_page(state: WebState, *, window: int, days: int) -> dict[str, Any]:
    """Latency per stage, hit rate per day, tokens and cost per day and per version."""
    now = state.clock()
    with session_scope(state.engine) as session:
        lat = latency(session, now=now, window_minutes=window)
        hits = hit_rate(session, now=now, days=days)
        spend = cost(session, now=now, days=days)
    per_day = spend["per_day"]
    return {
        "window": window,
        "days": days,
        "latency": lat,
        "hits": hits,
        "cost": spend,
        "latency_svg": latency_chart(lat, f"latency per stage, last {window} min (ms)"),
        "hit_svg": line_chart(
            {"hit rate": [(d["day"][5:], d["hit_rate"]) for d in hits["items"]]},
            title="retrieval hit rate per day",
        ),
        "tokens_svg": bar_chart(
            [(d["day"][5:], [d["prompt_tokens"], d["completion_tokens"]]) for d in per_day],
            names=["prompt", "completion"],
            title="tokens per day",
        ),
        "cost_svg": line_chart(
            {"cost (USD)": [(d["day"][5:], d["cost_usd"]) for d in per_day]},
            title="cost per day (USD)",
        ),
    }


def chat_page(state: WebState, conversation_id: str | None) -> dict[str, Any]:
    """A conversation's messages (when it exists) for the chat page."""
    if not conversation_id:
        return {"conversation_id": "", "messages": [], "pending": None}
    try:
        return conversation(state, conversation_id)
    except NotFoundError:  # an unknown id simply starts a new conversation on the page
        return {"conversation_id": conversation_id, "messages": [], "pending": None}

"""The hypothesis search over the goal's allowed factors, reduced to explainable changes.

TPE proposes whole configurations; an experiment that changes five factors at once cannot
say which one helped. So each proposal is reduced to one factor: the one it moves furthest
from the active value (in the factor's own scale), with the step clipped to the autonomy
step limit so a winner can be applied without a second, larger jump, and rounded to a
readable value. The search learns from every arm of every finished experiment (observed
mean of the goal's first primary metric), baselines included: that is its warm start.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import optuna

from selflearn.agents.metrics import get_metric
from selflearn.agents.teacher._goal import ExperimentGoal, ExperimentRecord, config_key
from selflearn.agents.teacher._plan import Hypothesis
from selflearn.agents.teacher.search import HypothesisSearch, SearchDimension
from selflearn.space import REGISTRY, ParamSpec
from selflearn.tuner import AutonomyPolicy

#: Proposals asked of TPE per design before falling back to a plain neighbour sweep.
MAX_ASKS = 25
#: Granule of linear float factors (0.25, 0.3, ...).
FLOAT_GRANULE = 0.05


def dimension_for(spec: ParamSpec) -> SearchDimension | None:
    """Return the search dimension of a factor, or None when it cannot be searched."""
    if spec.kind in ("int", "float") and spec.low is not None and spec.high is not None:
        return SearchDimension(spec.name, spec.kind, spec.low, spec.high, log=spec.log)
    if spec.choices:
        return SearchDimension(spec.name, "categorical", choices=tuple(spec.choices))
    return None


def _granule(dim: SearchDimension, current: float) -> float:
    if dim.log:
        return float(10 ** (math.floor(math.log10(max(abs(current), 1e-9))) - 1))
    return 1.0 if dim.kind == "int" else FLOAT_GRANULE


def _readable(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else repr(value)


def _position(dim: SearchDimension, value: float) -> float:
    assert dim.low is not None and dim.high is not None
    if dim.log:
        return math.log(value) / (math.log(dim.high) - math.log(dim.low) or 1.0)
    return value / ((dim.high - dim.low) or 1.0)


class SearchState:
    """A seeded TPE search plus the experiments it has already learned from.

    Keep one across designs to let TPE see its own asks; or let `design_experiment` rebuild
    it from the history each time (deterministic, and nothing to checkpoint).
    """

    def __init__(self, goal: ExperimentGoal, *, seed: int) -> None:
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        dims = [d for name in goal.allowed_factors if (d := dimension_for(REGISTRY[name]))]
        self.dimensions = {d.name: d for d in dims}
        self.objective = goal.objective.name
        self.autonomy: AutonomyPolicy = goal.autonomy
        higher = get_metric(self.objective).higher_is_better
        self.search = (
            HypothesisSearch(
                dims, seed=seed % 2**32, direction="maximize" if higher else "minimize"
            )
            if dims
            else None
        )
        self._fed: set[str] = set()

    def feed(self, history: Iterable[ExperimentRecord]) -> None:
        """Tell the search every arm of every experiment it has not seen yet."""
        if self.search is None:
            return
        for record in history:
            if record.experiment_id in self._fed:
                continue
            self._fed.add(record.experiment_id)
            for params, value in record.objective_values(self.objective):
                point = self._point(params)
                if point is not None:
                    self.search.add_evaluated(point, value)

    def suggest(
        self, active: Mapping[str, Any], tested: set[tuple[tuple[str, str], ...]]
    ) -> Hypothesis | None:
        """Return an untested one-factor change guided by TPE, or None if none is left."""
        if self.search is None:
            return None
        for _ in range(MAX_ASKS):
            proposal = self.search.ask()
            if any(e.params == proposal for e in self.search.history):
                # `ask` only repeats a measured point when it found nothing new to propose
                # (and has already answered it from memory): the space looks exhausted.
                break
            # The reduced change, not this exact point, is what will be measured; it comes
            # back through `feed` once the experiment is finished.
            self.search.tell(proposal, None)
            change = self._reduce(proposal, active, tested)
            if change is not None:
                name, value = change
                return Hypothesis(
                    source="search",
                    variants={"variant": {name: value}},
                    rationale=(
                        f"the search over {', '.join(self.dimensions)} points to "
                        f"{name}={_readable(proposal[name])}; testing the step {active[name]!r} -> "
                        f"{value!r} alone keeps the verdict explainable"
                    ),
                )
        return self._sweep(active, tested)

    def _point(self, params: Mapping[str, Any]) -> dict[str, Any] | None:
        point = {name: params.get(name, REGISTRY[name].default) for name in self.dimensions}
        for name, dim in self.dimensions.items():
            if dim.kind == "int" and isinstance(point[name], float) and point[name].is_integer():
                point[name] = int(point[name])
            if not dim.contains(point[name]):
                return None
        return point

    def _candidates(
        self, name: str, target: Any, active: Mapping[str, Any]
    ) -> tuple[float, Any] | None:
        """Return (distance, readable value) for moving ``name`` towards ``target``."""
        dim, current = self.dimensions[name], active[name]
        if dim.kind == "categorical":
            return (1.0, target) if target != current else None
        assert dim.low is not None and dim.high is not None
        step = float(target) - float(current)
        limit = self.autonomy.step_limit(name)
        if limit is not None:
            if limit.absolute is not None:
                step = max(-limit.absolute, min(limit.absolute, step))
            if limit.relative is not None:
                allowed = limit.relative * abs(float(current))
                step = max(-allowed, min(allowed, step))
        if step == 0:
            return None
        granule = _granule(dim, float(current))
        # Round towards the active value (never past the step limit), but move at least once.
        steps = math.trunc(step / granule + math.copysign(1e-9, step))
        steps = steps or int(math.copysign(1, step))
        value: float | int = round(float(current) + steps * granule, 6)
        value = min(dim.high, max(dim.low, value))
        if dim.kind == "int":
            value = int(round(value))
        if value == current or (limit is not None and limit.exceeded_by(float(current), value)):
            return None
        distance = abs(_position(dim, float(value)) - _position(dim, float(current)))
        return distance, value

    def _reduce(
        self,
        proposal: Mapping[str, Any],
        active: Mapping[str, Any],
        tested: set[tuple[tuple[str, str], ...]],
    ) -> tuple[str, Any] | None:
        options = []
        for order, name in enumerate(self.dimensions):
            found = self._candidates(name, proposal[name], active)
            if found is not None and config_key({**active, name: found[1]}) not in tested:
                options.append((-found[0], order, name, found[1]))
        if not options:
            return None
        _, _, name, value = min(options)
        return name, value

    def _sweep(
        self, active: Mapping[str, Any], tested: set[tuple[tuple[str, str], ...]]
    ) -> Hypothesis | None:
        """Return the first untested neighbour of the active values, factor by factor."""
        for name, dim in self.dimensions.items():
            if dim.kind == "categorical":
                targets = [c for c in dim.choices if c != active[name]]
            else:
                assert dim.low is not None and dim.high is not None
                targets = [dim.high, dim.low]
            for target in targets:
                found = self._candidates(name, target, active)
                if found is None or config_key({**active, name: found[1]}) in tested:
                    continue
                return Hypothesis(
                    source="search",
                    variants={"variant": {name: found[1]}},
                    rationale=(
                        f"the search has no untested proposal left; {name} "
                        f"{active[name]!r} -> {found[1]!r} is the next untested neighbour"
                    ),
                )
        return None

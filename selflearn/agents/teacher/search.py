"""Hypothesis search: propose the next parameter configuration worth an experiment.

A seeded Tree-structured Parzen Estimator (Optuna's TPE, used through ask and tell, in memory)
searches the allowed parameter space. Each evaluation is an experiment, so evaluations are
the scarce resource, and the search spends them carefully:

* known configurations (the active version, the defaults) are evaluated first, so the model
  starts from a sensible region instead of from random points;
* results measured elsewhere can be added without asking for them;
* a configuration that was already evaluated is never proposed again: its known result is
  fed back to the sampler and a new one is asked for.

The parameter space is a list of `SearchDimension`; callers map their own registry into it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import FrozenTrial, Trial, TrialState

DimensionKind = Literal["int", "float", "categorical"]
Direction = Literal["maximize", "minimize"]
Choice = None | bool | int | float | str

#: A proposal repeating an evaluated configuration is answered from memory and re-asked at
#: most this many times; then the repeat is returned (the space may simply be exhausted).
MAX_REPEATS = 50


@dataclass(frozen=True)
class SearchDimension:
    """One searchable parameter: an int or float range, or a list of choices."""

    name: str
    kind: DimensionKind
    low: float | None = None
    high: float | None = None
    choices: tuple[Choice, ...] = ()
    log: bool = False

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a search dimension needs a name")
        if self.kind == "categorical":
            if not self.choices:
                raise ValueError(f"categorical dimension {self.name!r} needs choices")
            return
        if self.kind not in ("int", "float"):
            raise ValueError(f"dimension {self.name!r} has unknown kind {self.kind!r}")
        if self.low is None or self.high is None:
            raise ValueError(f"{self.kind} dimension {self.name!r} needs low and high")
        if not (math.isfinite(self.low) and math.isfinite(self.high)) or self.low > self.high:
            raise ValueError(f"dimension {self.name!r} needs finite low <= high")
        if self.kind == "int" and (self.low != int(self.low) or self.high != int(self.high)):
            raise ValueError(f"int dimension {self.name!r} needs whole-number bounds")
        if self.log and self.low <= 0:
            raise ValueError(f"log-scale dimension {self.name!r} needs low > 0")

    def distribution(self) -> BaseDistribution:
        """Return the Optuna distribution of this dimension."""
        if self.kind == "categorical":
            return CategoricalDistribution(self.choices)
        assert self.low is not None and self.high is not None  # checked in __post_init__
        if self.kind == "int":
            return IntDistribution(int(self.low), int(self.high), log=self.log)
        return FloatDistribution(float(self.low), float(self.high), log=self.log)

    def contains(self, value: Any) -> bool:
        """Return True when ``value`` is an allowed value of this dimension."""
        if self.kind == "categorical":
            return value in self.choices
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if self.kind == "int" and value != int(value):
            return False
        return bool(
            self.low is not None and self.high is not None and self.low <= value <= self.high
        )


@dataclass(frozen=True)
class Observation:
    """One configuration the search tried, and the objective value it measured."""

    params: dict[str, Any]
    value: float


def _key(params: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    # repr keeps 1 and 1.0 and True apart, which equality of dict values would not.
    return tuple(sorted((name, repr(value)) for name, value in params.items()))


class HypothesisSearch:
    """Seeded, in-memory TPE search over a declared parameter space, driven by ask and tell.

    ``n_startup`` is the number of evaluations (known configurations included) made before
    TPE starts modelling; until then proposals are random. It is half Optuna's default
    because every evaluation is an experiment and the warm-start configurations already
    place the search (see ``benchmarks/search_vs_random.py``). The same seed and the same
    sequence of ``tell`` values always give the same proposals.
    """

    def __init__(
        self,
        dimensions: Sequence[SearchDimension],
        *,
        seed: int,
        direction: Direction = "maximize",
        warm_start: Sequence[Mapping[str, Any]] = (),
        n_startup: int = 5,
        storage: str | optuna.storages.BaseStorage | None = None,
        study_name: str | None = None,
    ) -> None:
        if not dimensions:
            raise ValueError("the search space needs at least one dimension")
        names = [d.name for d in dimensions]
        if len(set(names)) != len(names):
            raise ValueError(f"dimension names must be unique, got {names}")
        if direction not in ("maximize", "minimize"):
            raise ValueError(f"direction must be 'maximize' or 'minimize', got {direction!r}")
        self.dimensions = tuple(dimensions)
        self.direction: Direction = direction
        self._by_name = {d.name: d for d in self.dimensions}
        self._distributions = {d.name: d.distribution() for d in self.dimensions}
        with warnings.catch_warnings():
            # Optional TPE features emit "experimental" warnings that mean nothing to a user.
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            sampler = optuna.samplers.TPESampler(
                seed=seed, n_startup_trials=n_startup, multivariate=True
            )
        self._study = optuna.create_study(
            sampler=sampler, direction=direction, storage=storage, study_name=study_name
        )
        self._pending: dict[tuple[tuple[str, str], ...], list[Trial]] = {}
        self._known: dict[tuple[tuple[str, str], ...], float] = {}
        self._history: list[Observation] = []
        for params in warm_start:
            self.enqueue(params)

    def validate(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Return ``params`` if they name every dimension with an allowed value, else raise."""
        missing = set(self._by_name) - set(params)
        unknown = set(params) - set(self._by_name)
        if missing or unknown:
            raise ValueError(
                f"parameters must name exactly the search dimensions; missing {sorted(missing)}, "
                f"unknown {sorted(unknown)}"
            )
        for name, value in params.items():
            if not self._by_name[name].contains(value):
                raise ValueError(f"{name}={value!r} is outside the search space")
        return dict(params)

    def enqueue(self, params: Mapping[str, Any]) -> None:
        """Have ``params`` proposed (and so evaluated) before anything the sampler picks."""
        self._study.enqueue_trial(self.validate(params), skip_if_exists=True)

    def add_evaluated(self, params: Mapping[str, Any], value: float) -> None:
        """Record a configuration evaluated elsewhere, as if it had been asked and told."""
        checked = self.validate(params)
        self._check_value(value)
        trial = optuna.trial.create_trial(
            params=checked, distributions=self._distributions, value=float(value)
        )
        self._study.add_trial(trial)
        self._remember(checked, float(value))

    def ask(self) -> dict[str, Any]:
        """Return the next configuration to evaluate; answer it with `tell`."""
        for _ in range(MAX_REPEATS):
            trial = self._study.ask(self._distributions)
            key = _key(trial.params)
            if key not in self._known:
                break
            # Already evaluated: give the sampler the known result and ask again.
            self._study.tell(trial, self._known[key])
        self._pending.setdefault(key, []).append(trial)
        return dict(trial.params)

    def tell(self, params: Mapping[str, Any], value: float | None) -> None:
        """Report the result of evaluating ``params``; None marks a failed evaluation.

        Parameters that were not asked for are recorded as an outside evaluation.
        """
        key = _key(params)
        waiting = self._pending.get(key)
        if not waiting:
            if value is None:
                return
            self.add_evaluated(params, value)
            return
        trial = waiting.pop(0)
        if value is None:
            self._study.tell(trial, state=TrialState.FAIL)
            return
        self._check_value(value)
        self._study.tell(trial, float(value))
        self._remember(dict(trial.params), float(value))

    @property
    def best(self) -> Observation | None:
        """Return the best evaluation so far, or None before the first."""
        if not self._history:
            return None
        pick = max if self.direction == "maximize" else min
        return pick(self._history, key=lambda e: e.value)

    @property
    def history(self) -> list[Observation]:
        """Return every evaluation in the order it was reported."""
        return list(self._history)

    @property
    def trials(self) -> list[FrozenTrial]:
        """Return the underlying Optuna trials (for inspection and plots)."""
        return self._study.get_trials(deepcopy=False)

    def _remember(self, params: dict[str, Any], value: float) -> None:
        self._known.setdefault(_key(params), value)
        self._history.append(Observation(params=params, value=value))

    @staticmethod
    def _check_value(value: float) -> None:
        if not math.isfinite(value):
            raise ValueError(f"objective values must be finite numbers, got {value}")

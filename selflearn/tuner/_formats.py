"""The machine formats the Teacher and the Manager hand to the Tuner (SPEC §2)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from selflearn.errors import InvalidInputError

#: Who the owner is in `initiated_by` / `decided_by`; every other initiator is automatic.
OWNER = "owner"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class VariantSpec(_Strict):
    """One arm of an experiment: a name and the factors it sets on top of the active ones."""

    name: str = Field(min_length=1, max_length=100)
    params: dict[str, Any] = Field(default_factory=dict)


class PrepareExperiment(_Strict):
    """`{"type": "prepare_experiment", "experiment_id": ..., "variants": [...]}`."""

    type: Literal["prepare_experiment"] = "prepare_experiment"
    experiment_id: str = Field(min_length=1, max_length=200)
    variants: list[VariantSpec] = Field(min_length=2)
    hypothesis: str = ""

    @model_validator(mode="after")
    def _unique_variant_names(self) -> PrepareExperiment:
        names = [variant.name for variant in self.variants]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"variant names must be unique, repeated: {', '.join(duplicates)}")
        return self


class ParamChange(_Strict):
    """One change: `{"param": ..., "from": <current value>, "to": <new value>}`."""

    param: str = Field(min_length=1)
    from_: Any = Field(alias="from")
    to: Any

    @model_validator(mode="before")
    @classmethod
    def _earlier_report_keys(cls, data: Any) -> Any:
        # Campaign reports stored before the Manager used this type say before/after.
        if isinstance(data, dict) and ("before" in data or "after" in data):
            data = dict(data)
            data.setdefault("from", data.pop("before", None))
            data.setdefault("to", data.pop("after", None))
        return data

    def to_dict(self) -> dict[str, Any]:
        """Return the change as its JSON form."""
        return {"param": self.param, "from": self.from_, "to": self.to}

    def describe(self) -> str:
        """Return e.g. "retrieval.top_k 5 → 3"."""
        return f"{self.param} {self.from_!r} \u2192 {self.to!r}"


class RollbackConditions(_Strict):
    """When a newly applied version rolls back on its own (see `check_degradation`).

    Drops are absolute, in the metric's own unit (precision 0.8 -> 0.7 is a drop of 0.1),
    measured against the baseline the caller passes; each must hold for `cycles`
    consecutive cycles before anything fires.
    """

    precision_drop: float | None = Field(default=0.1, gt=0, le=1)
    recall_drop: float | None = Field(default=None, gt=0, le=1)
    latency_p95_ms: float | None = Field(default=None, gt=0)
    error_rate: float | None = Field(default=None, ge=0, le=1)
    cycles: int = Field(default=3, ge=1, le=1000)


class UpdateParams(_Strict):
    """`{"action": "update_params", "reason": ..., "changes": [...], ...}`."""

    action: Literal["update_params"] = "update_params"
    reason: str = Field(min_length=1)
    changes: list[ParamChange] = Field(min_length=1)
    rollback_conditions: RollbackConditions | None = None
    experiment_id: str | None = Field(default=None, max_length=200)
    initiated_by: str = Field(default="teacher", min_length=1, max_length=100)

    @model_validator(mode="after")
    def _one_change_per_param(self) -> UpdateParams:
        names = [change.param for change in self.changes]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"each parameter may change once, repeated: {', '.join(duplicates)}")
        return self

    def to_payload(self) -> dict[str, Any]:
        """Return the JSON form, exactly as it would be parsed back."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


Model = TypeVar("Model", bound=BaseModel)


def _parse(model: type[Model], payload: Model | Mapping[str, Any], what: str) -> Model:
    if isinstance(payload, model):
        return payload
    if not isinstance(payload, Mapping):
        raise InvalidInputError(
            f"a {what} payload must be a JSON object, got {type(payload).__name__}"
        )
    try:
        return model.model_validate(dict(payload))
    except ValidationError as error:
        problems = "; ".join(_describe(item) for item in error.errors())
        raise InvalidInputError(
            f"invalid {what} payload: {problems}",
            hint=f"See the {what} format in SPEC §2.",
        ) from None


def _describe(item: Mapping[str, Any]) -> str:
    field = ".".join(str(part) for part in item["loc"]) or "(payload)"
    message = str(item["msg"])
    if item["type"] == "extra_forbidden":
        message = "unknown field"
    elif message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return f"{field}: {message}"


def parse_prepare_experiment(payload: PrepareExperiment | Mapping[str, Any]) -> PrepareExperiment:
    """Return the payload as a `PrepareExperiment`, or raise naming the bad field."""
    return _parse(PrepareExperiment, payload, "prepare_experiment")


def parse_update_params(payload: UpdateParams | Mapping[str, Any]) -> UpdateParams:
    """Return the payload as an `UpdateParams`, or raise naming the bad field."""
    return _parse(UpdateParams, payload, "update_params")

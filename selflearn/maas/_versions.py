"""Which parameter version a request runs on, resolved once at its start."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from selflearn.errors import InvalidInputError, NotFoundError
from selflearn.space import default_params, validate_params
from selflearn.store.models import ParameterVersion

__all__ = ["ResolvedParameters", "resolve_parameters"]

Source = Literal["explicit", "experiment", "active", "defaults", "override"]


@dataclass(frozen=True)
class ResolvedParameters:
    """The impact-factor values of one request and the version they came from."""

    params: dict[str, Any]
    version_id: uuid.UUID | None
    source: Source
    experiment_id: str | None = None
    variant: str | None = None


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise NotFoundError(
            f"parameter version {value!r} does not exist",
            hint="Give the id of an existing parameter version (a UUID).",
        ) from None


def resolve_parameters(
    session: Session,
    *,
    version_id: uuid.UUID | str | None = None,
    experiment_id: str | None = None,
    variant: str | None = None,
    params: Mapping[str, Any] | None = None,
) -> ResolvedParameters:
    """Pick the parameters of a request.

    In order: explicit `params` (validated, defaults filled in); an explicit `version_id`;
    the version bound to `experiment_id` + `variant`; the active version; the defaults.
    """
    if params is not None:
        return ResolvedParameters(validate_params(params), None, "override", experiment_id, variant)
    if version_id is not None:
        row = session.get(ParameterVersion, _as_uuid(version_id))
        if row is None:
            raise NotFoundError(
                f"parameter version {version_id} does not exist",
                hint="List the versions, or omit version_id to use the active one.",
            )
        return _from_row(row, "explicit", experiment_id, variant)
    if variant is not None and experiment_id is None:
        raise InvalidInputError(
            "a variant was given without its experiment",
            hint="Pass experiment_id together with variant.",
        )
    if experiment_id is not None and variant is not None:
        row = session.scalars(
            select(ParameterVersion)
            .where(ParameterVersion.experiment_id == experiment_id)
            .where(ParameterVersion.variant == variant)
            .order_by(ParameterVersion.version.desc())
            .limit(1)
        ).first()
        if row is None:
            raise NotFoundError(
                f"experiment {experiment_id!r} has no parameter version for variant {variant!r}",
                hint="Prepare the experiment first (the Tuner binds a version to each variant).",
            )
        return _from_row(row, "experiment", experiment_id, variant)
    row = session.scalars(
        select(ParameterVersion).where(ParameterVersion.status == "active").limit(1)
    ).first()
    if row is not None:
        return _from_row(row, "active", experiment_id, variant)
    return ResolvedParameters(default_params(), None, "defaults", experiment_id, variant)


def _from_row(
    row: ParameterVersion, source: Source, experiment_id: str | None, variant: str | None
) -> ResolvedParameters:
    # Stored versions may hold only the factors they change; the rest take the defaults.
    return ResolvedParameters(
        params=validate_params(row.params),
        version_id=row.id,
        source=source,
        experiment_id=experiment_id if experiment_id is not None else row.experiment_id,
        variant=variant if variant is not None else row.variant,
    )

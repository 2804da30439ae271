"""`prepare_experiment`: one candidate version per variant, bound to the experiment."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from selflearn.errors import ConflictError, InvalidInputError
from selflearn.space import validate_params
from selflearn.store.models import Experiment, ParameterVersion
from selflearn.tuner._atomic import atomic
from selflearn.tuner._formats import PrepareExperiment, parse_prepare_experiment
from selflearn.tuner._prompts import check_prompts_registered
from selflearn.tuner._versions import (
    active_version,
    diff_params,
    effective_params,
    list_versions,
    record_change,
)


def _variant_params(payload: PrepareExperiment) -> dict[str, dict[str, Any]]:
    checked: dict[str, dict[str, Any]] = {}
    for variant in payload.variants:
        try:
            checked[variant.name] = validate_params(variant.params, partial=True)
        except InvalidInputError as error:
            raise InvalidInputError(
                f"variant {variant.name!r}: {error.message}", hint=error.hint
            ) from None
    return checked


def _existing(
    payload: PrepareExperiment, design: dict[str, Any], *, session: Session
) -> list[ParameterVersion] | None:
    experiment = session.get(Experiment, payload.experiment_id)
    if experiment is None:
        return None
    if experiment.design != design:
        raise ConflictError(
            f"experiment {payload.experiment_id!r} already exists with a different design",
            hint="Use a new experiment id for a new design; the same payload may be resent.",
        )
    bound = {
        version.variant: version
        for version in list_versions(session=session, experiment_id=payload.experiment_id)
    }
    missing = [v.name for v in payload.variants if v.name not in bound]
    if missing:
        raise ConflictError(
            f"experiment {payload.experiment_id!r} exists but has no versions for "
            f"variant(s) {', '.join(missing)}",
            hint="Its row was made outside the Tuner; use a new experiment id.",
        )
    return [bound[variant.name] for variant in payload.variants]


def _prepared_concurrently(experiment_id: str) -> ConflictError:
    return ConflictError(
        f"experiment {experiment_id!r} was prepared at the same time by another writer",
        hint="Send the same payload again to get its versions.",
    )


def prepare_experiment(
    payload: PrepareExperiment | Mapping[str, Any],
    *,
    session: Session,
    now: datetime,
    initiated_by: str = "teacher",
) -> list[ParameterVersion]:
    """Create one candidate version per variant (active params + the variant's own).

    The `experiments` row is created with status `planned` and the payload as its design.
    Sending the same payload again returns the versions already made (safe after a crash);
    a different payload under an existing experiment id is a conflict.
    """
    parsed = parse_prepare_experiment(payload)
    design = parsed.model_dump(mode="json")
    checked = _variant_params(parsed)
    for params in checked.values():
        check_prompts_registered(params, session=session)
    existing = _existing(parsed, design, session=session)
    if existing is not None:
        return existing
    base = active_version(session=session)
    base_params = effective_params(base)
    created: list[ParameterVersion] = []
    with atomic(session, on_conflict=lambda: _prepared_concurrently(parsed.experiment_id)):
        session.add(
            Experiment(
                id=parsed.experiment_id,
                hypothesis=parsed.hypothesis,
                design=design,
                status="planned",
                created_at=now,
            )
        )
        for variant in parsed.variants:
            params = {**base_params, **checked[variant.name]}
            reason = f"experiment {parsed.experiment_id}, variant {variant.name}"
            if parsed.hypothesis:
                reason += f": {parsed.hypothesis}"
            version = ParameterVersion(
                params=params,
                status="candidate",
                parent_id=None if base is None else base.id,
                experiment_id=parsed.experiment_id,
                variant=variant.name,
                reason=reason,
                initiated_by=initiated_by,
                created_at=now,
            )
            session.add(version)
            session.flush()
            record_change(
                session,
                action="prepare_experiment",
                version=version,
                from_version=base,
                changes=[d.to_dict() for d in diff_params(base_params, params)],
                reason=reason,
                initiated_by=initiated_by,
                experiment_id=parsed.experiment_id,
                now=now,
            )
            created.append(version)
    return created

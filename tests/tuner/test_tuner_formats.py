"""The machine formats: the seeds' payloads parse, bad ones are refused naming the field."""

from __future__ import annotations

import pytest

from selflearn.errors import InvalidInputError
from selflearn.tuner import (
    AutonomyPolicy,
    PrepareExperiment,
    RollbackConditions,
    StepLimit,
    UpdateParams,
    parse_prepare_experiment,
    parse_update_params,
)

SEED_PREPARE = {
    "type": "prepare_experiment",
    "experiment_id": "top_k_3_vs_2",
    "variants": [
        {"name": "baseline", "params": {"retrieval.top_k": 3}},
        {"name": "variant", "params": {"retrieval.top_k": 2}},
    ],
}
SEED_UPDATE = {
    "action": "update_params",
    "reason": "top_k=2 gives +8% precision at -2% recall",
    "changes": [{"param": "retrieval.top_k", "from": 3, "to": 2}],
    "rollback_conditions": {"precision_drop": 0.1, "cycles": 3},
}


def test_seed_payloads_parse_and_round_trip():
    prepare = parse_prepare_experiment(SEED_PREPARE)
    assert isinstance(prepare, PrepareExperiment)
    assert [v.name for v in prepare.variants] == ["baseline", "variant"]
    update = parse_update_params(SEED_UPDATE)
    assert isinstance(update, UpdateParams)
    assert update.changes[0].from_ == 3 and update.changes[0].to == 2
    assert update.rollback_conditions == RollbackConditions(precision_drop=0.1, cycles=3)
    assert update.initiated_by == "teacher"
    payload = update.to_payload()
    assert payload["changes"] == [{"param": "retrieval.top_k", "from": 3, "to": 2}]
    assert parse_update_params(payload) == update


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**SEED_UPDATE, "changes": [{"param": "retrieval.top_k", "to": 2}]}, "changes.0.from"),
        ({**SEED_UPDATE, "reason": ""}, "reason"),
        ({**SEED_UPDATE, "changes": []}, "changes"),
        ({**SEED_UPDATE, "action": "delete_params"}, "action"),
        ({**SEED_UPDATE, "rollback_conditions": {"cycles": 0}}, "rollback_conditions.cycles"),
        ({**SEED_UPDATE, "surprise": 1}, "surprise"),
    ],
)
def test_bad_update_payload_names_the_field(payload, field):
    with pytest.raises(InvalidInputError) as caught:
        parse_update_params(payload)
    assert field in caught.value.message


def test_repeated_parameter_in_one_update_is_refused():
    change = {"param": "retrieval.top_k", "from": 3, "to": 2}
    with pytest.raises(InvalidInputError, match="repeated: retrieval.top_k"):
        parse_update_params({**SEED_UPDATE, "changes": [change, change]})


def test_bad_prepare_payloads_name_the_field():
    with pytest.raises(InvalidInputError, match="experiment_id"):
        parse_prepare_experiment({**SEED_PREPARE, "experiment_id": ""})
    with pytest.raises(InvalidInputError, match="variants"):
        parse_prepare_experiment({**SEED_PREPARE, "variants": SEED_PREPARE["variants"][:1]})
    twice = [SEED_PREPARE["variants"][0]] * 2
    with pytest.raises(InvalidInputError, match="unique, repeated: baseline"):
        parse_prepare_experiment({**SEED_PREPARE, "variants": twice})
    with pytest.raises(InvalidInputError, match="JSON object"):
        parse_prepare_experiment(["not", "a", "dict"])  # type: ignore[arg-type]


def test_autonomy_policy_limits_and_zones():
    policy = AutonomyPolicy()
    assert policy.needs_approval("retrieval.top_k", 5, 10) is None
    assert "exceeds the maximum of ±5" in policy.needs_approval("retrieval.top_k", 5, 11)
    assert "manual zone" in policy.needs_approval("responder.model", "default", "big")
    assert policy.needs_approval("retrieval.relevance_weight", 0.5, 0.8) is None
    assert policy.needs_approval("retrieval.relevance_weight", 0.5, 0.81) is not None
    assert "50%" in policy.needs_approval("context.max_tokens", 1500, 2500)
    narrow = AutonomyPolicy(
        allowed=["retrieval.top_k", "retrieval.keyword_count"],
        manual=["retrieval.keyword_count"],
        max_step={"retrieval.top_k": StepLimit(absolute=1)},
    )
    assert "not among the factors" in narrow.needs_approval("responder.temperature", 0.2, 0.3)
    assert "manual under the autonomy policy" in narrow.needs_approval(
        "retrieval.keyword_count", 6, 8
    )
    assert narrow.needs_approval("retrieval.top_k", 5, 4) is None
    assert narrow.needs_approval("retrieval.top_k", 5, 3) is not None


def test_autonomy_policy_refuses_unknown_factors_and_round_trips_as_json():
    with pytest.raises(ValueError, match="unknown parameter"):
        AutonomyPolicy(allowed=["retrieval.top_q"])
    with pytest.raises(ValueError, match="absolute"):
        StepLimit()
    policy = AutonomyPolicy(cooldowns={"retrieval.top_k": 7200})
    assert AutonomyPolicy.model_validate_json(policy.model_dump_json()) == policy
    assert policy.cooldown_for("retrieval.top_k").total_seconds() == 7200
    assert policy.cooldown_for("retrieval.keyword_count").total_seconds() == 3600

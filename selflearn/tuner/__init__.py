"""The Tuner: pure, deterministic parameter code (space, validation, versions, rules)."""

from selflearn.tuner.space import (
    REGISTRY,
    SPACE,
    ParamSpec,
    default_params,
    get_spec,
    validate_params,
)

__all__ = ["REGISTRY", "SPACE", "ParamSpec", "default_params", "get_spec", "validate_params"]

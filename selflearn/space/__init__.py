"""The parameter space: every impact factor with its type, range, default and zone (SPEC §4).

The shared vocabulary of the Student (which reads the factors) and the Tuner (which
validates and versions them): plain data and validation, importing nothing above the errors.
"""

from selflearn.space._factors import (
    ABSTAIN_POLICIES,
    ABSTENTION_PHRASE,
    ANSWER_STYLES,
    CONFLICT_POLICIES,
    FACT_SCOPES,
    GENERATED_PROMPT,
    PROMPT_VERSIONS,
    REGISTRY,
    SPACE,
    ParamSpec,
    default_params,
    get_spec,
    validate_params,
)

__all__ = [
    "ABSTAIN_POLICIES",
    "ABSTENTION_PHRASE",
    "ANSWER_STYLES",
    "CONFLICT_POLICIES",
    "FACT_SCOPES",
    "GENERATED_PROMPT",
    "PROMPT_VERSIONS",
    "REGISTRY",
    "SPACE",
    "ParamSpec",
    "default_params",
    "get_spec",
    "validate_params",
]

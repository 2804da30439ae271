"""Learners that run as tool nodes of the assistant's turn (SPEC §11), beside the Student.

`selflearn.learners.micrograph`: the bifurcation micrograph (§9). A learner reads and writes
its own tables through `selflearn.store` and embeds through `selflearn.providers`; it never
imports the Student, and the Student never imports it.
"""

from selflearn.learners import micrograph
from selflearn.learners.micrograph import (
    MICROGRAPH_FACTORS,
    Micrograph,
    MicrographConfig,
    MicrographStep,
)

__all__ = ["MICROGRAPH_FACTORS", "Micrograph", "MicrographConfig", "MicrographStep", "micrograph"]

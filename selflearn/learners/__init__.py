"""Learners that run as tool nodes of the assistant's turn (SPEC §11), beside the Student.

`selflearn.learners.micrograph`: the bifurcation micrograph (§9); `selflearn.learners.mirror`:
the mirror loop (§10). A learner reads and writes its own tables through `selflearn.store`
and embeds through `selflearn.providers`; it never imports the Student, and the Student
never imports it.
"""

from selflearn.learners import micrograph, mirror
from selflearn.learners.micrograph import (
    MICROGRAPH_FACTORS,
    Micrograph,
    MicrographConfig,
    MicrographStep,
)
from selflearn.learners.mirror import Feedback, MirrorConfig, MirrorLoop

__all__ = [
    "MICROGRAPH_FACTORS",
    "Feedback",
    "Micrograph",
    "MicrographConfig",
    "MicrographStep",
    "MirrorConfig",
    "MirrorLoop",
    "micrograph",
    "mirror",
]

"""Stable seeds: the same parts give the same seed on every machine and Python run."""

from __future__ import annotations

import hashlib
import random


def derive_seed(*parts: object) -> int:
    """Return a 63-bit seed derived from the parts (unlike `hash`, never salted)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode("utf-8"), digest_size=8)
    return int.from_bytes(digest.digest(), "big") >> 1


def rng_for(*parts: object) -> random.Random:
    """Return a private random generator seeded from the parts."""
    return random.Random(derive_seed(*parts))

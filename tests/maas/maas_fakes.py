"""Test helpers of the memory-service tests: an embedder whose similarities the test sets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from selflearn.providers import HashingEmbedder, words


class ConceptEmbedder:
    """Words of one concept share a direction; every other word adds only faint noise.

    So "zebra" and "striped horse" can be made near-identical for dense search while sharing
    no word for lexical search.
    """

    name = "concept-test"

    def __init__(self, concepts: Mapping[str, int], dimension: int = 384) -> None:
        self.concepts = dict(concepts)
        self.dimension = dimension
        self._noise = HashingEmbedder(dimension)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows = 0.05 * self._noise.embed(texts)
        for row, text in enumerate(texts):
            for word in words(text):
                if word in self.concepts:
                    rows[row, self.concepts[word]] += 1.0
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

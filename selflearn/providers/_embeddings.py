"""Embedders: an offline feature-hashing embedder and any OpenAI-compatible embedding endpoint.

The offline `HashingEmbedder` needs no download and no model: it hashes normalised, lightly
stemmed word unigrams, word bigrams and character n-grams into a fixed number of signed
buckets, weights repeated features sublinearly and L2-normalises each row. The hash is CRC-32
of the feature's UTF-8 bytes, so vectors are identical across processes and machines
(Python's own `hash` is salted per process and would not be).
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from selflearn.errors import (
    ConfigError,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimitError,
    ProviderResponseError,
    ProviderTimeoutError,
    ProviderUnavailableError,
)
from selflearn.providers._text import STOP_WORDS, light_stem, words

if TYPE_CHECKING:
    from selflearn.settings import Settings

__all__ = ["Embedder", "HashingEmbedder", "OpenAIEmbedder", "get_embedder"]


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into float32, L2-normalised row vectors of a fixed dimension."""

    name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class HashingEmbedder:
    """Deterministic offline embedder: signed feature hashing of words, bigrams and n-grams."""

    UNIGRAM_WEIGHT = 1.0
    BIGRAM_WEIGHT = 0.5
    # Total weight of a word's character n-grams relative to its unigram: they let
    # "educaton" meet "education" and "painting" meet "painted".
    CHARGRAM_WEIGHT = 0.6
    CHARGRAM_SIZES = (3, 4, 5)
    _CACHE_LIMIT = 200_000

    def __init__(self, dimension: int = 384) -> None:
        if dimension < 8:
            raise ConfigError(
                f"the hashing embedder needs at least 8 dimensions, got {dimension}",
                hint="Set SELFLEARN_EMBEDDING__DIMENSION to 8 or more (384 is the default).",
            )
        self.dimension = dimension
        self.name = "hashing-v1"
        self._word_rows: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._bigram_rows: dict[str, tuple[int, float]] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return one L2-normalised float32 row per text."""
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not one string")
        if len(self._word_rows) > self._CACHE_LIMIT or len(self._bigram_rows) > self._CACHE_LIMIT:
            self._word_rows.clear()
            self._bigram_rows.clear()
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            self._accumulate(out[row], text)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12).astype(np.float32)

    def _accumulate(self, vector: np.ndarray, text: str) -> None:
        tokens = words(text)
        content = [t for t in tokens if t not in STOP_WORDS] or tokens
        if not content:
            # Nothing word-like (emoji, punctuation, empty): hash the raw string instead.
            index, sign = self._bucket("raw:" + text.strip())
            vector[index] += sign
            return
        for word, count in Counter(content).items():
            indices, weights = self._word_row(word)
            vector[indices] += weights * np.float32(1.0 + math.log(count))
        stems = [light_stem(t) for t in content]
        for pair, count in Counter(zip(stems, stems[1:], strict=False)).items():
            index, weight = self._bigram_row(pair)
            vector[index] += weight * (1.0 + math.log(count))

    def _word_row(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        cached = self._word_rows.get(word)
        if cached is not None:
            return cached
        buckets: dict[int, float] = {}
        index, sign = self._bucket("w:" + light_stem(word))
        buckets[index] = buckets.get(index, 0.0) + sign * self.UNIGRAM_WEIGHT
        marked = f"<{word}>"
        grams = [
            marked[i : i + n]
            for n in self.CHARGRAM_SIZES
            for i in range(len(marked) - n + 1)
            if n < len(marked)
        ]
        if grams:
            share = self.CHARGRAM_WEIGHT / math.sqrt(len(grams))
            for gram in grams:
                index, sign = self._bucket("c:" + gram)
                buckets[index] = buckets.get(index, 0.0) + sign * share
        result = (
            np.fromiter(buckets.keys(), dtype=np.intp, count=len(buckets)),
            np.fromiter(buckets.values(), dtype=np.float32, count=len(buckets)),
        )
        self._word_rows[word] = result
        return result

    def _bigram_row(self, pair: tuple[str, str]) -> tuple[int, float]:
        key = pair[0] + " " + pair[1]
        cached = self._bigram_rows.get(key)
        if cached is None:
            index, sign = self._bucket("b:" + key)
            cached = (index, sign * self.BIGRAM_WEIGHT)
            self._bigram_rows[key] = cached
        return cached

    def _bucket(self, feature: str) -> tuple[int, float]:
        digest = zlib.crc32(feature.encode("utf-8"))
        return digest % self.dimension, 1.0 if (digest // self.dimension) & 1 else -1.0


def _supports_dimensions(model: str) -> bool:
    # OpenAI's v3 embedding models can shorten their vectors on request; older ones and most
    # local servers reject the parameter.
    return model.startswith("text-embedding-3")


class OpenAIEmbedder:
    """Embeddings from an OpenAI-compatible endpoint, checked against the configured dimension."""

    def __init__(self, settings: Settings, **client_options: Any) -> None:
        from langchain_openai import OpenAIEmbeddings

        config = settings.embedding
        api_key = config.api_key or settings.openai_api_key
        base_url = config.base_url or settings.openai_base_url
        if api_key is None and base_url is None:
            raise ConfigError(
                "the openai embedding provider has no API key",
                hint="Set SELFLEARN_EMBEDDING__API_KEY (or OPENAI_API_KEY), point "
                "SELFLEARN_EMBEDDING__BASE_URL at a local server, or set "
                "SELFLEARN_EMBEDDING__PROVIDER=offline.",
            )
        self.dimension = config.dimension
        self.name = config.model
        options: dict[str, Any] = {
            "model": config.model,
            "api_key": api_key.get_secret_value() if api_key is not None else "unused",
            "base_url": base_url,
            "timeout": config.timeout_s,
            "max_retries": config.max_retries,
            # Otherwise the client downloads a tokenizer at run time and sends token ids,
            # which fails offline and which vLLM/Ollama reject.
            "check_embedding_ctx_length": False,
        }
        if _supports_dimensions(config.model):
            options["dimensions"] = config.dimension
        options.update(client_options)
        self._client = OpenAIEmbeddings(**options)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return one L2-normalised float32 row per text, or raise a typed ProviderError."""
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not one string")
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        try:
            rows = self._client.embed_documents(list(texts))
        except Exception as error:
            raise _map_embedding_error(error) from error
        try:
            matrix = np.asarray(rows, dtype=np.float32)
        except (TypeError, ValueError) as error:
            raise ProviderResponseError(
                f"the embedding endpoint returned vectors of uneven length: {error}"
            ) from error
        if matrix.ndim != 2 or matrix.shape[0] != len(texts):
            raise ProviderResponseError(
                f"the embedding endpoint returned {matrix.shape[0] if matrix.ndim else 0} "
                f"vectors for {len(texts)} texts"
            )
        if matrix.shape[1] != self.dimension:
            raise ProviderResponseError(
                f"the embedding model {self.name!r} returned {matrix.shape[1]}-dimensional "
                f"vectors but the schema stores {self.dimension}",
                hint="Set SELFLEARN_EMBEDDING__DIMENSION to the model's dimension before the "
                "schema is created, or choose a model that supports the `dimensions` option.",
            )
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.maximum(norms, 1e-12)


def _map_embedding_error(error: Exception) -> ProviderError:
    import openai

    hint_key = "SELFLEARN_EMBEDDING__API_KEY (or OPENAI_API_KEY)"
    if isinstance(error, ProviderError):
        return error
    if isinstance(error, openai.AuthenticationError | openai.PermissionDeniedError):
        return ProviderAuthError(
            f"the embedding provider rejected the API key ({error.status_code})",
            hint=f"Set {hint_key} to a valid key.",
        )
    if isinstance(error, openai.RateLimitError):
        return ProviderRateLimitError(
            "the embedding provider kept answering 429 (rate limited) after every retry",
            hint="Wait, lower the load, or raise SELFLEARN_EMBEDDING__MAX_RETRIES.",
        )
    if isinstance(error, openai.APITimeoutError):
        return ProviderTimeoutError(
            "the embedding provider did not answer in time",
            hint="Raise SELFLEARN_EMBEDDING__TIMEOUT_S or check the endpoint.",
        )
    if isinstance(error, openai.InternalServerError | openai.APIConnectionError):
        return ProviderUnavailableError(
            f"the embedding provider failed after every retry: {error}",
            hint="Check SELFLEARN_EMBEDDING__BASE_URL and that the server is up.",
        )
    if isinstance(error, openai.APIStatusError):
        return ProviderError(
            f"the embedding provider refused the request ({error.status_code}): {error}",
            hint="Check SELFLEARN_EMBEDDING__MODEL and SELFLEARN_EMBEDDING__BASE_URL.",
        )
    return ProviderResponseError(f"the embedding provider answered unexpectedly: {error}")


def get_embedder(settings: Settings) -> Embedder:
    """Return the embedder the settings select (offline hashing unless configured)."""
    if settings.embedding.provider == "openai":
        return OpenAIEmbedder(settings)
    return HashingEmbedder(settings.embedding.dimension)

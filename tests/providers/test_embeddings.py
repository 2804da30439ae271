"""Embedders: the offline hashing embedder, and OpenAIEmbedder against respx-mocked HTTP."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import numpy as np
import pytest
import respx

from selflearn.errors import (
    ConfigError,
    ProviderAuthError,
    ProviderResponseError,
    ProviderUnavailableError,
)
from selflearn.providers import (
    Embedder,
    HashingEmbedder,
    OpenAIEmbedder,
    get_embedder,
    light_stem,
)
from selflearn.settings import Settings

URL = "http://embed.test/v1/embeddings"


def test_hashing_rows_are_unit_float32_of_the_configured_dimension():
    vectors = HashingEmbedder(64).embed(["I adopted a dog", "", "🙂", "the and of"])
    assert vectors.shape == (4, 64) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_hashing_is_deterministic_across_processes():
    texts = ["Odile went to a pottery class", "Bram repairs old radios"]
    here = HashingEmbedder().embed(texts)
    code = (
        "import json; from selflearn.providers import HashingEmbedder; "
        f"print(json.dumps(HashingEmbedder().embed({texts!r}).tolist()))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
    )
    assert np.allclose(here, np.array(json.loads(other.stdout), dtype=np.float32))


def test_hashing_ranks_related_texts_above_unrelated_ones():
    embedder = HashingEmbedder()
    query, related, unrelated = embedder.embed(
        ["when did she paint the sunrise", "I painted a sunrise over the lake", "my car broke"]
    )
    assert float(query @ related) > 0.2 > float(query @ unrelated)
    # Character n-grams tolerate a misspelling.
    typo, right, other = embedder.embed(["educaton", "education", "vacation"])
    assert float(typo @ right) > 0.12 > float(typo @ other)


def test_light_stem_conflates_inflections():
    assert {light_stem(w) for w in ("move", "moved", "moving")} == {"mov"}
    assert light_stem("agencies") == "agency" and light_stem("painting") == "paint"


def test_hashing_rejects_a_bare_string_and_tiny_dimensions():
    with pytest.raises(TypeError):
        HashingEmbedder().embed("one text")
    with pytest.raises(ConfigError):
        HashingEmbedder(4)


def _settings(model: str = "text-embedding-3-small", dimension: int = 8) -> Settings:
    return Settings(
        embedding={
            "provider": "openai",
            "model": model,
            "dimension": dimension,
            "base_url": "http://embed.test/v1",
            "api_key": "sk-test",
            "max_retries": 0,
        }
    )


def _payload(rows: list[list[float]]) -> dict:
    return {
        "object": "list",
        "model": "text-embedding-3-small",
        "data": [{"object": "embedding", "index": i, "embedding": r} for i, r in enumerate(rows)],
        "usage": {"prompt_tokens": 3, "total_tokens": 3},
    }


@respx.mock
def test_openai_embedder_sends_text_and_dimensions_and_normalises():
    route = respx.post(URL).mock(
        return_value=httpx.Response(200, json=_payload([[3.0, 4.0] + [0.0] * 6, [1.0] * 8]))
    )
    embedder = get_embedder(_settings())
    assert isinstance(embedder, OpenAIEmbedder) and isinstance(embedder, Embedder)
    vectors = embedder.embed(["hello", "world"])
    sent = json.loads(route.calls.last.request.content)
    assert sent["input"] == ["hello", "world"]  # text, not token ids: no tokenizer download
    assert sent["dimensions"] == 8
    assert route.calls.last.request.headers["authorization"] == "Bearer sk-test"
    assert vectors.shape == (2, 8)
    assert np.allclose(vectors[0][:2], [0.6, 0.8])


@respx.mock
def test_openai_embedder_omits_dimensions_for_models_without_it():
    route = respx.post(URL).mock(return_value=httpx.Response(200, json=_payload([[1.0] * 8])))
    OpenAIEmbedder(_settings(model="nomic-embed-text")).embed(["x"])
    assert "dimensions" not in json.loads(route.calls.last.request.content)


@respx.mock
def test_openai_embedder_refuses_vectors_of_another_dimension():
    respx.post(URL).mock(return_value=httpx.Response(200, json=_payload([[1.0] * 5])))
    with pytest.raises(ProviderResponseError, match="5-dimensional"):
        OpenAIEmbedder(_settings()).embed(["x"])


@respx.mock
def test_openai_embedder_maps_http_failures_to_typed_errors():
    respx.post(URL).mock(return_value=httpx.Response(401, json={"error": {"message": "bad"}}))
    with pytest.raises(ProviderAuthError):
        OpenAIEmbedder(_settings()).embed(["x"])
    respx.post(URL).mock(return_value=httpx.Response(503, json={"error": {"message": "down"}}))
    with pytest.raises(ProviderUnavailableError):
        OpenAIEmbedder(_settings()).embed(["x"])


def test_openai_embedder_needs_a_key_or_a_server():
    settings = Settings(embedding={"provider": "openai", "model": "m"}, openai_api_key=None)
    with pytest.raises(ConfigError):
        OpenAIEmbedder(settings)


def test_get_embedder_defaults_to_offline_hashing():
    embedder = get_embedder(Settings(embedding={"dimension": 32}))
    assert isinstance(embedder, HashingEmbedder) and embedder.dimension == 32

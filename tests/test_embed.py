"""rag.embed: query vectors are remembered, passages are always encoded, and order is kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from rag import embed
from rag.embed import SentenceTransformerEmbedder


class CountingModel:
    """Stands in for a SentenceTransformer: a vector per text from its length, and a log of what was encoded."""

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def _encode(self, texts: list[str], **_: Any) -> np.ndarray:
        self.encoded.extend(texts)
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    encode_query = encode_document = _encode

    def get_sentence_embedding_dimension(self) -> int:
        return 2


def _embedder() -> tuple[SentenceTransformerEmbedder, CountingModel]:
    e = SentenceTransformerEmbedder("fake", Path("/nonexistent"))
    model = CountingModel()
    e._st = model  # type: ignore[assignment]
    return e, model


def test_a_query_embedded_again_is_not_encoded_again() -> None:
    e, model = _embedder()
    first = e.embed(["a question?", "the whole question?"], "query")
    again = e.embed(["part?", "the whole question?"], "query")
    assert model.encoded == ["a question?", "the whole question?", "part?"]
    assert np.array_equal(again[1], first[1]) and again[0][0] == len("part?"), "rows keep the order asked"
    e.embed(["same passage"], "passage")
    e.embed(["same passage"], "passage")
    assert model.encoded[-2:] == ["same passage", "same passage"], "passages are not cached"
    assert e.embed([], "query").shape == (0, 2)


def test_the_query_cache_is_bounded(monkeypatch: Any) -> None:
    monkeypatch.setattr(embed, "QUERY_CACHE", 3)
    e, model = _embedder()
    e.embed([f"q{i}" for i in range(5)] + ["q0"], "query")  # a duplicate within one call is encoded once
    assert model.encoded == [f"q{i}" for i in range(5)]
    e.embed(["q0", "q4"], "query")
    assert model.encoded[-1] == "q0", "the oldest were dropped, the newest kept"


def test_forgetting_queries_makes_the_next_one_encoded_and_skips_embedders_without_a_memory() -> None:
    e, model = _embedder()
    e.embed(["q?"], "query")
    embed.forget_queries(e)
    e.embed(["q?"], "query")
    assert model.encoded == ["q?", "q?"]
    embed.forget_queries(CountingModel())  # type: ignore[arg-type]  # no memory: nothing to clear, no error

"""rag.embed: query vectors are remembered, passages are always encoded, and order is kept."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch

from rag import embed
from rag.embed import SentenceTransformerEmbedder


class FakeTokenizer:
    """Whitespace words as pieces, with their character offsets."""

    all_special_tokens: tuple[str, ...] = ()

    def __call__(self, text: str, **_: Any) -> dict[str, list[Any]]:
        spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
        return {"input_ids": list(range(len(spans))), "offset_mapping": spans, "words": [text[a:b] for a, b in spans]}

    def convert_ids_to_tokens(self, ids: list[int]) -> list[str]:
        return [f"w{i}" for i in ids]


class CountingModel:
    """Stands in for a SentenceTransformer: a vector per text from its length (and one per word), and a log of
    what was encoded."""

    prompts: ClassVar[dict[str, str]] = {}
    max_seq_length = 512
    tokenizer = FakeTokenizer()

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def _encode(self, texts: list[str], **_: Any) -> np.ndarray:
        self.encoded.extend(texts)
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    encode_query = encode_document = _encode

    def encode(self, texts: list[str], output_value: str | None = "sentence_embedding", **_: Any) -> list[Any]:
        """As sentence-transformers does: token vectors trimmed when asked for alone, but padded to the batch's
        longest text (with an attention mask) when all outputs are asked for."""
        self.encoded.extend(texts)
        longest = max(len(t.split()) for t in texts)
        out: list[Any] = []
        for t in texts:
            words = [[len(w), 1.0] for w in t.split()]
            if output_value == "token_embeddings":
                out.append(torch.tensor(words))
                continue
            padding = longest - len(words)
            out.append({"sentence_embedding": torch.tensor([len(t), 1.0]),
                        "token_embeddings": torch.tensor(words + [[9.0, 9.0]] * padding),
                        "attention_mask": torch.tensor([1] * len(words) + [0] * padding)})
        return out

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
    assert np.array_equal(again[1], first[1]), "rows keep the order asked"
    assert np.isclose(again[0][0] / again[0][1], len("part?")) and np.isclose(np.linalg.norm(again[0]), 1.0)
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


def test_a_query_s_vector_and_word_pieces_come_from_one_pass_and_are_remembered_together() -> None:
    e, model = _embedder()
    e.embed(["wer ist das?", "und was sagte er dazu genau?"], "query")
    pieces = e.embed_with_tokens(["wer ist das?"], "query")[1][0]
    assert model.encoded == ["wer ist das?", "und was sagte er dazu genau?"], "the word pieces came with the vector"
    assert pieces.shape == (3, 2), "not the padding up to the longer text's six words"
    assert np.allclose(np.linalg.norm(pieces, axis=1), 1.0)
    vectors, _ = e.embed_with_tokens(["ein satz"], "passage")
    e.embed_with_tokens(["ein satz"], "passage")
    assert model.encoded[-2:] == ["ein satz", "ein satz"], "passages are not remembered"
    assert vectors.shape == (1, 2) and np.isclose(np.linalg.norm(vectors[0]), 1.0), "a unit vector, as `embed` gives"

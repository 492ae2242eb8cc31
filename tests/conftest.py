"""Shared fixtures: a small fake embedder for unit tests, and the real pipeline built once per session."""

from __future__ import annotations

import hashlib
import math
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from rag import RAG, AnswerPolicy, Settings
from rag.lexical import analyze

os.environ["HF_HUB_OFFLINE"] = "1"
PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT / "index" / "corpus"


class FakeEmbedder:
    """Bag of analysed words hashed into 256 dimensions: deterministic, instant, lexical only."""

    name = "fake-embedder"

    def __init__(self) -> None:
        self.calls: list[tuple[int, str]] = []  # (number of texts, kind) per call

    def embed(self, texts: Sequence[str], kind: str) -> np.ndarray:
        self.calls.append((len(texts), kind))
        out = np.zeros((len(texts), 256), dtype=np.float32)
        for i, text in enumerate(texts):
            for token in analyze(text) or ["\x00"]:
                out[i, int(hashlib.md5(token.encode()).hexdigest(), 16) % 256] += 1.0
            out[i] /= np.linalg.norm(out[i]) or 1.0
        return out

    @property
    def embedded(self) -> int:
        return sum(n for n, kind in self.calls if kind == "passage")


class FakeTokenEmbedder(FakeEmbedder):
    """The fake bag-of-words embedder, plus one hashed unit vector per analysed word."""

    def __init__(self) -> None:
        super().__init__()
        self.token_calls: list[tuple[tuple[str, ...], str]] = []

    def embed_with_tokens(self, texts: Sequence[str], kind: str) -> tuple[np.ndarray, list[np.ndarray]]:
        return self.embed(texts, kind), self.embed_tokens(texts, kind)

    def embed_tokens(self, texts: Sequence[str], kind: str) -> list[np.ndarray]:
        self.token_calls.append((tuple(texts), kind))
        out = []
        for text in texts:
            rows = []
            for token in analyze(text) or ["\x00"]:
                v = np.zeros(64, dtype=np.float32)
                v[int(hashlib.md5(token.encode()).hexdigest(), 16) % 64] = 1.0
                rows.append(v)
            out.append(np.stack(rows))
        return out

    def encoded(self, kind: str) -> int:
        return sum(len(texts) for texts, k in self.token_calls if k == kind)


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def fake_token_embedder() -> FakeTokenEmbedder:
    return FakeTokenEmbedder()


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the default corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def fake_rag(tmp_path: Path, corpus_copy: Path, fake_embedder: FakeEmbedder) -> RAG:
    """The real pipeline (cleaning, chunking, Chroma, BM25) with the fake embedder, not yet indexed."""
    settings = Settings.from_env(env={}, corpus_dir=corpus_copy, index_dir=tmp_path / "chroma", dictionary="off")
    # How much nearer a question may be to a ticker line than to the articles is calibrated in e5's space; hashed
    # words make English questions and German articles strangers, and collide with a ticker line at random.
    return RAG(settings=settings, embedder=fake_embedder, policy=AnswerPolicy(other_story_lead=math.inf))


@pytest.fixture(scope="session")
def real_rag(tmp_path_factory: pytest.TempPathFactory) -> RAG:
    """The real pipeline with the real model, the default corpus indexed once for the session."""
    index_dir = tmp_path_factory.mktemp("real-index")
    settings = Settings.from_env(env={}, corpus_dir=CORPUS, index_dir=index_dir)
    rag = RAG(settings=settings)
    rag.index()
    return rag

"""Late interaction: every word piece of a question looks for its best match in a sentence (ColBERT's
MaxSim, with the embedding model's own token vectors). The sentences' token vectors are derived data,
kept in a content-keyed file beside the index, so unchanged text is never encoded twice."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from .embed import Kind
from .store import derived_path, save_arrays

# A question's pieces are z-scored across the sentences, and a sentence is scored by the mean of its better
# half: the other half are the question's function words and its premise, which match everything or nothing.
# Measured over dev and 13 held-out sets: 0.5 beats the plain mean (1.0) and a third (0.33).
TOP_SHARE = 0.5
FORMAT = 1  # bumped whenever which pieces are kept, or how, changes: the cache file's name carries it


@runtime_checkable
class TokenEmbedder(Protocol):
    """An embedder that can also give one unit vector per word piece of a text (with the text's vector)."""

    name: str

    def embed_with_tokens(self, texts: Sequence[str], kind: Kind) -> tuple[np.ndarray, list[np.ndarray]]: ...


@dataclass(frozen=True)
class TokenMatrix:
    """The token vectors of many sentences, stacked; sentence i owns rows offsets[i]:offsets[i+1]."""

    vectors: np.ndarray
    offsets: np.ndarray  # one start per sentence


def late_scores(question: np.ndarray, matrix: TokenMatrix) -> np.ndarray:
    """Per sentence: each question piece's best cosine in it, z-scored across sentences (a piece that
    matches every sentence says nothing), averaged over the question's better-matching half."""
    if len(matrix.offsets) == 0 or len(question) == 0:
        return np.zeros(len(matrix.offsets), dtype=np.float32)
    import torch  # the product in torch's thread pool: numpy's BLAS threads would spin against the model's

    sims = (torch.from_numpy(np.ascontiguousarray(question, dtype=np.float32)) @ torch.from_numpy(matrix.vectors).T)
    best = np.maximum.reduceat(sims.numpy(), matrix.offsets, axis=1).T  # sentences x pieces
    spread = best.std(axis=0)
    z = (best - best.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    top = max(1, round(z.shape[1] * TOP_SHARE))
    return np.asarray(-np.sort(-z, axis=1)[:, :top].mean(axis=1), dtype=np.float32)


class TokenVectors:
    """The indexed sentences' token vectors by sentence id, in a file beside the index. Missing ones (an
    index built elsewhere, or by an older version) are encoded on first use and added; never stale,
    because ids are content hashes."""

    def __init__(self, path: Path, embedder: TokenEmbedder) -> None:
        self.path = path
        self.embedder = embedder
        self._lock = threading.Lock()
        self._vectors: dict[str, np.ndarray] | None = None
        self._added = False  # vectors given by `add` and not yet saved

    def add(self, encoded: dict[str, np.ndarray]) -> None:
        """Keep token vectors encoded elsewhere (with the sentences' vectors, at index time); the next
        `ensure` saves them."""
        with self._lock:
            self._load().update((i, v.astype(np.float16)) for i, v in encoded.items())
            self._added = self._added or bool(encoded)

    def matrix(self, sentences: Sequence[tuple[str, str]]) -> TokenMatrix:
        """A matrix for (id, text) pairs in this order, encoding the texts not seen before."""
        vectors = self.ensure(sentences)
        stacked, offsets = _stack([vectors[i] for i, _ in sentences])
        return TokenMatrix(stacked.astype(np.float32), offsets)

    def ensure(self, sentences: Sequence[tuple[str, str]], keep_only: bool = False) -> dict[str, np.ndarray]:
        """Encode what is missing and save; with `keep_only`, forget ids not given (after re-indexing)."""
        with self._lock:
            vectors = self._load()
            missing = [(i, t) for i, t in dict(sentences).items() if i not in vectors]
            batch = 128
            for start in range(0, len(missing), batch):
                part = missing[start : start + batch]
                _, encoded = self.embedder.embed_with_tokens([t for _, t in part], "passage")
                vectors.update((i, v.astype(np.float16)) for (i, _), v in zip(part, encoded, strict=True))
            gone = set(vectors) - {i for i, _ in sentences} if keep_only else set()
            for i in gone:
                del vectors[i]
            if missing or gone or self._added:
                self._save(vectors)
                self._added = False
            return vectors

    def _load(self) -> dict[str, np.ndarray]:
        if self._vectors is None:
            self._vectors = {}
            if self.path.exists():
                try:
                    with np.load(self.path, allow_pickle=False) as data:
                        ids, stacked, offsets = data["ids"], data["vectors"], data["offsets"]
                    bounds = [*offsets.tolist(), len(stacked)]
                    self._vectors = {str(i): stacked[bounds[n] : bounds[n + 1]] for n, i in enumerate(ids)}
                except (OSError, ValueError, KeyError):
                    self._vectors = {}  # a broken cache is rebuilt from the index, nothing is lost
        return self._vectors

    def _save(self, vectors: dict[str, np.ndarray]) -> None:
        stacked, offsets = _stack(list(vectors.values()))
        save_arrays(self.path, ids=np.array(list(vectors), dtype=str), vectors=stacked, offsets=offsets)


def _stack(rows: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Rows of several sentences as one array, and where each sentence's rows start."""
    if not rows:
        return np.zeros((0, 0), dtype=np.float16), np.zeros(0, dtype=np.int64)
    return np.concatenate(rows), np.cumsum([0] + [len(r) for r in rows[:-1]]).astype(np.int64)


def cache_path(index_dir: Path, collection: str, model: str) -> Path:
    """Where a collection's token vectors for one model live."""
    return derived_path(index_dir, collection, model, "late", FORMAT)

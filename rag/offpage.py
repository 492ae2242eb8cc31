"""What the pages carry beside the articles (other stories: teasers, tickers, link lists, promos; the author's bio;
photo captions and credits), kept apart from the index.

They are never searched or quoted. They serve as a contrast: a question that sits closer to one of them than
to any sentence of the articles is about what else the page carried, and the articles do not answer it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .chunk import content_id
from .embed import Embedder
from .schema import OtherStory
from .store import derived_path, save_arrays

FORMAT = 1  # bumped whenever what is stored per story changes: the file's name carries it


class OtherStories:
    """The other stories' sentence vectors in a file beside the index; unchanged sentences keep their vectors."""

    def __init__(self, path: Path, embedder: Embedder) -> None:
        self.path = path
        self.embedder = embedder
        self._lock = threading.Lock()
        self._loaded: tuple[list[OtherStory], np.ndarray] | None = None

    def ensure(self, stories: Sequence[OtherStory]) -> int:
        """Keep exactly these stories, embedding the ones not seen before; returns how many were embedded."""
        with self._lock:
            old, vectors = self._load()
            known = {_key(s): v for s, v in zip(old, vectors, strict=True)}
            wanted = list(dict.fromkeys(stories))
            missing = [s for s in wanted if _key(s) not in known]
            if missing:
                known.update(zip(map(_key, missing), self.embedder.embed([s.text for s in missing], "passage"),
                                 strict=True))
            if missing or wanted != old:
                matrix = np.stack([known[_key(s)] for s in wanted]) if wanted else np.zeros((0, 0), np.float32)
                self._loaded = (wanted, matrix.astype(np.float32))
                self._save()
            return len(missing)

    def __len__(self) -> int:
        with self._lock:
            return len(self._load()[0])

    def nearest(self, vector: np.ndarray) -> tuple[OtherStory, float] | None:
        """The story most similar to a query vector, and the cosine similarity; None when there are none."""
        with self._lock:
            stories, vectors = self._load()
        if not stories:
            return None
        sims = vectors @ vector
        best = int(np.argmax(sims))
        return stories[best], float(sims[best])

    def _load(self) -> tuple[list[OtherStory], np.ndarray]:
        if self._loaded is None:
            self._loaded = ([], np.zeros((0, 0), np.float32))
            if self.path.exists():
                try:
                    with np.load(self.path, allow_pickle=False) as data:
                        rows = data["stories"].tolist()
                        vectors = data["vectors"]
                    self._loaded = ([OtherStory(*row) for row in rows], vectors)
                except (OSError, ValueError, KeyError, TypeError):
                    pass  # a broken file is rebuilt by the next `rag index`; until then, no contrast
        return self._loaded

    def _save(self) -> None:
        assert self._loaded is not None
        stories, vectors = self._loaded
        rows = np.array([[s.source, s.title, s.reason, s.text] for s in stories], dtype=str).reshape(-1, 4)
        save_arrays(self.path, stories=rows, vectors=vectors)


def _key(story: OtherStory) -> str:
    return content_id(story.text)  # by text alone: the same line on two pages is embedded once


def stories_path(index_dir: Path, collection: str, model: str) -> Path:
    """Where a collection's other-story vectors for one model live."""
    return derived_path(index_dir, collection, model, "other-stories", FORMAT)

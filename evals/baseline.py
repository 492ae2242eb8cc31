"""The tutorial pipeline people build instead, as a yardstick: raw files, 1000-character chunks, cosine top-k.

Its "answer" is the top chunk's first two sentences with a `[1]` citation; it never abstains. That stands in
for the LLM such tutorials would call: whatever an LLM writes, it can only be as good as the chunk it reads,
and quoting that chunk keeps the comparison deterministic and offline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
from langchain_text_splitters import RecursiveCharacterTextSplitter

from .metrics import Passage

SUFFIXES = (".txt", ".md", ".html", ".htm")
# A sentence ends at . ! ? (plus closing quotes) before whitespace, or at a line break.
_SENTENCE = re.compile(r"[^\n]*?(?:[.!?…]+[\"'”“»«’)]*(?=\s)|(?=\n)|$)")


class Embedder(Protocol):
    """The slice of `rag.embed.Embedder` the baseline uses."""

    def embed(self, texts: Sequence[str], kind: Literal["query", "passage"]) -> np.ndarray: ...


@dataclass(frozen=True)
class BaselineAnswer:
    """The baseline's reply: text with one `[1]` marker and the verbatim quote it cites."""

    text: str
    source: str
    quote: str
    retrieved: tuple[Passage, ...]


def first_sentences(text: str, n: int = 2) -> str:
    """The verbatim span from the first to the n-th sentence of `text` (fragments without letters skipped)."""
    spans: list[tuple[int, int]] = []
    for m in _SENTENCE.finditer(text):
        piece = m.group()
        if any(ch.isalpha() for ch in piece):
            lead = len(piece) - len(piece.lstrip())
            spans.append((m.start() + lead, m.end()))
        if len(spans) == n:
            break
    if not spans:
        return text.strip()
    return text[spans[0][0] : spans[-1][1]].strip()


class TutorialBaseline:
    """Raw article files, RecursiveCharacterTextSplitter(1000, 200), the same embedder, in-memory cosine."""

    def __init__(self, corpus_dir: Path, embedder: Embedder) -> None:
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        self.embedder = embedder
        self.sources: list[str] = []
        self.texts: list[str] = []
        for path in sorted(p for p in corpus_dir.iterdir() if p.suffix.lower() in SUFFIXES):
            # What TextLoader does: read as UTF-8, no cleaning at all.
            raw = path.read_bytes().decode("utf-8", errors="replace")
            for chunk in splitter.split_text(raw):
                self.sources.append(path.name)
                self.texts.append(chunk)
        self.vectors = embedder.embed(self.texts, "passage") if self.texts else np.zeros((0, 1), np.float32)

    def retrieve(self, question: str, k: int) -> list[Passage]:
        """The k chunks with the highest cosine similarity to the question."""
        if not self.texts:
            return []
        q = self.embedder.embed([question], "query")[0]
        # Vectors are unit length, so the dot product is the cosine.
        sims = self.vectors @ q
        order = np.argsort(-sims)[:k]
        return [Passage(self.sources[i], self.texts[i], float(sims[i])) for i in order]

    def ask(self, question: str, k: int) -> BaselineAnswer:
        """Top chunk's first two sentences, cited as [1]; never abstains."""
        hits = self.retrieve(question, k)
        if not hits:
            return BaselineAnswer("", "", "", ())
        quote = first_sentences(hits[0].text)
        text = " ".join(quote.split()) + " [1]"
        return BaselineAnswer(text, hits[0].source, quote, tuple(hits))

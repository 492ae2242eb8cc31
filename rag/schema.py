"""The frozen records that travel through the pipeline: Document → Chunk → Hit → Answer."""

from __future__ import annotations

from dataclasses import dataclass, field

from .truecase import Shapes


@dataclass(frozen=True)
class Span:
    """A piece of an article's cleaned text: `text == article.text[start:end]`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class OtherStory:
    """A sentence the article's page carried beside its text (a teaser, a news ticker, a link list, a promo, the
    author's bio, a photo caption). Never searched or quoted: a question about it is answered with where it was."""

    source: str
    title: str  # of the article whose page carried it
    reason: str  # the cleaner's name for the block: "ticker", "teaser", ...
    text: str


@dataclass(frozen=True)
class Document:
    """One cleaned article."""

    source: str  # the article's file name, e.g. "002_39f7be16d6cdd615.txt"
    title: str
    date: str | None  # ISO date when the page states one
    text: str  # cleaned body; every offset in the pipeline points into this string
    content_hash: str
    other_stories: tuple[OtherStory, ...] = ()  # what else the page carried, dropped from the body


@dataclass(frozen=True)
class Chunk:
    """A token-sized passage of one article, with its sentences."""

    id: str  # content hash of (source, text): re-indexing the same text yields the same id
    source: str
    title: str
    date: str | None
    text: str
    start: int  # offsets into Document.text
    end: int
    position: int  # 0-based order of the chunk within its article
    sentences: tuple[Span, ...] = ()


@dataclass(frozen=True)
class ScoredSentence:
    """A sentence of a retrieved chunk with its relevance to the question."""

    span: Span
    score: float  # fused: dense z-score plus scaled BM25
    dense: float = 0.0  # cosine similarity to the question
    dense_z: float = 0.0  # that similarity in standard deviations above the corpus mean for this question
    # (asked in the articles' language, joined by the late-interaction match of its word pieces: rag.late)
    lexical: float = 0.0  # BM25 of the sentence, scaled to [0, 1] by the best sentence


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk, its fused score and its best-matching sentences (best first)."""

    chunk: Chunk
    score: float
    rank: int
    sentences: tuple[ScoredSentence, ...] = ()


@dataclass(frozen=True)
class CorpusProfile:
    """What the answerer needs to know about the indexed text as a whole."""

    vocabulary: frozenset[str]  # every analysed term (to spot questions about things it never mentions)
    language: str  # "de" or "en": the language most of it is written in
    sentences: int  # how many sentences the dense z-scores are computed over
    acronyms: tuple[tuple[str, str], ...] = ()  # ("OVKS", "Organisation des Vertrags über kollektive Sicherheit")
    shapes: Shapes = field(default_factory=Shapes)  # how it writes its words, to give case back to questions


@dataclass(frozen=True)
class Citation:
    """A verbatim quote from an article that backs part of an answer, numbered as `[n]` in it."""

    n: int
    source: str
    title: str
    quote: str
    start: int  # offsets of the quote in the cleaned article text
    end: int
    date: str | None = None


@dataclass(frozen=True)
class Answer:
    """What `RAG.ask` returns: the answer text with `[n]` markers, its citations and the evidence."""

    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...]
    hits: tuple[Hit, ...]
    language: str  # "en" or "de": the language the answer is framed in
    mode: str = "extractive"  # "extractive", "llm" or "extractive-fallback"
    notice: str = ""  # shown to the user, e.g. why the LLM was not used
    confidence: float = 0.0


@dataclass(frozen=True)
class IndexStats:
    """What one `RAG.index()` run did."""

    added: int = 0  # new chunks and sentences embedded
    unchanged: int = 0  # already in the store with the same content: not re-embedded
    updated: int = 0  # same text, new position: metadata refreshed, not re-embedded
    removed: int = 0  # stale records of edited or deleted articles
    articles: int = 0
    chunks: int = 0
    sentences: int = 0
    other_stories: int = 0  # sentences the pages carry beside the articles (tickers, captions), kept apart
    skipped: tuple[tuple[str, str], ...] = field(default=())  # (file, reason) not indexed
    seconds: float = 0.0

"""Hybrid retrieval: dense (e5 via Chroma) and BM25, at chunk and sentence level, fused by RRF."""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from .embed import Embedder
from .late import TokenMatrix, TokenVectors, late_scores
from .lexical import LexicalIndex, detect_language
from .schema import Chunk, CorpusProfile, Hit, ScoredSentence, Span
from .sentences import CONSEQUENCE, heading_in, is_heading, is_rhetorical
from .store import ChromaStore
from .translate import acronym_definitions
from .truecase import shapes_of

RRF_K = 60  # the constant from Cormack et al.; large enough that rank 1 does not dominate
# Weights of the four chunk rankings fused by RRF: chunk dense, best-sentence dense, chunk BM25, best-sentence
# BM25. Asked across languages, only names can match lexically, so the dense rankings count more
# (measured on the dev and the held-out gold sets: English MRR@10 0.765 -> 0.811 and 0.726 -> 0.762).
FUSION_WEIGHTS = (1.0, 1.0, 1.0, 1.0)
CROSS_LINGUAL_WEIGHTS = (2.0, 1.0, 0.5, 0.5)
LEXICAL_WEIGHT = 1.0  # a perfect BM25 sentence counts like one standard deviation of dense similarity
# Asked across languages, what matches lexically is a name, a number or a cognate: the sentence that holds
# it is about the thing asked more surely than e5's cross-lingual similarity says. Measured plateau 1.25-1.5
# (dev abstain_correct 0.647 -> 0.706, held-out fresh2 answer_correct 0.667 -> 0.733, nothing lost);
# at 1.75 answers are lost.
CROSS_LINGUAL_LEXICAL_WEIGHT = 1.25
MAX_DENSE = 2000  # nearest sentences/chunks asked of Chroma per question
# Late interaction (rag.late) joins a sentence's dense z-score with this weight when the question is in the
# articles' language. Measured over dev and 13 held-out sets: at 0.75-2.0, +3 answers and +2 declines, nothing
# lost (0.5: +2 and +1); above 0.75, "Wie viele Russen leben in Kasachstan, und welchen Anteil …?" quotes the
# 100'000 who fled instead of the 20 percent. Across languages word pieces match poorly (at 1.0: 1 English
# answer gained, 2 lost), so it is not used there.
LATE_WEIGHT = 0.75


@dataclass(frozen=True)
class SentenceRef:
    """A stored sentence: its span in the article and the chunk that holds it."""

    id: str
    span: Span
    chunk_id: str
    matched: str  # what is matched: the text, with the names its descriptions refer to (see rag.coref)


class Retriever:
    """Loads chunk and sentence texts from the store once; scores a question against all of them."""

    def __init__(self, store: ChromaStore, embedder: Embedder, tokens: TokenVectors | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.tokens = tokens  # the sentences' token vectors, when the embedder gives them
        self._token_matrix: TokenMatrix | None = None
        self._lock = threading.Lock()
        self._chunks: dict[str, Chunk] | None = None
        self._sentences: list[SentenceRef] = []
        self._holders: list[list[str]] = []  # for each sentence, the ids of the chunks that hold it
        self._chunk_ids: list[str] = []
        self._chunk_bm25: LexicalIndex | None = None
        self._sentence_bm25: LexicalIndex | None = None
        self._profile = CorpusProfile(frozenset(), "de", 0)

    def invalidate(self) -> None:
        """Forget the loaded texts (after re-indexing)."""
        with self._lock:
            self._chunks = None
            self._token_matrix = None

    @property
    def chunks(self) -> dict[str, Chunk]:
        """All stored chunks by id, loaded on first use."""
        self._load()
        assert self._chunks is not None
        return self._chunks

    @property
    def profile(self) -> CorpusProfile:
        """Vocabulary, language and size of the indexed text, loaded on first use."""
        self._load()
        return self._profile

    def _load(self) -> None:
        with self._lock:
            if self._chunks is not None:
                return
            chunk_sentences: dict[str, list[Span]] = defaultdict(list)
            sentences: list[SentenceRef] = []
            for r in self.store.records("sentence"):
                span = Span(int(r.meta["start"]), int(r.meta["end"]), r.text)
                matched = str(r.meta.get("resolved") or r.text)
                sentences.append(SentenceRef(r.id, span, str(r.meta["chunk_id"]), matched))
            chunks: dict[str, Chunk] = {}
            for r in self.store.records("chunk"):
                m = r.meta
                chunks[r.id] = Chunk(
                    id=r.id,
                    source=str(m["source"]),
                    title=str(m["title"]),
                    date=str(m["date"]) or None,
                    text=r.text,
                    start=int(m["start"]),
                    end=int(m["end"]),
                    position=int(m["position"]),
                )
            by_source: dict[str, list[Chunk]] = defaultdict(list)
            for c in chunks.values():
                by_source[c.source].append(c)
            holders = [[c.id for c in _containing(chunks, by_source, s)] for s in sentences]
            for s, ids in zip(sentences, holders, strict=True):
                for cid in ids:
                    chunk_sentences[cid].append(s.span)
            self._holders = holders
            self._chunks = self._with_context({
                cid: _with_sentences(c, chunk_sentences[cid]) for cid, c in chunks.items()
            }, sentences)
            self._sentences = sentences
            self._chunk_ids = list(chunks)
            self._chunk_bm25 = LexicalIndex([chunks[i].title + "\n" + chunks[i].text for i in self._chunk_ids])
            self._sentence_bm25 = LexicalIndex([s.matched for s in sentences])
            self._profile = CorpusProfile(
                vocabulary=self._chunk_bm25.vocabulary,
                language=detect_language(" ".join(c.text for c in list(chunks.values())[:50])),
                sentences=len(sentences),
                acronyms=tuple(sorted(acronym_definitions(c.text for c in chunks.values()).items())),
                shapes=shapes_of(s.span.text for s in sentences),
            )

    def _with_context(self, chunks: dict[str, Chunk], sentences: list[SentenceRef]) -> dict[str, Chunk]:
        """The chunks, each carrying the paragraph it leans on: the one after a closing line that introduces it
        ("Und Putin sagte:"), the one before an opening consequence ("Und so kam es, dass …"), which gives its
        reason. The splitter cuts at paragraph breaks, and a quote must not stop on the colon or lose the reason.
        Only what is handed on grows; the chunk is still matched and ranked by its own text."""
        leaning = {c.source for c in chunks.values() if c.text.endswith(":") or _opens_on_consequence(c)}
        if not leaning:
            return chunks
        articles = {r.meta["source"]: r.text for r in self.store.records("article") if r.meta["source"] in leaning}
        spans: dict[str, list[Span]] = defaultdict(list)
        for ref in sentences:
            if ref.chunk_id in chunks:
                spans[chunks[ref.chunk_id].source].append(ref.span)
        grown: dict[str, Chunk] = {}
        for cid, c in chunks.items():
            article, own = articles.get(c.source, ""), spans[c.source]
            grown[cid] = _explained(_introduced(c, article, own), article, own)
        return grown

    def retrieve(
        self,
        query: str,
        k: int,
        lexical_query: str | None = None,
        cross_lingual: bool = False,
        context: str | None = None,
        translations: Sequence[str] = (),
    ) -> list[Hit]:
        """The `k` best chunks for `query`, each with its sentences scored best first. With
        `context` (a follow-up made standalone), the dense query is the mean of both; `translations`
        (analysed terms in the articles' language) join the lexical query."""
        self._load()
        assert self._chunks is not None and self._chunk_bm25 and self._sentence_bm25
        if not self._chunks:
            return []
        vectors = self.embedder.embed([query, context] if context else [query], "query")
        vector = vectors.mean(axis=0)
        vector = vector / (np.linalg.norm(vector) or 1.0)
        lex_q = lexical_query or query

        # Sentence level: dense similarity of every sentence, as a z-score for this question.
        # Scored exactly for a small corpus; on a large one the tail beyond the nearest
        # MAX_DENSE sentences counts as average, which is what it is for this question.
        dense = dict(self.store.query(vector, min(len(self._sentences), MAX_DENSE), "sentence"))
        sims = np.array([dense.get(s.id, np.nan) for s in self._sentences], dtype=np.float32)
        mean, std = float(np.nanmean(sims)), float(np.nanstd(sims)) or 1.0
        sims = np.nan_to_num(sims, nan=mean)
        z = (sims - mean) / std
        if not cross_lingual and self.tokens is not None:
            # Word pieces match like words do: on the lexical query, so "er" after "Wer ist Aibek Smadiyarow?"
            # brings his name, and the dense context (the whole question, the conversation) is averaged in.
            z = _standard(z + LATE_WEIGHT * _standard(self._late(lex_q, context)))
        bm25 = self._sentence_bm25.scores(lex_q, translations)
        lex = bm25 / bm25.max() if bm25.max() > 0 else bm25
        sentence_score = z + (CROSS_LINGUAL_LEXICAL_WEIGHT if cross_lingual else LEXICAL_WEIGHT) * lex

        by_chunk: dict[str, list[ScoredSentence]] = defaultdict(list)
        chunks = self._chunks
        for i, ref in enumerate(self._sentences):
            scored = ScoredSentence(ref.span, float(sentence_score[i]), float(sims[i]), float(z[i]), float(lex[i]))
            for cid in self._holders[i]:
                by_chunk[cid].append(scored)

        # Chunk level: four rankings fused by reciprocal rank.
        chunk_dense = dict(self.store.query(vector, min(len(chunks), MAX_DENSE), "chunk"))
        chunk_bm25 = dict(zip(self._chunk_ids, self._chunk_bm25.scores(lex_q, translations).tolist(), strict=True))
        # A chunk ranks by its best sentence that can answer: a short heading or an article's own question
        # ("Und warum erhebt sich das Volk?") sits close to many questions in e5's space and answers none.
        content = {cid: _content(ss, chunks[cid]) for cid, ss in by_chunk.items()}
        best_dense = {cid: max((s.dense for s in ss), default=-1.0) for cid, ss in content.items()}
        best_lex = {cid: max((s.lexical for s in ss), default=0.0) for cid, ss in content.items()}
        fused: dict[str, float] = defaultdict(float)
        # Translated, the lexical rankings of an English question are as good as a German one's.
        weights = CROSS_LINGUAL_WEIGHTS if cross_lingual and not translations else FUSION_WEIGHTS
        for weight, ranking in zip(weights, (chunk_dense, best_dense, chunk_bm25, best_lex), strict=True):
            ordered = sorted((cid for cid, v in ranking.items() if v > 0), key=lambda c: -ranking[c])
            for rank, cid in enumerate(ordered):
                fused[cid] += weight / (RRF_K + rank + 1)

        ranked = _novel(sorted(fused, key=lambda c: -fused[c]), content, chunks)
        picked = _diverse(ranked, chunks, k)
        return [
            Hit(
                chunk=chunks[cid],
                score=fused[cid],
                rank=rank,
                sentences=tuple(sorted(by_chunk[cid], key=lambda s: -s.score)),
            )
            for rank, cid in enumerate(picked, start=1)
        ]

    def warm_up(self) -> None:
        """Load the texts, the lexical indexes and the token vectors now rather than on the first question."""
        self._load()
        if self.tokens is not None:
            self._matrix(self.tokens)

    def _matrix(self, tokens: TokenVectors) -> TokenMatrix:
        with self._lock:
            if self._token_matrix is None:
                self._token_matrix = tokens.matrix([(s.id, s.matched) for s in self._sentences])
            return self._token_matrix

    def _late(self, query: str, context: str | None) -> np.ndarray:
        """Late-interaction scores of every sentence for the question (and its context, averaged)."""
        assert self.tokens is not None
        matrix = self._matrix(self.tokens)
        _, questions = self.tokens.embedder.embed_with_tokens([query, context] if context else [query], "query")
        return np.mean([late_scores(q, matrix) for q in questions], axis=0)


def _standard(values: np.ndarray) -> np.ndarray:
    """Values in standard deviations from their mean."""
    spread = float(values.std())
    return (values - values.mean()) / (spread or 1.0)


def _content(scored: list[ScoredSentence], chunk: Chunk) -> list[ScoredSentence]:
    """A chunk's sentences that can answer: not its headings or the article's own questions."""
    return [s for s in scored if not heading_in(chunk, s.span) and not is_rhetorical(s.span.text)] or scored


def _containing(chunks: dict[str, Chunk], by_source: dict[str, list[Chunk]], s: SentenceRef) -> list[Chunk]:
    owner = chunks.get(s.chunk_id)
    if owner is None:
        return []
    # Overlapping neighbours hold the sentence too; a sentence belongs to every chunk it lies in.
    # Only the owner's article is searched: over all chunks, loading would grow with chunks x sentences.
    return [c for c in by_source[owner.source] if c.start <= s.span.start and s.span.end <= c.end] or [owner]


def _introduced(chunk: Chunk, article: str, spans: list[Span]) -> Chunk:
    """`chunk` with the paragraph after it when it ends on a colon, and that paragraph's sentences (`spans`)."""
    if not chunk.text.endswith(":") or article[chunk.start : chunk.end] != chunk.text:
        return chunk
    rest = article[chunk.end :]
    start = chunk.end + len(rest) - len(rest.lstrip())
    stop = article.find("\n", start)
    stop = len(article) if stop < 0 else stop
    added = [s for s in spans if start <= s.start and s.end <= stop]
    if not added:
        return chunk
    return _with_sentences(replace(chunk, text=article[chunk.start : stop], end=stop), [*chunk.sentences, *added])


def _opens_on_consequence(chunk: Chunk) -> bool:
    return bool(chunk.sentences) and chunk.sentences[0].start == chunk.start and bool(
        CONSEQUENCE.search(chunk.sentences[0].text))


def _explained(chunk: Chunk, article: str, spans: list[Span]) -> Chunk:
    """`chunk` with the paragraph before it when it opens on a consequence, and that paragraph's sentences
    (`spans`); not when that paragraph is a heading, which explains nothing."""
    if not _opens_on_consequence(chunk) or article[chunk.start : chunk.end] != chunk.text:
        return chunk
    before = article[: chunk.start].rstrip()
    start = before.rfind("\n") + 1
    added = [s for s in spans if start <= s.start and s.end <= len(before)]
    if not added or is_heading(before[start:]):
        return chunk
    return _with_sentences(replace(chunk, text=article[start : chunk.end], start=start), [*chunk.sentences, *added])


def _with_sentences(chunk: Chunk, spans: list[Span]) -> Chunk:
    return replace(chunk, sentences=tuple(sorted(set(spans), key=lambda s: s.start)))


def _novel(ranked: list[str], content: dict[str, list[ScoredSentence]], chunks: dict[str, Chunk]) -> list[str]:
    """`ranked` with the chunks whose best sentence already led a chunk above them moved behind the rest:
    overlapping neighbours often win by the same sentence, and a second copy of it tells the reader nothing new.
    Measured over dev and 15 held-out sets: 5 questions' evidence one rank higher, none lower; answers unchanged."""
    seen: set[tuple[str, int, int]] = set()
    novel: list[str] = []
    repeats: list[str] = []
    for cid in ranked:
        best = max(content.get(cid, ()), key=lambda s: s.score, default=None)
        key = (chunks[cid].source, best.span.start, best.span.end) if best else None
        if key is not None and key in seen:
            repeats.append(cid)
            continue
        novel.append(cid)
        if key is not None:
            seen.add(key)
    return novel + repeats


def _diverse(ranked: list[str], chunks: dict[str, Chunk], k: int) -> list[str]:
    """Top `k` with at most about half of them from one article, so multi-article questions see both."""
    cap = max(2, math.ceil(k / 2) + 1)
    per_source: dict[str, int] = defaultdict(int)
    picked: list[str] = []
    rest: list[str] = []
    for cid in ranked:
        source = chunks[cid].source
        if per_source[source] < cap:
            per_source[source] += 1
            picked.append(cid)
        else:
            rest.append(cid)
        if len(picked) == k:
            return picked
    return (picked + rest)[:k]

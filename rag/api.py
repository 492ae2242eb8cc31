"""The one Python API under the CLI, the chat UI and the eval suite: `RAG().index() / retrieve() / ask()`."""

from __future__ import annotations

import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .answer import AnswerPolicy, SubQuestion, asks_for_overview, compose, overview, question_focus, question_parts
from .checks import Lexicon, Translate, asks_for_a_place
from .chunk import chunk_document, content_id, unique_sentences
from .coref import heads, resolve, same_kind_by
from .corpus import load_corpus
from .embed import Embedder, make_embedder
from .errors import CorpusError, QuestionError, StaleIndexError
from .history import referents, standalone_query
from .late import TokenEmbedder, TokenVectors, cache_path
from .lexical import analyze, language_votes, spelling_variants
from .offpage import OtherStories, stories_path
from .retrieve import Retriever
from .schema import Answer, CorpusProfile, Document, Hit, IndexStats, OtherStory
from .settings import Settings
from .store import ChromaStore, Meta, Record
from .translate import Dictionary
from .truecase import carries_case, truecase

if TYPE_CHECKING:
    from .llm import Generator

Progress = Callable[[int, int], None]  # (done, total) while embedding


@dataclass(frozen=True)
class IndexStatus:
    """What the index holds right now."""

    articles: int
    chunks: int
    sentences: int
    embed_model: str
    location: str
    dictionary: str = ""  # the word list that translates English questions, if one is found
    other_stories: int = 0  # sentences the pages carry beside the articles (tickers, captions), kept apart


class RAG:
    """Question answering over a folder of articles. Cheap to construct; models load on first use."""

    def __init__(
        self,
        corpus_dir: str | Path | None = None,
        index_dir: str | Path | None = None,
        *,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        store: ChromaStore | None = None,
        generator: Generator | None = None,
        policy: AnswerPolicy | None = None,
    ) -> None:
        base = settings or Settings.from_env()
        self.settings = replace(
            base,
            corpus_dir=Path(corpus_dir) if corpus_dir is not None else base.corpus_dir,
            index_dir=Path(index_dir) if index_dir is not None else base.index_dir,
        )
        self.embedder = embedder or make_embedder(self.settings)
        self.store = store or ChromaStore(self.settings, self.embedder.name)
        tokens = None
        if isinstance(self.embedder, TokenEmbedder):
            path = cache_path(self.settings.index_dir, self.settings.collection, self.embedder.name)
            tokens = TokenVectors(path, self.embedder)
        self.retriever = Retriever(self.store, self.embedder, tokens)
        self.other_stories = OtherStories(
            stories_path(self.settings.index_dir, self.settings.collection, self.embedder.name),
            self.embedder,
        )
        self.policy = policy or AnswerPolicy()
        self._generator = generator
        self.dictionary = Dictionary(Path(self.settings.dictionary), self.settings.model_dir)

    # -- indexing ---------------------------------------------------------------------------------

    def index(self, rebuild: bool = False, progress: Progress | None = None) -> IndexStats:
        """Build or refresh the index from the corpus folder; unchanged text is never re-embedded."""
        started = time.perf_counter()
        corpus = load_corpus(self.settings.corpus_dir, self.settings.max_file_bytes)
        if not corpus.documents:
            reasons = "; ".join(reason for _, reason in corpus.skipped)
            raise CorpusError(f"no readable article in {self.settings.corpus_dir}: {reasons}")
        if rebuild:
            self.store.drop()
        try:
            self.store.open(create=True)
        except StaleIndexError:
            # Built by an older version from the same corpus: rebuilding loses nothing.
            self.store.drop()
            self.store.open(create=True)
        wanted: dict[str, Record] = {}
        n_chunks = n_sentences = 0
        same_kind = self._same_kind(corpus.documents)
        for doc in corpus.documents:
            chunks = chunk_document(doc, self.settings.chunk_tokens, self.settings.chunk_overlap)
            n_chunks += len(chunks)
            article = _article_record(doc, len(chunks))
            wanted[article.id] = article
            for c in chunks:
                meta: Meta = {"kind": "chunk", "source": c.source, "title": c.title, "date": c.date or "",
                        "start": c.start, "end": c.end, "position": c.position}
                wanted[c.id] = Record(c.id, c.text, meta)
            repeats: dict[str, int] = {}
            sentences = sorted(unique_sentences(chunks), key=lambda pair: pair[0].start)
            resolved = resolve(doc.text, [span for span, _ in sentences], self.dictionary.german_words(), same_kind)
            for i, (span, owner) in enumerate(sentences):
                # Keyed by text and its repeat count, not offset: moved text keeps its id and vector.
                repeats[span.text] = repeats.get(span.text, 0) + 1
                says = resolved.get(i, "")  # the text with the names its descriptions refer to
                sid = content_id(doc.source, "sentence", span.text, str(repeats[span.text]), *([says] if says else []))
                smeta: Meta = {"kind": "sentence", "source": doc.source, "start": span.start, "end": span.end,
                        "chunk_id": owner.id}
                if says:
                    smeta["resolved"] = says
                wanted.setdefault(sid, Record(sid, span.text, smeta))
                n_sentences += 1
        existing = {r.id: r for r in self.store.records()}
        new = [r for r in wanted.values() if r.id not in existing]
        moved = [r for r in wanted.values() if r.id in existing and existing[r.id].meta != r.meta]
        stale = [i for i in existing if i not in wanted]
        batch = 128  # stored batch by batch: an interrupted build keeps what it embedded
        for i in range(0, len(new), batch):
            part = new[i : i + batch]
            self.store.add(part, self._embed(part))
            if progress:
                progress(min(i + batch, len(new)), len(new))
        self.store.update_meta(moved)
        self.store.delete(stale)
        if self.retriever.tokens is not None:
            texts = [(r.id, _embedded_text(r)) for r in wanted.values() if r.meta["kind"] == "sentence"]
            self.retriever.tokens.ensure(texts, keep_only=True)
        stories = [s for doc in corpus.documents for s in doc.other_stories]
        self.other_stories.ensure(stories)
        self.retriever.invalidate()
        return IndexStats(
            added=len(new),
            unchanged=len(wanted) - len(new) - len(moved),
            updated=len(moved),
            removed=len(stale),
            articles=len(corpus.documents),
            chunks=n_chunks,
            sentences=n_sentences,
            other_stories=len(stories),
            skipped=corpus.skipped,
            seconds=round(time.perf_counter() - started, 3),
        )

    def _embed(self, records: Sequence[Record]) -> np.ndarray:
        """The records' vectors. A sentence's word-piece vectors (for late interaction) come from the same
        forward pass and go to the token cache: encoding sentences twice cost a quarter of the build."""
        tokens = self.retriever.tokens
        texts = [_embedded_text(r) for r in records]
        if tokens is None:
            return self.embedder.embed(texts, "passage")
        at = [i for i, r in enumerate(records) if r.meta["kind"] == "sentence"]
        rest = [i for i, r in enumerate(records) if r.meta["kind"] != "sentence"]
        vectors, pieces = tokens.embedder.embed_with_tokens([texts[i] for i in at], "passage")
        tokens.add({records[i].id: p for i, p in zip(at, pieces, strict=True)})
        out = np.empty((len(records), vectors.shape[1]), dtype=np.float32)
        out[at] = vectors
        out[rest] = self.embedder.embed([texts[i] for i in rest], "passage")
        return out

    def _same_kind(self, documents: Sequence[Document]) -> Callable[[str, str], bool]:
        """Which nouns name things of one kind, from the dictionary's senses of the articles' common words."""
        lexicon = self.dictionary.german_words()
        terms = {t for doc in documents for t in analyze(doc.text) if t in lexicon}
        nouns = frozenset(h for t in terms for h in heads(t, lexicon))
        return same_kind_by(self.dictionary.senses(nouns), lexicon)

    def warm_up(self) -> None:
        """Load now what the first question would otherwise wait for (about 11 s on 2 cores): the model, the
        indexed texts and token vectors, the dictionary. Optional: all of it also loads on first use."""
        self.embedder.embed(["warm-up"], "query")
        self.retriever.warm_up()
        self.dictionary.entries()  # its word lists (German words, places) load with it; nothing when it is off

    def status(self) -> IndexStatus:
        """Counts of what is indexed; raises IndexMissingError when nothing is."""
        dictionary = str(self.dictionary.source) if self.dictionary.available else ""
        return IndexStatus(self.store.count("article"), self.store.count("chunk"), self.store.count("sentence"),
                           self.embedder.name, self.store.location, dictionary, len(self.other_stories))

    def articles(self) -> list[Document]:
        """Every indexed article, by file name."""
        return sorted((_document(r) for r in self.store.records("article")), key=lambda d: d.source)

    def article(self, source: str) -> Document:
        """The cleaned text of an indexed article, by file name (what citation offsets point into)."""
        for r in self.store.records("article", source=source):
            return _document(r)
        raise CorpusError(f"no indexed article named {source!r}; expected one of the indexed file names")

    # -- asking -----------------------------------------------------------------------------------

    def retrieve(self, question: str, k: int | None = None, history: Sequence[str] | None = None) -> list[Hit]:
        """The `k` passages that best match the question (after making a follow-up standalone)."""
        q = self.check_question(question, history)
        return self._retrieve(q, k, self._cased_history(history))

    def ask(self, question: str, k: int | None = None, history: Sequence[str] | None = None) -> Answer:
        """A short answer in the question's language with `[n]` citations, or an honest abstention."""
        answer: Answer | None = None
        for event in self.stream(question, k=k, history=history):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None
        return answer

    def stream(
        self, question: str, k: int | None = None, history: Sequence[str] | None = None
    ) -> Iterator[str | Answer]:
        """Yields pieces of the answer text as they are ready, then the final `Answer`."""
        q = self.check_question(question, history)
        history = self._cased_history(history)
        language = self.language(q)
        if asks_for_overview(q):  # what the articles are, not something in them
            answer = overview(q, self.articles(), language)
            yield answer.text
            yield answer
            return
        hits = self._retrieve(q, k, history)
        # The first part is the question's own opening and stands alone; the second may refer back to it
        # ("... und wann rief Kasachstans Präsident sie zu Hilfe?"), so the whole question is its context.
        parts = [SubQuestion(p, tuple(self._retrieve(p, k, None, context=q if i else None)))
                 for i, p in enumerate(question_parts(q))]
        profile = self.retriever.profile
        elsewhere = self.elsewhere(q)
        about = elsewhere[0] if elsewhere and elsewhere[1] > self.policy.other_story_lead else None
        extractive = compose(q, hits, language, self.policy, profile, self._lexicon(q, profile), parts, about)
        generator = self.generator
        if generator is None or extractive.abstained:
            yield extractive.text
            yield extractive
            return
        from .llm import generate_answer

        yield from generate_answer(q, language, hits, extractive, generator, self.embedder)

    def elsewhere(self, question: str) -> tuple[OtherStory, float] | None:
        """The page's other story nearest to the question, and by how much it is nearer than the nearest
        sentence of the articles (cosine; negative when the articles are nearer). None without other stories."""
        vector = self.embedder.embed([question_focus(question)], "query")[0]  # as retrieved: embedded once
        nearest = self.other_stories.nearest(vector)
        if nearest is None:
            return None
        best = self.store.query(vector, 1, "sentence")
        return nearest[0], nearest[1] - (best[0][1] if best else -1.0)

    def _retrieve(
        self, question: str, k: int | None, history: Sequence[str] | None, context: str | None = None
    ) -> list[Hit]:
        # A follow-up borrows context from the conversation for the dense query (mixed with its own),
        # but its own words decide the lexical match, so "and how many soldiers?" looks for soldiers.
        # A part of a two-part question borrows the whole question the same way ("how did he respond?"),
        # and so does a question's focus, without the that-clauses that only restate what is known.
        # Only the person a pronoun refers to ("he" after "Who is Aibek Smadiyarov?") joins the lexical match.
        query = context or standalone_query(question, history)
        focus = question_focus(question)
        named = referents(question, history)
        language, profile = self.language(context or question), self.retriever.profile
        translations: list[str] = []
        if language == "en" and profile.language == "de":
            translations = self.dictionary.translate(focus, profile.vocabulary, profile.acronyms)
        if profile.language == "de":  # "Bucha" in either language's question: the articles' "Butscha"
            translations += spelling_variants(focus, profile.vocabulary)
        return self.retriever.retrieve(
            focus,
            k or self.settings.k,
            lexical_query=" ".join([focus, *named]) if named else None,
            cross_lingual=language != profile.language,
            context=query if query != focus else None,
            translations=translations,
        )

    def language(self, text: str) -> str:
        """'de' or 'en': by function words and umlauts, and where those tie ("Was sagte Putin?": *was* is
        both), by which side of the dictionary knows more of its words."""
        de, en = language_votes(text)
        if de == en and self.dictionary.available:
            de, en = self.dictionary.language_votes(text)
        return "de" if de > en else "en"

    def _lexicon(self, question: str, profile: CorpusProfile) -> Lexicon:
        """What the dictionary knows about the question's words: translations, and for German articles (its
        language) the common words and places."""
        def words_for(word: str) -> list[str]:  # with the articles' acronyms: "CSTO" is a name they use, OVKS
            return self.dictionary.translate(word, profile.vocabulary, profile.acronyms)

        translate: Translate | None = words_for if self.dictionary.available else None
        if profile.language != "de":
            return Lexicon(translate=translate)
        # The German words tell a name from a common noun (both are capitalised in German). They include
        # countries and cities; asked which of a kind of place, their names are names.
        places = self.dictionary.places()
        place = asks_for_a_place(question, places.kinds)
        common = self.dictionary.common_words() if place else self.dictionary.german_words()
        return Lexicon(common, places.names, translate)

    @property
    def generator(self) -> Generator | None:
        """The configured LLM client, or None for the built-in extractive mode."""
        if self._generator is None and self.settings.llm_base_url:
            from .llm import make_generator

            self._generator = make_generator(self.settings)
        return self._generator

    def check_question(self, question: str, history: Sequence[str] | None = None) -> str:
        """The question, normalised; raises QuestionError when it is empty, too long, or names nothing to look
        for ("?", "Warum???"; a follow-up such as "and when?" may, given the conversation's `history`)."""
        if not isinstance(question, str):
            raise QuestionError(f"question must be text, got {type(question).__name__}")
        q = unicodedata.normalize("NFC", question)
        q = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in q).strip()
        if not q:
            raise QuestionError("the question is empty; expected a question in English or German")
        if len(q) > self.settings.max_question_chars:
            raise QuestionError(
                f"the question has {len(q):,} characters; expected at most {self.settings.max_question_chars:,} "
                "(RAG_MAX_QUESTION_CHARS). Ask about one thing at a time."
            )
        if not any(ch.isalnum() for ch in q):
            raise QuestionError(f"the question {q[:40]!r} has no words; expected a question in English or German")
        script = _script(q)
        if script:
            raise QuestionError(
                f"the question {q[:40]!r} is written in {script} letters; expected a question in English or German "
                "(names may be spelled in either)"
            )
        if not history and not analyze(q) and not asks_for_overview(q):
            # Only question words and the like: every passage would match it equally badly.
            raise QuestionError(
                f"the question {q[:80]!r} names nothing to look for (only question words); expected a question "
                "that says what it is about: a person, a place, an event"
            )
        # Typed without its question mark, a question was read differently (e5 embeds the mark, and English dev MRR
        # fell from 0.929 to 0.881); one that ends in other punctuation is left as it is.
        if q[-1] not in _TERMINAL:
            q += "?"
        return self.cased(q)

    def _cased_history(self, history: Sequence[str] | None) -> list[str] | None:
        # Earlier questions name what a follow-up's pronoun points to, by their capitals.
        return [self.cased(h) for h in history] if history else None

    def cased(self, text: str) -> str:
        """The text with its words' case given back from the articles and the dictionary when it was typed without
        any ("why did the csto intervene" -> "Why did the CSTO intervene"); as typed otherwise."""
        if carries_case(text):  # most questions: nothing to load
            return text
        profile, language = self.retriever.profile, self.language(text)
        available = self.dictionary.available
        return truecase(
            text,
            cross_lingual=language != profile.language,
            articles=profile.shapes,
            dictionary=self.dictionary.shapes(language),
            knows=(lambda word: self.dictionary.knows(word, language)) if available else None,
            acronym=lambda word: bool(self.dictionary.acronyms_for(word, profile.vocabulary, profile.acronyms)),
        )


_TERMINAL = frozenset("?!.…;:？！。")


def _script(text: str) -> str | None:
    """The script most of the text's letters are in ("Cyrillic"), when it is not the Latin one English and German
    share. A Russian question is not one the answers are framed for, and "the articles don't answer" would mislead."""
    scripts = Counter(unicodedata.name(ch, "UNKNOWN").split()[0] for ch in text if ch.isalpha())
    top, n = scripts.most_common(1)[0] if scripts else ("LATIN", 0)
    name = top if len(top) <= 3 else top.title()  # CJK, Cyrillic
    return name if top != "LATIN" and n > sum(scripts.values()) / 2 else None


def _embedded_text(record: Record) -> str:
    """What is embedded for a record: its text; for a whole article, its title (articles are too long
    for the model and are only stored so citations can be shown in context). Chunks carry no title
    prefix: it measured no better and pulls all chunks of an article together."""
    if record.meta["kind"] == "article":
        return str(record.meta["title"])
    return str(record.meta.get("resolved") or record.text)


def _document(record: Record) -> Document:
    m = record.meta
    return Document(str(m["source"]), str(m["title"]), str(m["date"]) or None, record.text, str(m["hash"]))


def _article_record(doc: Document, n_chunks: int) -> Record:
    rid = content_id(doc.source, "article", doc.title, doc.date or "", doc.text)
    meta: Meta = {"kind": "article", "source": doc.source, "title": doc.title, "date": doc.date or "",
            "hash": doc.content_hash, "chunks": n_chunks}
    return Record(rid, doc.text, meta)

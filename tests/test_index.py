"""Indexing with the real cleaner, chunker and Chroma (fake embedder): idempotent and lossless."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag import RAG, CorpusError, IndexMissingError, ModelMismatchError, QuestionError, Settings, StaleIndexError
from rag.retrieve import CROSS_LINGUAL_LEXICAL_WEIGHT, LEXICAL_WEIGHT
from rag.store import ChromaStore


def test_reindexing_is_idempotent_and_never_re_embeds(fake_rag: RAG, fake_embedder) -> None:
    first = fake_rag.index()
    assert first.articles == 5 and first.chunks > 20 and first.added > first.chunks
    embedded = fake_embedder.embedded
    records = fake_rag.store.count()
    second = fake_rag.index()
    assert second.added == 0 and second.removed == 0 and second.updated == 0
    assert second.unchanged == first.added
    assert fake_embedder.embedded == embedded, "unchanged text must not be embedded again"
    assert fake_rag.store.count() == records, "no duplicates"


def test_edited_and_removed_articles_leave_no_stale_chunks(fake_rag: RAG, corpus_copy: Path, fake_embedder) -> None:
    fake_rag.index()
    before = {r.id for r in fake_rag.store.records()}
    (corpus_copy / "004_87a2e22967de0bbe.txt").unlink()
    edited = corpus_copy / "003_c8df31e21304c225.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n\nEin ganz neuer Absatz über Jurten in Lwiw.\n",
                      encoding="utf-8")
    embedded = fake_embedder.embedded
    stats = fake_rag.index()
    assert stats.articles == 4
    assert stats.removed > 0 and stats.added > 0
    assert fake_embedder.embedded - embedded == stats.added, "only new text is embedded"
    sources = {r.meta["source"] for r in fake_rag.store.records()}
    assert "004_87a2e22967de0bbe.txt" not in sources
    texts = [r.text for r in fake_rag.store.records("chunk")]
    assert any("Lwiw" in t for t in texts)
    assert len(before - {r.id for r in fake_rag.store.records()}) == stats.removed
    hits = fake_rag.retrieve("Jurten in Lwiw", k=3)
    assert hits[0].chunk.source == "003_c8df31e21304c225.txt"
    doc = fake_rag.article("003_c8df31e21304c225.txt")
    assert doc.text.endswith("Ein ganz neuer Absatz über Jurten in Lwiw.")


def test_moved_text_updates_offsets_without_re_embedding(fake_rag: RAG, corpus_copy: Path, fake_embedder) -> None:
    fake_rag.index()
    path = corpus_copy / "004_87a2e22967de0bbe.txt"
    text = path.read_text(encoding="utf-8")
    first_line, rest = text.split("\n", 1)
    # A new paragraph after the headline shifts the offsets of everything below it.
    path.write_text(first_line + "\nNachrichten aus Zentralasien in einem neuen Satz am Anfang.\n" + rest,
                    encoding="utf-8")
    embedded = fake_embedder.embedded
    stats = fake_rag.index()
    assert stats.updated > 0
    # only the new sentence, the chunk that now holds it and the article record are embedded
    assert fake_embedder.embedded - embedded == stats.added <= 4
    doc = fake_rag.article(path.name)
    for chunk in fake_rag.retriever.chunks.values():
        if chunk.source == path.name:
            assert doc.text[chunk.start : chunk.end] == chunk.text
            for s in chunk.sentences:
                assert doc.text[s.start : s.end] == s.text


def test_bad_files_are_skipped_with_a_reason_and_lose_nothing(fake_rag: RAG, corpus_copy: Path) -> None:
    (corpus_copy / "binary.txt").write_bytes(b"\x00\x01\x02garbage")
    (corpus_copy / "empty.txt").write_text("   \n\n", encoding="utf-8")
    dup = corpus_copy / "dup.txt"
    dup.write_bytes((corpus_copy / "003_c8df31e21304c225.txt").read_bytes())
    (corpus_copy / "latin1.txt").write_bytes(
        "Überschrift\n\nDie Stadt Köln hat 1,1 Millionen Einwohner und eine große Kathedrale am Rhein.".encode("cp1252")
    )
    stats = fake_rag.index()
    skipped = dict(stats.skipped)
    assert "NUL" in skipped["binary.txt"]
    assert "no article text" in skipped["empty.txt"]
    assert "003_c8df31e21304c225.txt" in skipped["dup.txt"]
    assert stats.articles == 6
    assert "Köln" in fake_rag.article("latin1.txt").text


def test_missing_index_and_missing_corpus_are_clear_errors(tmp_path: Path, fake_embedder) -> None:
    rag = RAG(settings=Settings.from_env(env={}, corpus_dir=tmp_path / "nope", index_dir=tmp_path / "idx"),
              embedder=fake_embedder)
    with pytest.raises(IndexMissingError, match="rag index"):
        rag.retrieve("Why did the CSTO intervene?")
    with pytest.raises(CorpusError, match="does not exist"):
        rag.index()
    (tmp_path / "nope").mkdir()
    with pytest.raises(CorpusError, match=r"no \.txt"):
        rag.index()


def test_opening_an_index_with_another_model_is_refused(fake_rag: RAG) -> None:
    fake_rag.index()
    other = ChromaStore(fake_rag.settings, "some-other-model")
    with pytest.raises(ModelMismatchError, match="fake-embedder"):
        other.open(create=False)


def test_questions_are_validated(fake_rag: RAG) -> None:
    fake_rag.index()
    with pytest.raises(QuestionError, match="empty"):
        fake_rag.ask("  \n\t ")
    with pytest.raises(QuestionError, match="2,001 characters"):
        fake_rag.ask("x" * 2001)
    with pytest.raises(QuestionError, match="has no words"):
        fake_rag.ask("🙂 ?!")
    for other, script in (("Почему ОДКБ вмешалась в Казахстан?", "Cyrillic"), ("为什么集体安全条约组织干预?", "CJK")):
        with pytest.raises(QuestionError, match=f"written in {script} letters; expected a question in English or"):
            fake_rag.ask(other)
    assert not fake_rag.ask("Wie viele Russen flüchteten vor der Teilmobilisierung (мобилизация)?").abstained
    for nothing in ("Warum???", "Where and when?"):
        with pytest.raises(QuestionError, match="names nothing to look for"):
            fake_rag.retrieve(nothing)
    # In a conversation the same words are a follow-up, which borrows what it is about.
    assert fake_rag.retrieve("Und warum?", history=["Wie viele Russen flüchteten vor der Teilmobilisierung?"])
    answer = fake_rag.ask("Wie viele Russen flüchteten\x00 vor der Teilmobilisierung?")
    assert not answer.abstained
    assert "100'000" in answer.text


def test_asked_what_the_articles_are_the_answer_lists_them(fake_rag: RAG) -> None:
    # Only the collection's words ("articles", "Artikel", "about", "worum geht") had been "nothing to look for".
    fake_rag.index()
    documents = fake_rag.articles()
    assert [d.source for d in documents] == sorted(p.name for p in fake_rag.settings.corpus_dir.glob("*.txt"))
    for question, language in (("What are the articles about?", "en"), ("Worum geht es in den Artikeln?", "de"),
                               ("summarize the articles", "en")):
        answer = fake_rag.ask(question)
        assert not answer.abstained and answer.language == language, answer.text
        assert [c.source for c in answer.citations] == [d.source for d in documents]
        for c, doc in zip(answer.citations, documents, strict=True):
            assert f"{c.title}" in answer.text and f"[{c.n}]" in answer.text and c.title == doc.title
            assert doc.text[c.start : c.end] == c.quote and doc.text.startswith(c.quote[:20])  # its opening
    # Something in them is asked as usual.
    assert len(fake_rag.ask("What do the articles say about the yurts?").citations) < len(documents)


def test_rebuild_drops_and_re_embeds(fake_rag: RAG) -> None:
    first = fake_rag.index()
    again = fake_rag.index(rebuild=True)
    assert again.added == first.added and again.unchanged == 0


def test_an_index_from_an_older_version_asks_for_a_rebuild(fake_rag: RAG) -> None:
    fake_rag.index()
    collection = fake_rag.store.open(create=False)
    collection.modify(metadata={"embed_model": "fake-embedder", "schema": 1})
    fresh = RAG(settings=fake_rag.settings, embedder=fake_rag.embedder)
    with pytest.raises(StaleIndexError, match="rag index"):
        fresh.retrieve("Jurten")
    assert fresh.index().added > 0, "indexing rebuilds an index from an older version"
    assert fresh.retrieve("Jurten", k=1)[0].chunk.source == "003_c8df31e21304c225.txt"


def test_across_languages_a_sentence_lexical_match_weighs_more(fake_rag: RAG) -> None:
    fake_rag.index()
    query = "Tokajew OVKS Soldaten"
    for cross, weight in ((False, LEXICAL_WEIGHT), (True, CROSS_LINGUAL_LEXICAL_WEIGHT)):
        hits = fake_rag.retriever.retrieve(query, 5, cross_lingual=cross)
        scored = [s for h in hits for s in h.sentences if s.lexical > 0]
        assert scored, "the query's names occur in the corpus"
        for s in scored:
            assert s.score == pytest.approx(s.dense_z + weight * s.lexical, abs=1e-5)
    assert CROSS_LINGUAL_LEXICAL_WEIGHT > LEXICAL_WEIGHT


def test_a_sentence_that_says_die_allianz_is_matched_by_the_name_it_refers_to(
    tmp_path: Path, corpus_copy: Path, fake_embedder
) -> None:
    ding = tmp_path / "de-en"
    ding.write_text(
        "Militärbündnis {n} :: military alliance\nBündnis {n}; Allianz {f} :: alliance\n", encoding="utf-8"
    )
    settings = Settings.from_env(env={}, corpus_dir=corpus_copy, index_dir=tmp_path / "chroma", dictionary=str(ding))
    rag = RAG(settings=settings, embedder=fake_embedder)
    rag.index()
    resolved = [r for r in rag.store.records("sentence") if r.meta.get("resolved")]
    assert any(str(r.meta["resolved"]).startswith("Die Allianz (OVKS) besteht") for r in resolved), resolved
    for r in resolved:  # the stored text, which quotes are cut from, stays the article's own
        says = str(r.meta["resolved"])
        assert says != r.text and re.sub(r" \([^()]*\)", "", says) == re.sub(r" \([^()]*\)", "", r.text), says
    hits = rag.retriever.retrieve("OVKS gegründet", 5)
    best = max((s for h in hits for s in h.sentences), key=lambda s: s.lexical)
    assert "2002 gegründeter" in best.span.text
    embedded = fake_embedder.embedded
    assert rag.index().added == 0 and fake_embedder.embedded == embedded, "resolved sentences are not re-embedded"


def test_a_chunk_repeating_a_higher_chunks_best_sentence_ranks_behind_new_ones(tmp_path: Path, fake_embedder) -> None:
    # Short paragraphs, so the splitter's overlap carries whole paragraphs into the next chunk.
    paragraphs = [
        "Die Jurte steht in Kiew.",
        "Die Jurte in Kiew ist ein Zelt aus Filz.",
        "Freiwillige bringen Tee und Brot.",
        "Der Strom fällt oft aus.",
        "Eine zweite Jurte steht in Butscha.",
        "Dort wärmen sich die Menschen.",
        "Eine Jurte aus Filz hält warm.",
    ]
    rag = _one_article(tmp_path, fake_embedder, paragraphs, chunk_tokens=30, chunk_overlap=15)
    hits = rag.retriever.retrieve("Jurte Kiew Filz", 10)
    leads = [(h.chunk.source, h.sentences[0].span.start) for h in hits]  # a hit's sentences come best first
    repeated = [i for i, lead in enumerate(leads) if lead in leads[:i]]
    assert repeated, f"the overlapping chunks should share a best sentence: {leads}"
    assert all(i > j for i in repeated for j in range(len(leads)) if j not in repeated), leads


def test_a_chunk_stopping_on_a_colon_hands_on_the_paragraph_it_introduces(tmp_path: Path, fake_embedder) -> None:
    paragraphs = [
        "Die Jurte steht seit dem Winter in Kiew.",
        "Freiwillige bringen jeden Tag Tee und Brot.",
        "Auf dem Transparent an der Jurte stand:",
        "«Wir bleiben hier, solange der Krieg dauert.»",
        "Danach wurde es in der Stadt ruhig.",
    ]
    rag = _one_article(tmp_path, fake_embedder, paragraphs, chunk_tokens=40, chunk_overlap=0)
    stored = [r.text for r in rag.store.records("chunk")]
    assert any(t.endswith("stand:") for t in stored), f"the splitter should cut after the colon line: {stored}"
    _assert_verbatim(rag)
    for chunk in [c for c in rag.retriever.chunks.values() if "stand:" in c.text]:
        assert chunk.text.endswith("stand:\n\n«Wir bleiben hier, solange der Krieg dauert.»")
        assert chunk.sentences[-1].text == "«Wir bleiben hier, solange der Krieg dauert.»"
    answer = rag.ask("Was stand auf dem Transparent an der Jurte?")
    assert any("Wir bleiben hier" in c.quote for c in answer.citations), answer.text


def test_a_chunk_opening_on_a_consequence_carries_the_paragraph_before_it(tmp_path: Path, fake_embedder) -> None:
    paragraphs = [
        "Die Jurte steht seit dem Winter in Kiew.",
        "Die Regierung in Astana hat den Bau der Jurte erlaubt und bezahlt.",
        "Kein Wunder, dass Moskau sich über die Jurte in Kiew empört.",
        "Danach wurde es in der Stadt ruhig.",
    ]
    rag = _one_article(tmp_path, fake_embedder, paragraphs, chunk_tokens=30, chunk_overlap=0)
    stored = [r.text for r in rag.store.records("chunk")]
    assert any(t.startswith("Kein Wunder") for t in stored), f"the splitter should cut before the consequence: {stored}"
    _assert_verbatim(rag)
    opened = [c for c in rag.retriever.chunks.values() if "Kein Wunder" in c.text]
    assert opened and all(c.text.startswith("Die Regierung in Astana") for c in opened), opened
    answer = rag.ask("Warum empört sich Moskau über die Jurte in Kiew?")
    assert any("Astana" in c.quote and "Kein Wunder" in c.quote for c in answer.citations), answer.text


def _assert_verbatim(rag: RAG) -> None:
    """Every chunk the retriever holds, grown or not, is still a verbatim span of its article, with its sentences."""
    article = rag.article("jurten.txt").text
    for chunk in rag.retriever.chunks.values():
        assert article[chunk.start : chunk.end] == chunk.text
        assert all(s.text in chunk.text for s in chunk.sentences)


def _one_article(tmp_path: Path, embedder, paragraphs: list[str], chunk_tokens: int, chunk_overlap: int) -> RAG:
    """An index of one small article ("jurten.txt") of these paragraphs, cut into small chunks."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "jurten.txt").write_text("Jurten in der Ukraine\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    settings = Settings.from_env(env={}, corpus_dir=corpus, index_dir=tmp_path / "chroma", dictionary="off",
                                 chunk_tokens=chunk_tokens, chunk_overlap=chunk_overlap)
    rag = RAG(settings=settings, embedder=embedder)
    rag.index()
    return rag

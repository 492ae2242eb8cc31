"""The page's other stories: read apart from the article, kept out of the index, declined with where they were."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rag import RAG
from rag.answer import compose
from rag.corpus import read_document
from rag.offpage import OtherStories
from rag.schema import OtherStory

CORPUS = Path(__file__).resolve().parent.parent / "index" / "corpus"

TICKER_PAGE = """Zentralasien: Die Steppe wird grün

Die Regierung in Astana hat ein Programm zur Aufforstung der Steppe beschlossen. Es soll zehn Jahre laufen.

Bis 2035 sollen zwei Millionen Bäume gepflanzt werden, sagte der Umweltminister am Montag.

18:34 Raumfahrt: «Weltraumfabrik» stellt Medikamente her – und findet keinen Landeplatz
17:31 Kartoffellager im Seeland: Hier warten künftige Chips auf ihre Verarbeitung
16:54 Deutschland will Migration begrenzen: Scholz kündigt Abschiebungen im großen Stil an
"""


def _stories(*texts: str) -> list[OtherStory]:
    return [OtherStory("a.txt", "A", "ticker", t) for t in texts]


def test_a_pages_ticker_is_read_as_other_stories_and_not_as_the_article(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(TICKER_PAGE, encoding="utf-8")
    doc = read_document(page, 1_000_000)
    assert "Weltraumfabrik" not in doc.text and "Aufforstung" in doc.text
    assert {s.reason for s in doc.other_stories} == {"ticker"}
    assert any("Weltraumfabrik" in s.text for s in doc.other_stories)
    assert all(s.title == doc.title and s.source == "page.txt" for s in doc.other_stories)


def test_captions_are_kept_apart_too_but_not_tweets_or_navigation() -> None:
    doc = read_document(CORPUS / "001_3b62746ebeb5636b.txt", 5_000_000)
    reasons = {s.reason for s in doc.other_stories}
    assert {"ticker", "link-list", "caption"} <= reasons and not reasons & {"tweet", "navigation", "metadata"}
    assert not any(s.text in doc.text for s in doc.other_stories)


def test_other_stories_are_embedded_once_and_kept_in_a_file(tmp_path: Path, fake_embedder) -> None:
    path = tmp_path / "stories.npz"
    stories = OtherStories(path, fake_embedder)
    assert stories.nearest(fake_embedder.embed(["Weltraumfabrik"], "query")[0]) is None
    assert stories.ensure(_stories("Weltraumfabrik stellt Medikamente her", "Kartoffellager im Seeland")) == 2
    assert stories.ensure(_stories("Weltraumfabrik stellt Medikamente her", "Kartoffellager im Seeland")) == 0
    again = OtherStories(path, fake_embedder)  # a new process reads the file
    found = again.nearest(fake_embedder.embed(["Wer stellt Medikamente her?"], "query")[0])
    assert found is not None and found[0].text == "Weltraumfabrik stellt Medikamente her" and found[1] > 0.3
    assert again.ensure(_stories("Kartoffellager im Seeland", "Scholz will Migration begrenzen")) == 1
    found = OtherStories(path, fake_embedder).nearest(fake_embedder.embed(["Medikamente"], "query")[0])
    assert found is not None and "Weltraumfabrik" not in found[0].text, "a story gone from the pages is forgotten"


def test_a_broken_stories_file_means_no_contrast_not_an_error(tmp_path: Path, fake_embedder) -> None:
    path = tmp_path / "stories.npz"
    path.write_bytes(b"not a numpy file")
    assert OtherStories(path, fake_embedder).nearest(np.ones(256, dtype=np.float32)) is None


def test_a_question_about_another_story_is_declined_with_where_it_was() -> None:
    story = OtherStory("001.txt", "Wie Kasachstan Russland die kalte Schulter zeigt", "ticker", "Weltraumfabrik")
    for language, phrase in (("en", "a news ticker"), ("de", "einen Newsticker")):
        answer = compose("Was stellt die Weltraumfabrik her?", [], language, other_story=story)
        assert answer.abstained and not answer.citations
        assert phrase in answer.text and "Wie Kasachstan Russland die kalte Schulter zeigt" in answer.text


def test_other_stories_stay_out_of_the_index_and_are_found_beside_it(fake_rag: RAG, fake_embedder) -> None:
    fake_rag.index()
    stored = " ".join(r.text for r in fake_rag.store.records())
    doc = read_document(CORPUS / "001_3b62746ebeb5636b.txt", 5_000_000)
    assert doc.other_stories and not any(s.text in stored for s in doc.other_stories)
    embedded = fake_embedder.embedded
    fake_rag.index()
    assert fake_embedder.embedded == embedded, "unchanged stories are not embedded again"
    found = fake_rag.elsewhere("Weltraumfabrik Medikamente Landeplatz")
    assert found is not None and "Weltraumfabrik" in found[0].text and found[1] > 0
    found = fake_rag.elsewhere("Wie viele Russen flohen vor der Teilmobilisierung nach Kasachstan?")
    assert found is not None and found[1] < 0, "the articles are nearer to a question about them"

"""Sentence splitting, chunk offsets, lexical analysis and follow-up rewriting."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.chunk import chunk_document, count_tokens, unique_sentences
from rag.corpus import read_document
from rag.history import referents, standalone_query
from rag.lexical import LexicalIndex, analyze, fold, german_spelling, respell, spelling_variants
from rag.retrieve import _content
from rag.schema import Chunk, Document, ScoredSentence, Span
from rag.sentences import split_sentences

CORPUS = Path(__file__).resolve().parent.parent / "index" / "corpus"


def test_sentences_respect_abbreviations_ordinals_and_initials() -> None:
    text = "Am 5. April sprach Daniel N. Rosenblum z.B. in Almaty. Das war im Jahr 1991. Danach? Nichts."
    got = [s.text for s in split_sentences(text)]
    assert got == [
        "Am 5. April sprach Daniel N. Rosenblum z.B. in Almaty.",
        "Das war im Jahr 1991.",
        "Danach?",
        "Nichts.",
    ]


def test_sentence_offsets_are_exact_and_lines_are_boundaries() -> None:
    text = "Erste Zeile ohne Punkt\n\n«Ein Zitat.» Und dann: weiter! Ende"
    spans = split_sentences(text, offset=10)
    assert [s.text for s in spans] == ["Erste Zeile ohne Punkt", "«Ein Zitat.»", "Und dann: weiter!", "Ende"]
    for s in spans:
        assert text[s.start - 10 : s.end - 10] == s.text


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_chunks_of_real_articles_point_into_the_cleaned_text(path: Path) -> None:
    doc = read_document(path, 5_000_000)
    chunks = chunk_document(doc, chunk_tokens=180, overlap=30)
    assert chunks, "every article yields chunks"
    covered = set()
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text
        assert count_tokens(c.text) <= 180
        for s in c.sentences:
            assert doc.text[s.start : s.end] == s.text
            assert c.start <= s.start < s.end <= c.end
        covered.update(range(c.start, c.end))
    # every non-space character of the article is in some chunk
    assert all(i in covered for i, ch in enumerate(doc.text) if not ch.isspace())
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert len({c.id for c in chunks}) == len(chunks)
    spans = unique_sentences(chunks)
    assert len({(s.start, s.end) for s, _ in spans}) == len(spans)


def test_chunks_end_on_sentence_or_paragraph_boundaries() -> None:
    para = " ".join(f"Satz Nummer {i} handelt von Kasachstan und Russland." for i in range(60))
    doc = Document("x.txt", "T", None, para + "\n\n" + para, "h")
    chunks = chunk_document(doc, chunk_tokens=60, overlap=10)
    assert len(chunks) > 4
    assert all(c.text.endswith(".") for c in chunks)
    assert chunk_document(doc, 60, 10)[0].id == chunks[0].id  # content-hash ids are stable


def test_a_name_written_with_ch_is_respelled_as_german_writes_it_where_only_that_is_used() -> None:
    assert german_spelling("Bucha") == "Butscha" and german_spelling("Chernihiv") == "Tschernihiv"
    assert german_spelling("Schmidt") == "Schmidt", "a German 'sch' stays"
    used = frozenset(analyze("Jurten in Butscha und Kiew, sagte Chingiz"))
    assert respell("What happened in Bucha?", used) == "What happened in Butscha?"
    assert respell("Was ist in Bucha passiert?", used) == "Was ist in Butscha passiert?"
    assert respell("What did Chingiz say?", used) == "What did Chingiz say?", "spelled as the texts spell it"
    assert respell("Who plays for Manchester?", used) == "Who plays for Manchester?", "neither spelling used"
    assert spelling_variants("Bucha and Kyiv", used) == analyze("Butscha")


def test_fold_merges_transliterations_and_keeps_numbers() -> None:
    assert fold("Tokayev") == fold("Tokajew") == fold("Toqajew")
    assert fold("Krasnov") == fold("Krasnow")
    assert fold("Zakharova") == fold("Sacharowa")
    assert fold("Tokajew") != fold("Putin")
    assert analyze("300'000 Reservisten") == analyze("300,000 Reservisten") == analyze("300000 reservisten")
    assert "100000" in analyze("rund 100'000 Russen")
    # Latin '-um' nouns: German singular and plural and the English plural are one term; '-tum' is German.
    assert analyze("Referendum") == analyze("Referenden") == analyze("referendums")
    assert analyze("Zentrum") == analyze("Zentren")
    assert analyze("Reichtum") != analyze("Reichen")
    # The "zu" of a separable verb's infinitive goes: it meets the verb's other forms and its noun.
    assert analyze("einzureisen") == analyze("einreisen") == analyze("Einreise")
    assert analyze("anzuerkennen") == analyze("anerkennen")
    assert analyze("zuzustimmen") == analyze("zustimmen")
    assert analyze("Aufzügen") == analyze("Aufzüge")  # a noun keeps its "zu"
    assert analyze("In welchem Jahr") == analyze("Jahr")  # question words carry no evidence


def test_bm25_matches_across_spellings_and_inflections() -> None:
    index = LexicalIndex(["Präsident Toqajew rief die OVKS zu Hilfe.", "Die Jurten stehen in Butscha.", ""])
    scores = index.scores("What did Tokayev do?")
    assert scores[0] > 0 and scores[1] == 0 and scores[2] == 0
    assert index.scores("Jurte")[1] > 0
    assert not index.scores("the of and").any()


def test_follow_up_questions_borrow_the_previous_question() -> None:
    history = ["Why did the CSTO intervene in Kazakhstan?"]
    assert standalone_query("And why did it leave?", history).startswith("Why did the CSTO intervene")
    assert standalone_query("Und warum?", ["Wer schickte Soldaten?"]) == "Wer schickte Soldaten? Und warum?"
    standalone = "How many ethnic Kazakhs live in Ukraine according to the yurt article?"
    assert standalone_query(standalone, history) == standalone
    assert standalone_query("And why?", None) == "And why?"


def test_a_personal_pronoun_carries_the_previous_questions_names_into_the_lexical_match() -> None:
    assert referents("What did he say about the yurts?", ["Who is Aibek Smadiyarov?"]) == ["Aibek", "Smadiyarov"]
    assert referents("Was sagte er dazu?", ["Wer ist Temur Umarov?"]) == ["Temur", "Umarov"]
    assert referents("What did the ministry say?", ["Who is Aibek Smadiyarov?"]) == [], "no pronoun"
    assert referents("What did he say?", None) == []
    assert referents("Why did it leave?", ["Why did the CSTO intervene?"]) == [], "'it' is no person"


def test_chunks_rank_by_sentences_that_can_answer() -> None:
    text = "Putin zeigt seine Macht\n\nUnd warum erhebt sich das Volk? Putin rief 300'000 Reservisten ein\n"
    chunk = Chunk("c", "a.txt", "T", None, text, 0, len(text), 0)

    def scored(sentence: str, score: float) -> ScoredSentence:
        start = text.index(sentence)
        return ScoredSentence(Span(start, start + len(sentence), sentence), score)

    heading = scored("Putin zeigt seine Macht", 5.0)
    question = scored("Und warum erhebt sich das Volk?", 4.0)
    # Unpunctuated, but the last sentence of a longer line: no heading.
    statement = scored("Putin rief 300'000 Reservisten ein", 1.0)
    assert _content([heading, question, statement], chunk) == [statement]
    assert _content([heading], chunk) == [heading], "a chunk of headings still ranks by them"

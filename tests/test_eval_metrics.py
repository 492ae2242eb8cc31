"""Unit tests of the pure eval metrics on hand-made results (no model, no index)."""

from __future__ import annotations

import pytest

from evals.metrics import (
    GoldItem,
    ItemResult,
    Passage,
    Quote,
    abstain_correct,
    answer_correct,
    answer_sentences,
    citation_precision,
    citation_relevance,
    cited_sentence_share,
    compute,
    coverage,
    evaluate,
    evidence_hit_at,
    false_abstain,
    first_evidence_rank,
    is_evidence_hit,
    mrr_at,
    percentile,
    satisfies,
    source_hit_at,
)

EVIDENCE = "Das Bündnis sprach von insgesamt etwa 2500 ausländischen Soldaten im ganzen Land."  # 12 words
ARTICLE = "Einleitung. " + EVIDENCE + " Danach kam der Rückzug."
ARTICLES = {"a.txt": ARTICLE, "b.txt": "Ganz anderer Text über Almaty und Astana."}


def gold(id: str = "g1", *, behavior: str = "answer", evidence: tuple[str, ...] = (EVIDENCE,),
         sources: tuple[str, ...] = ("a.txt",), lang: str = "de", type: str = "factoid") -> GoldItem:
    facts = (("2500", "2.500"), ("Soldaten", "soldiers")) if behavior == "answer" else ()
    answerable = behavior == "answer"
    return GoldItem(id, "Wie viele Soldaten?", lang, type, "2500 Soldaten" if facts else "", facts,
                    sources if answerable else (), evidence if answerable else (), behavior)


def result(id: str = "g1", *, passages: tuple[str, ...] = (), sources: tuple[str, ...] = (),
           answer: str = "", abstained: bool = False, citations: tuple[Quote, ...] = (),
           latency: float = 10.0) -> ItemResult:
    srcs = sources or ("b.txt",) * len(passages)
    pairs = enumerate(zip(srcs, passages, strict=True))
    retrieved = tuple(Passage(s, t, 1.0 / (i + 1)) for i, (s, t) in pairs)
    return ItemResult(id, "Wie viele Soldaten?", retrieved, answer, abstained, citations, latency)


FILLER = "Ein Absatz über etwas ganz anderes ohne Bezug."


def test_words_ignore_case_and_punctuation() -> None:
    assert coverage("Das, BÜNDNIS!", "das bündnis") == 1.0
    assert coverage("", "anything") == 0.0


def test_evidence_hit_and_miss() -> None:
    hit = result(passages=("Vorher. " + EVIDENCE,))
    miss = result(passages=(FILLER,))
    assert first_evidence_rank(hit, gold()) == 1
    assert first_evidence_rank(miss, gold()) is None
    assert evidence_hit_at([(hit, gold())], 1) == 1.0
    assert evidence_hit_at([(miss, gold())], 10) == 0.0


def test_partial_overlap_threshold_at_sixty_percent() -> None:
    ev_words = EVIDENCE.rstrip(".").split()
    assert len(ev_words) == 12
    at_60 = " ".join(ev_words[:8])  # 8/12 = 67%: a hit
    below = " ".join(ev_words[:7])  # 7/12 = 58%: a miss
    assert is_evidence_hit(at_60, [EVIDENCE])
    assert not is_evidence_hit(below, [EVIDENCE])
    exactly = "a b c d e f g h i j"  # 6/10 words present is exactly 60%: counts
    assert is_evidence_hit("a b c d e f", [exactly])
    assert not is_evidence_hit("a b c d e", [exactly])


def test_multiple_evidence_strings_any_one_counts() -> None:
    item = gold(evidence=("Völlig anderer Beleg mit eigenen Wörtern hier drin.", EVIDENCE))
    r = result(passages=(FILLER, EVIDENCE))
    assert first_evidence_rank(r, item) == 2
    # Two words of each of two evidence strings: 40% of either, no hit.
    split = gold(evidence=("alpha beta gamma delta epsilon", "zeta eta theta iota kappa"))
    assert first_evidence_rank(result(passages=("alpha beta zeta eta",)), split) is None


def test_k_cut_offs_and_mrr() -> None:
    r = result(passages=(FILLER, FILLER, FILLER, EVIDENCE, FILLER),
               sources=("b.txt", "b.txt", "b.txt", "a.txt", "b.txt"))
    pairs = [(r, gold())]
    assert [evidence_hit_at(pairs, k) for k in (1, 3, 5, 10)] == [0.0, 0.0, 1.0, 1.0]
    assert [source_hit_at(pairs, k) for k in (1, 3, 5, 10)] == [0.0, 0.0, 1.0, 1.0]
    assert mrr_at(pairs) == pytest.approx(0.25)
    assert mrr_at(pairs, 3) == 0.0
    late = result(passages=(FILLER,) * 10 + (EVIDENCE,))  # rank 11 is outside the top 10
    assert mrr_at([(late, gold())]) == 0.0
    assert mrr_at([(r, gold()), (late, gold("g2"))]) == pytest.approx(0.125)


def test_answer_correct_needs_every_fact_and_no_abstention() -> None:
    assert satisfies("Etwa 2.500 SOLDATEN", [["2500", "2.500"], ["soldaten"]])
    # The cleaner turns an article's no-break spaces into plain ones; gold copied from the raw file keeps them.
    assert satisfies("der russischen  Sprache", [["russischen\u00a0Sprache"]])
    assert not satisfies("der russischen Sprache", [["russische Sprachen"]])
    right = result(answer="Rund 2.500 Soldaten [1]")
    half = result(answer="Rund 2500 Menschen [1]")
    abstained = result(answer="2500 Soldaten? Die Artikel sagen es nicht.", abstained=True)
    assert answer_correct([(right, gold())]) == 1.0
    assert answer_correct([(half, gold())]) == 0.0
    assert answer_correct([(abstained, gold())]) == 0.0
    assert false_abstain([(right, gold()), (abstained, gold("g2"))]) == 0.5


def test_abstain_correct_only_over_abstain_items() -> None:
    pairs = [
        (result("u1", abstained=True), gold("u1", behavior="abstain")),
        (result("u2", answer="Irgendwas [1]"), gold("u2", behavior="abstain_or_flag_unrelated")),
        (result("g1", answer="2500 Soldaten"), gold("g1")),
    ]
    assert abstain_correct(pairs) == 0.5
    assert answer_correct(pairs) == 1.0  # the abstain items do not count here
    assert abstain_correct([(result(answer="x"), gold())]) is None


def test_citation_precision_is_verbatim_and_relevance_also_on_evidence() -> None:
    good = Quote("a.txt", EVIDENCE)
    wrong_text = Quote("a.txt", "Ein Satz, der so nicht im Artikel steht.")
    wrong_article = Quote("b.txt", "Ganz anderer Text über Almaty und Astana.")  # verbatim, but off-topic
    unknown = Quote("zzz.txt", EVIDENCE)
    r = result(answer="2500 Soldaten [1] [2] [3] [4]", citations=(good, wrong_text, wrong_article, unknown))
    assert citation_precision([(r, gold())], ARTICLES) == 0.5
    assert citation_relevance([(r, gold())], ARTICLES) == 0.25
    # From a non-gold article but overlapping the evidence: relevant.
    elsewhere = {"c.txt": EVIDENCE}
    r2 = result(answer="x [1]", citations=(Quote("c.txt", EVIDENCE),))
    assert citation_relevance([(r2, gold())], elsewhere) == 1.0
    # Abstentions' citations are not counted.
    r3 = result(answer="nein", abstained=True, citations=(wrong_text,))
    assert citation_precision([(r3, gold())], ARTICLES) is None
    assert citation_relevance([(r3, gold())], ARTICLES) is None


def test_answer_sentences_and_cited_share() -> None:
    text = "Laut den Artikeln: „Satz eins.“ [1] „Satz zwei.“ [2][3] Ohne Beleg. Noch einer [4]."
    assert answer_sentences(text) == ["Laut den Artikeln: „Satz eins.“ [1]", "„Satz zwei.“ [2][3]",
                                      "Ohne Beleg.", "Noch einer [4]"]
    r = result(answer=text)
    assert cited_sentence_share([(r, gold())]) == 0.75
    assert cited_sentence_share([(result(answer="x", abstained=True), gold())]) is None
    # A quotation of two sentences closed by one marker is one cited unit; a nested quote does not end it.
    two = "Laut den Artikeln: „Die „Mini-Nato“ kam. Sie blieb.“ [1] Frei erfunden. Danach."
    assert answer_sentences(two) == ["Laut den Artikeln: „Die „Mini-Nato“ kam. Sie blieb.“ [1]",
                                     "Frei erfunden.", "Danach."]


def test_percentiles_and_compute_groups() -> None:
    assert percentile([10.0, 20.0, 30.0, 40.0], 50) == 25.0
    assert percentile([5.0], 95) == 5.0
    assert percentile([], 50) is None
    items = [gold("g1", lang="de"), gold("g2", lang="en", type="why"),
             gold("u1", behavior="abstain", lang="en")]
    results = [result("g1", passages=(EVIDENCE,), answer="2500 Soldaten [1]", latency=100.0),
               result("g2", passages=(FILLER,), abstained=True, latency=300.0),
               result("u1", abstained=True, latency=200.0)]
    run = evaluate("product", results, items, ARTICLES)
    assert set(run.groups) == {"overall", "lang:de", "lang:en", "type:factoid", "type:why"}
    o = run.overall
    assert o["n"] == 3 and o["n_answer"] == 2
    assert o["evidence_hit@1"] == 0.5 and o["answer_correct"] == 0.5 and o["abstain_correct"] == 1.0
    assert o["latency_p50_ms"] == 200.0
    assert run.groups["lang:en"]["answer_correct"] == 0.0
    assert compute([], ARTICLES)["answer_correct"] is None

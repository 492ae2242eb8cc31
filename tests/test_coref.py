"""Definite descriptions resolved to the names they stand for: when they are, and when they are left alone."""

from __future__ import annotations

from rag.coref import resolve, same_kind_by
from rag.lexical import analyze
from rag.sentences import split_sentences

COMMON_NOUNS = (
    "Militärbündnis Bündnis Allianz Präsident Verbündeten Militär Staaten Soldaten Politologe Rohstoff Ausland "
    "Armut Grund Preise Gas Frau Dissidenten Dienstag Meinungen"
)
LEXICON = frozenset(analyze(COMMON_NOUNS))
# "Allianz" and "Bündnis" are both "alliance"; "Zelt" is not.
SENSES = {analyze("Allianz")[0]: frozenset({"allianc"}), analyze("Bündnis")[0]: frozenset({"allianc", "confeder"})}
SAME_KIND = same_kind_by(SENSES, LEXICON)


def _resolved(text: str) -> list[str]:
    found = resolve(text, split_sentences(text), LEXICON, SAME_KIND)
    return [found[i] for i in sorted(found)]


def test_a_description_of_the_same_kind_gets_the_name_introduced_in_its_paragraph() -> None:
    text = (
        "Das Militärbündnis OVKS griff ein. Das Bündnis schickte Soldaten. "
        "Die Allianz besteht aus sechs Staaten."
    )
    assert _resolved(text) == [
        "Das Bündnis (OVKS) schickte Soldaten.",
        "Die Allianz (OVKS) besteht aus sechs Staaten.",
    ]


def test_a_long_form_and_a_person_with_a_title_are_introductions_too() -> None:
    text = (
        "Das Militärbündnis „Organisation des Vertrags über kollektive Sicherheit“ (OVKS) griff ein. "
        "Die Allianz schickte Soldaten.\n\n"
        "Der kasachische Präsident Kassym-Schomart Tokajew rief um Hilfe. Der Präsident sprach von Terroristen."
    )
    assert _resolved(text) == [
        "Die Allianz (OVKS) schickte Soldaten.",
        "Der Präsident (Kassym-Schomart Tokajew) sprach von Terroristen.",
    ]


def test_unclear_references_are_left_alone() -> None:
    # Another paragraph: the name may no longer be the one meant.
    assert _resolved("Das Militärbündnis OVKS griff ein.\n\nDas Bündnis schickte Soldaten.") == []
    # Two presidents came up: "der Präsident" could be either.
    assert _resolved("Präsident Tokajew traf Präsident Putin. Der Präsident sprach lange.") == []
    # The sentence names one of its kind itself (introduced earlier), though another was named last.
    text = "Präsident Putin sprach.\n\nPräsident Nasarbajew schwieg. Putins Antwort, so die Worte des Präsidenten."
    assert _resolved(text) == []
    # A different adjective: "der russische Präsident" is not the Kazakh one.
    assert _resolved("Der kasachische Präsident Tokajew rief. Der russische Präsident kam.") == []
    # A different kind: an alliance is not a president.
    assert _resolved("Präsident Tokajew rief. Das Bündnis kam.") == []
    # "Verbündeten Putins" names whose allies, not who the allies are.
    assert _resolved("Putin hat Verbündete. Kasachstan galt als Verbündeten Putins. Die Verbündeten zögern.") == []


def test_nouns_of_one_kind() -> None:
    assert SAME_KIND(analyze("Bündnis")[0], analyze("Militärbündnis")[0]), "the head of a compound"
    assert SAME_KIND(analyze("Allianz")[0], analyze("Militärbündnis")[0]), "a shared translation of the head"
    assert not SAME_KIND(analyze("Präsident")[0], analyze("Militärbündnis")[0])


def test_reported_speech_is_attributed_to_the_person_named_before_it_in_its_paragraph() -> None:
    text = (
        "Der Politologe Marat Schibutow sieht Armut als Grund. Der Rohstoff sei ins Ausland verkauft worden. "
        "Die Preise stiegen.\n\nDas Gas sei knapp geworden."
    )
    assert _resolved(text) == ["Der Rohstoff sei ins Ausland verkauft worden. (Marat Schibutow)"], (
        "not the sentence in the indicative, not the one in the next paragraph"
    )
    assert _resolved("Präsident Tokajew sprach. Laut Putin sei alles ruhig.") == [], "it names its own source"


def test_a_quotation_introduced_by_a_colon_is_attributed_to_who_says_it_not_to_whom() -> None:
    text = (
        "Toqajew versprach den Dissidenten am Dienstag:\n\n«Die meisten sind gezwungen zu gehen. Wir helfen.»\n\n"
        "Eine Frau sagte gegenüber «Deutschlandfunk»:\n\n«Wir unterstützen das.»\n\n"
        "Der Präsident sprach mit Putin und erklärte:\n\n«Es gibt Meinungen.»"
    )
    assert _resolved(text) == ["«Die meisten sind gezwungen zu gehen. (Toqajew)", "Wir helfen.» (Toqajew)"]


def test_without_the_languages_common_words_nothing_is_resolved() -> None:
    text = "Toqajew versprach den Dissidenten:\n\n«Wir helfen.»\n\nDas Militärbündnis OVKS kam. Das Bündnis blieb."
    assert _resolved(text), "with them, both are"
    assert resolve(text, split_sentences(text), frozenset(), SAME_KIND) == {}

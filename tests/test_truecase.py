"""Case given back to questions typed without any: which questions, and where each word's case comes from."""

from __future__ import annotations

from rag.truecase import CAPITALISED, LOWER, UPPER, ShapeCounter, Shapes, carries_case, shapes_of, truecase

# How the articles write their words; the first word of a sentence says nothing and is not counted.
ARTICLES = shapes_of([
    "Die OVKS griff ein, als Tokajew die Allianz rief.",
    "Nun dankt Tokajew der OVKS. Kasachstan sei souverän, sagte Tokajew.",
    "Kinder spielten in der Jurte, die kein Kind verließ.",
])
GERMAN = Shapes(capitalised=frozenset({"hilfe", "truppen", "kind"}), folded=False)  # the dictionary's German nouns
ENGLISH = Shapes(upper=frozenset({"nato"}), capitalised=frozenset({"russia"}),
                 seen=frozenset({"kind", "help", "intervene", "troops", "nato", "russia", "ask", "asked", "call"}),
                 folded=False)


def english(question: str, knows: bool = True) -> str:
    return truecase(question, True, ARTICLES, ENGLISH, (lambda w: ENGLISH.of(w) is not None) if knows else None,
                    acronym=lambda w: w == "CSTO")


def german(question: str) -> str:
    words = {"hilfe", "truppen", "kind", "rief", "wann", "eingegriffen", "schickte", "souverän", "sagt"}
    return truecase(question, False, ARTICLES, GERMAN, lambda w: w.lower() in words, acronym=lambda w: False)


def test_only_a_question_without_case_of_its_own_is_recased() -> None:
    assert not carries_case("why did the csto intervene?")
    assert not carries_case("Why did the csto intervene? and when did tokayev call?")  # sentence starts only
    assert not carries_case("WARUM HAT DIE OVKS EINGEGRIFFEN?")  # shouted: capitals that say nothing
    assert carries_case("Why did the CSTO intervene?") and carries_case("why did Tokayev call?")
    assert not carries_case("OVKS?") and german("OVKS?") == "OVKS?"  # recased as it was
    assert english("What did Tokayev ask?") == "What did Tokayev ask?"
    assert english("Who is müller, ask NATO?") == "Who is müller, ask NATO?"  # as typed, even if odd


def test_the_articles_give_their_names_and_acronyms_case() -> None:
    assert german("wann rief tokajew die ovks?") == "Wann rief Tokajew die OVKS?"
    assert english("why did tokayev call the ovks?") == "Why did Tokayev call the OVKS?"  # spelled the English way
    assert german("WANN GRIFF DIE OVKS EIN?") == "Wann griff die OVKS ein?"


def test_a_question_in_another_language_takes_the_dictionarys_case_first() -> None:
    # "kind" is English here, whatever the articles' German "Kind" is; the dictionary knows English names.
    assert english("was the kind help of russia and nato asked for?") == (
        "Was the kind help of Russia and NATO asked for?")
    # A word only the articles have keeps their case; a word no one has is a name, or an acronym of theirs.
    assert english("did kasachstan ask scholz or the csto for help?") == (
        "Did Kasachstan ask Scholz or the CSTO for help?")


def test_in_the_articles_language_the_articles_come_first_then_the_dictionary() -> None:
    assert german("schickte die allianz truppen zu hilfe?") == "Schickte die Allianz Truppen zu Hilfe?"
    assert german("ist kasachstan souverän, sagt sacharowa?") == "Ist Kasachstan souverän, sagt Sacharowa?"


def test_without_a_dictionary_only_the_articles_give_case() -> None:
    assert english("why did tokayev intervene with scholz?", knows=False) == "Why did Tokayev intervene with scholz?"


def test_a_words_shape_is_the_one_it_mostly_has() -> None:
    counter = ShapeCounter()
    for text in ("NATO Nato NATO NATO", "nato"):
        counter.add(text, skip_first=False)
    counter.add("Heute kam die Nachricht")  # "Heute" opens the sentence: not counted
    assert counter.shapes(0.5).of("Nato") == UPPER and counter.shapes(0.9).of("nato") == LOWER  # seen, no shape
    assert counter.shapes(0.5).of("nachricht") == CAPITALISED and counter.shapes(0.5).of("heute") is None
    assert counter.shapes(0.5, seen=False).of("kam") is None

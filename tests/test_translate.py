"""Dictionary-based query translation: the Ding parser, phrase lookup, the vocabulary filter, the cache."""

from __future__ import annotations

from pathlib import Path

import pytest

import rag.translate as translate
from rag.lexical import LexicalIndex, analyze
from rag.translate import Dictionary
from rag.truecase import CAPITALISED, LOWER, UPPER, Shapes

DING = """\
# Version :: test
Außenminister {m}; Außenministerin {f} | Außenminister {pl} :: foreign minister | foreign ministers
fremd {adj} :: foreign; alien
Minister {m} [pol.] | Minister {pl} :: minister | ministers
Geistlicher {m} :: minister (church)
Pfarrer {m} :: minister
Raumfahrtzentrum {n}; Weltraumbahnhof {m}; Kosmodrom {n} (Raumfahrt) :: spaceport; cosmodrome (astronautics)
Demonstrant {m} [pol.] | Demonstranten {pl} | vermummte Demonstranten :: protester | protesters | masked protesters
das A und O [ugs.] :: the nuts and bolts
hoch {adj} :: up; high
erst {adj} :: st (first)
Aufstellung {f} :: line up
"""


@pytest.fixture
def ding(tmp_path: Path) -> Path:
    path = tmp_path / "de-en"
    path.write_text(DING, encoding="utf-8")
    return path


def terms(*words: str) -> frozenset[str]:
    return frozenset(t for w in words for t in analyze(w))


def test_senses_are_parallel_and_notes_and_phrases_are_dropped(ding: Path) -> None:
    entries, _, _, _ = translate.parse(ding)
    assert entries[translate.english_key(["foreign", "minister"])] == analyze("Außenminister")
    cosmodrome = entries[translate.english_key(["cosmodrome"])]
    # Given equally often, translations keep the dictionary's order (a set's order changes from run to run).
    assert cosmodrome == [*analyze("Raumfahrtzentrum"), *analyze("Weltraumbahnhof"), *analyze("Kosmodrom")]
    # "vermummte Demonstranten" is a phrase: BM25 matches words, so only single German words are kept.
    assert translate.english_key(["masked", "protesters"]) not in entries
    assert translate.english_key(["protesters"]) in entries  # plural and singular share the stem
    assert "nuts and bolts" not in " ".join(entries)  # the German side is a phrase: nothing to match


def test_translation_keeps_the_longest_phrase_and_only_words_the_articles_use(ding: Path, tmp_path: Path) -> None:
    d = Dictionary(ding, tmp_path / "cache")
    vocabulary = terms("Außenminister", "Minister", "fremd", "Weltraumbahnhof", "Pfarrer")
    assert d.translate("What did the foreign minister say?", vocabulary) == analyze("Außenminister")
    # "minister" alone has three senses; the one given most often among the articles' words wins.
    assert d.translate("Which minister?", vocabulary) == analyze("Minister")
    assert d.translate("Which Russian cosmodrome is in Kazakhstan?", vocabulary) == analyze("Weltraumbahnhof")
    assert d.translate("Which cosmodrome?", terms("Minister")) == []  # no sense the articles use
    assert d.translate("the and of", vocabulary) == []


def test_one_or_two_letter_words_are_translated_only_within_a_phrase(ding: Path, tmp_path: Path) -> None:
    d = Dictionary(ding, tmp_path / "cache")
    vocabulary = terms("hoch", "erst", "Aufstellung", "Minister")
    assert d.translate("What was the minister's line up?", vocabulary) == analyze("Minister Aufstellung")
    assert d.translate("What did the minister say in St. Petersburg, and what went up?", vocabulary) == analyze(
        "Minister")


def test_the_parsed_dictionary_is_cached_until_the_source_changes(
    ding: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    built = Dictionary(ding, cache)
    first, german = built.entries(), built.german_words()
    assert german and (cache / "dictionary-en-de.json").is_file()

    def no_parse(path: Path) -> tuple[dict[str, list[str]], frozenset[str], translate.Places, dict[str, Shapes]]:
        raise AssertionError("the cache should have been read")

    monkeypatch.setattr(translate, "parse", no_parse)
    cached = Dictionary(ding, cache)
    assert cached.entries() == first
    assert cached.german_words() == german
    assert cached.shapes("de") == built.shapes("de") and cached.shapes("en") == built.shapes("en")
    monkeypatch.undo()
    ding.write_text(DING + "Jurte {f} :: yurt\n", encoding="utf-8")
    assert translate.english_key(["yurt"]) in Dictionary(ding, cache).entries()


def test_the_german_side_lists_common_words_not_names(ding: Path, tmp_path: Path) -> None:
    words = Dictionary(ding, tmp_path).german_words()
    assert {*analyze("Außenminister Aussenministerin Weltraumbahnhof Demonstranten vermummte")} <= words
    assert not {*analyze("Tokajew OVKS")} & words
    assert Dictionary(Path("off"), tmp_path).german_words() == frozenset()


def test_words_listed_only_as_places_are_names(tmp_path: Path) -> None:
    ding = tmp_path / "de-en"
    ding.write_text(DING + "Kirgistan {n} /KG/ [geogr.] :: Kyrgyzstan\n"
                    "Kiew (Hauptstadt der Ukraine) [geogr.] :: Kiev (capital of the Ukraine)\n"
                    "Essen (Stadt in Deutschland) [geogr.] :: Essen (city in Germany)\n"
                    "Essen {n}; Mahlzeit {f} :: meal\n", encoding="utf-8")
    d = Dictionary(ding, tmp_path / "cache")
    places = d.places()
    assert {*analyze("Kirgistan Kiew")} <= places.names
    assert not {*analyze("Essen")} & places.names, "also a meal: a common word"
    assert {*analyze("Hauptstadt Stadt")} <= places.kinds
    assert {*analyze("Kirgistan Kiew Essen")} <= d.german_words()
    assert not {*analyze("Kirgistan Kiew")} & d.common_words() and {*analyze("Essen Mahlzeit")} <= d.common_words()
    assert Dictionary(ding, tmp_path / "cache").places() == places, "read back from the cache"


def test_a_broken_cache_is_rebuilt(ding: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "dictionary-en-de.json").write_text("{not json", encoding="utf-8")
    assert translate.english_key(["cosmodrome"]) in Dictionary(ding, cache).entries()


def test_no_dictionary_means_no_translation(tmp_path: Path) -> None:
    for source in (tmp_path / "missing", Path("off")):
        d = Dictionary(source, tmp_path)
        assert not d.available
        assert d.translate("Which cosmodrome?", terms("Weltraumbahnhof")) == []


def test_translated_terms_join_the_bm25_query() -> None:
    index = LexicalIndex(["In Kasachstan liegt der Weltraumbahnhof Baikonur.", "Die Proteste gingen weiter."])
    assert index.scores("Which cosmodrome?").max() == 0
    scores = index.scores("Which cosmodrome?", analyze("Weltraumbahnhof"))
    assert scores[0] > 0 and scores[1] == 0


ACRONYM_DING = """\
Organisation {f} | Organisationen {pl} :: organization | organizations
Vertrag {m} | Verträge {pl} :: treaty; contract | treaties
kollektiv {adj} :: collective
Sicherheit {f} :: security; safety
Bündnis {n}; Allianz {f} :: alliance
"""
LONG_FORM = "Organisation des Vertrags über kollektive Sicherheit"


def test_acronyms_the_articles_define_are_found_with_their_long_form() -> None:
    text = f"Das Militärbündnis „{LONG_FORM}“ (OVKS) griff ein. Die Zahl (2500) stieg. Das Land (USA) zögert."
    assert translate.acronym_definitions([text]) == {"OVKS": LONG_FORM}


def test_an_english_acronym_finds_the_articles_one_through_its_translated_long_form(tmp_path: Path) -> None:
    path = tmp_path / "de-en"
    path.write_text(ACRONYM_DING, encoding="utf-8")
    d = Dictionary(path, tmp_path / "cache")
    vocabulary = terms(LONG_FORM, "OVKS", "Bündnis")
    defined = [("OVKS", LONG_FORM)]
    # English orders the words differently: Collective Security Treaty Organization.
    assert d.translate("Why did the CSTO intervene?", vocabulary, defined) == analyze("OVKS")
    assert d.translate("Which states joined the CSTO alliance?", vocabulary, defined)[0] == analyze("OVKS")[0]
    assert d.translate("What did the NATO say?", vocabulary, defined) == [], "letters no translation begins with"
    assert d.translate("What did the CST say?", vocabulary, defined) == [], "one letter per word, every word used"
    assert d.translate("What does the OVKS do?", vocabulary, defined) == [], "the articles' own acronym needs none"
    assert d.translate("Why did the CSTO intervene?", vocabulary) == [], "nothing defined, nothing found"


def test_words_only_one_side_of_the_dictionary_knows_tell_the_language(ding: Path, tmp_path: Path) -> None:
    dictionary = Dictionary(ding, tmp_path)
    assert dictionary.language_votes("Was wollten die Demonstranten?") == (1, 0)  # Minister is on both sides
    assert dictionary.language_votes("Was the minister among the protesters?") == (0, 1)
    assert dictionary.language_votes("Nasarbajew Tokajew") == (0, 0)


def test_the_dictionary_says_how_each_side_writes_its_words(ding: Path, tmp_path: Path) -> None:
    d = Dictionary(ding, tmp_path)
    german, english = d.shapes("de"), d.shapes("en")
    assert german.of("außenminister") == german.of("DEMONSTRANTEN") == CAPITALISED  # German nouns
    assert german.of("fremd") is None  # lower case: known as a German word instead
    assert d.knows("fremd", "de") and d.knows("vermummte", "de") and not d.knows("tokajew", "de")
    assert english.of("minister") == english.of("Cosmodrome") == LOWER
    assert d.knows("foreign", "en") and not d.knows("tokayev", "en")
    shouted = Dictionary(_ding(tmp_path, "NATO {f} :: NATO\nRussland {n} [geogr.] :: Russia\n"), tmp_path / "c")
    assert shouted.shapes("en").of("nato") == shouted.shapes("de").of("Nato") == UPPER
    assert shouted.shapes("en").of("russia") == CAPITALISED
    assert Dictionary(Path("off"), tmp_path).shapes("en") == Shapes()


def _ding(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "small-de-en"
    path.write_text(text, encoding="utf-8")
    return path

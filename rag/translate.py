"""Dictionary-based query translation, so an English question can match German articles lexically.

e5-small does not connect "cosmodrome" with "Weltraumbahnhof", and BM25 cannot either; a bilingual
dictionary can. The dictionary is Ding's German-English word list (TU Chemnitz, GPL-2.0-or-later), which
Debian ships as the package `trans-de-en` (`/usr/share/trans/de-en`); it is read, never copied into this
project. Only translations that occur in the indexed articles are used, which removes most of a dictionary's
ambiguity: of an English word's German senses, the ones the articles use are the ones that can match.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import Stemmer

from .lexical import STOPWORDS, analyze
from .truecase import DICTIONARY_SHARE, ShapeCounter, Shapes

MAX_NGRAM = 3  # "rocket launch site"
# German translations used per English word or phrase. More than one measured worse: the second sense
# is mostly noise ("countries" -> Staat, Land; dev MRR@10 0.925 with one, 0.904 with three).
PER_TERM = 1
# Words of one or two letters are looked up only inside a phrase ("set up"): alone, they are particles and
# abbreviations whose dictionary senses are other words' ("up" -> hoch 23 times in the gold questions, "St." ->
# erst, "UN" -> ohne). Pooled over fourteen sets: English MRR@10 0.938 -> 0.941, answers unchanged.
MIN_WORD_LETTERS = 3
CACHE_VERSION = 6  # 3: ties in the dictionary's order; 4: places; 6: how each side writes its words

# "Organisation des Vertrags über kollektive Sicherheit“ (OVKS)": a long form, then its acronym in parentheses.
_DEFINITION = re.compile(r"([A-ZÄÖÜ][\w-]*(?:\s+[\w-]+){1,7})[“\"»]?\s*\(([A-ZÄÖÜ]{2,8})\)")
_ACRONYM = re.compile(r"\b[A-Z]{3,8}\b")  # two letters fit too many long forms
_NOTE = re.compile(r"\{[^}]*\}|\[[^\]]*\]|\([^)]*\)|<[^>]*>")
_WORD = re.compile(r"[a-z][a-z'-]*")
_GERMAN_TOKEN = re.compile(r"\w+")


@lru_cache(maxsize=1)
def _english() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def english_key(words: list[str]) -> str:
    """Lowercase, stemmed English words: "Protesters" and "protester" look up alike."""
    return " ".join(_english().stemWord(w.lower()) for w in words)


@dataclass(frozen=True)
class Places:
    """What the dictionary says of places: the words it lists only as places ("Kasachstan"), and the words
    its place entries use for them ("Republik", "Stadt", "Land")."""

    names: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()


class Dictionary:
    """English word or phrase -> German terms, read from a Ding-format file on first use and cached
    as JSON beside the models (parsing the 25 MB file takes about 21 s, reading the cache under 1 s)."""

    def __init__(self, source: Path, cache_dir: Path) -> None:
        self.source = source
        self.cache = cache_dir / "dictionary-en-de.json"
        self._lock = threading.RLock()  # _initials reads the entries while holding it
        self._entries: dict[str, list[str]] | None = None
        self._german: frozenset[str] = frozenset()
        self._places = Places()
        self._shapes: dict[str, Shapes] = {}
        self._common: frozenset[str] | None = None
        self._long_forms: dict[str, list[frozenset[str]]] = {}

    @property
    def available(self) -> bool:
        """Whether the dictionary file is there (the Debian package `trans-de-en` is installed) and wanted."""
        return str(self.source) != "off" and self.source.is_file()

    def entries(self) -> dict[str, list[str]]:
        """For each English key, its German single-word translations (analysed), most often given first."""
        with self._lock:
            if self._entries is None:
                self._entries, self._german, self._places, self._shapes = (
                    self._load() if self.available else ({}, frozenset(), Places(), {})
                )
            return self._entries

    def german_words(self) -> frozenset[str]:
        """Every German word of the dictionary (analysed): the language's common words, which a name is not."""
        self.entries()
        return self._german

    def places(self) -> Places:
        """The words the dictionary lists only as places, and the words it describes places with."""
        self.entries()
        return self._places

    def shapes(self, language: str) -> Shapes:
        """How the dictionary's side of `language` ("de", "en") writes its words: German nouns and English names
        with a capital, acronyms in capitals."""
        self.entries()
        return self._shapes.get(language, Shapes())

    def knows(self, word: str, language: str) -> bool:
        """Whether the dictionary's side of `language` has the word ("sagte" German, "said" English)."""
        if language == "en":
            return english_key([word]) in self.entries() or self.shapes("en").of(word) is not None
        return any(t in self.german_words() for t in analyze(word))

    def common_words(self) -> frozenset[str]:
        """The German words without those the dictionary lists only as places: asked "which countries",
        "Kasachstan" is a name."""
        self.entries()
        with self._lock:
            if self._common is None:
                self._common = self._german - self._places.names
            return self._common

    def translate(
        self, question: str, vocabulary: frozenset[str], acronyms: Sequence[tuple[str, str]] = ()
    ) -> list[str]:
        """German terms (analysed) for the question's English words and phrases, longest phrase first:
        for each, the translation the dictionary gives most often among those the articles use; and for an
        acronym the articles never use, theirs for the same thing (`acronyms`: theirs with its long form)."""
        entries = self.entries()
        words = _WORD.findall(question.lower())
        out: list[str] = self.acronyms_for(question, vocabulary, acronyms)
        i = 0
        while entries and i < len(words):
            step = 1
            for n in range(min(MAX_NGRAM, len(words) - i), 0, -1):
                gram = words[i : i + n]
                if n == 1 and (gram[0] in STOPWORDS or len(gram[0]) < MIN_WORD_LETTERS):
                    break
                used = [t for t in entries.get(english_key(gram), []) if t in vocabulary][:PER_TERM]
                if used:
                    out.extend(t for t in used if t not in out)
                    step = n
                    break
            i += step
        return out

    def language_votes(self, text: str) -> tuple[int, int]:
        """How many words of `text` only the German side of the dictionary knows, and how many only the English
        side ("sagte", "Warnung": German; "said", "warning": English). Names are on neither side."""
        entries, german = self.entries(), self.german_words()
        de = en = 0
        for word in re.findall(rf"[^\W\d_]{{{MIN_WORD_LETTERS},}}", text):
            is_de = any(t in german for t in analyze(word))
            is_en = english_key([word.lower()]) in entries
            de, en = de + (is_de and not is_en), en + (is_en and not is_de)
        return de, en

    def senses(self, terms: frozenset[str]) -> dict[str, frozenset[str]]:
        """For German terms (analysed), the English keys they translate: what tells "Allianz" and "Bündnis"
        apart from "Allianz" and "Zelt" (one pass over the dictionary)."""
        found: dict[str, set[str]] = defaultdict(set)
        for key, german in self.entries().items():
            for t in german:
                if t in terms:
                    found[t].add(key)
        return {t: frozenset(keys) for t, keys in found.items()}

    def acronyms_for(
        self, question: str, vocabulary: frozenset[str], acronyms: Sequence[tuple[str, str]]
    ) -> list[str]:
        """The articles' acronyms (analysed) for the question's unknown ones: "CSTO" is OVKS when the letters
        C, S, T, O begin English translations of the words of "Organisation des Vertrags über kollektive
        Sicherheit", one each, in any order (English puts them in another)."""
        asked = [a for a in _ACRONYM.findall(question) if not set(analyze(a)) <= vocabulary]
        if not asked or not acronyms:
            return []
        initials = self._initials(acronyms)
        return [
            term
            for a in asked
            for theirs, long_form in acronyms
            if _assignable(a.lower(), initials[long_form])
            for term in analyze(theirs)
        ]

    def _initials(self, acronyms: Sequence[tuple[str, str]]) -> dict[str, list[frozenset[str]]]:
        """For each long form, the first letters of each of its words' English translations."""
        with self._lock:
            missing = {lf for _, lf in acronyms if lf not in self._long_forms}
            if missing:
                words = {lf: analyze(lf) for lf in missing}
                senses = self.senses(frozenset(t for ts in words.values() for t in ts))
                for lf, ts in words.items():
                    self._long_forms[lf] = [
                        frozenset(k[0] for k in senses.get(t, ()) if k.isalpha()) | {t[0]} for t in ts
                    ]
            return self._long_forms

    def _load(self) -> tuple[dict[str, list[str]], frozenset[str], Places, dict[str, Shapes]]:
        stat = self.source.stat()
        stamp = {"version": CACHE_VERSION, "source": str(self.source), "size": stat.st_size, "mtime": stat.st_mtime}
        try:
            cached = json.loads(self.cache.read_text(encoding="utf-8"))
            if cached.get("stamp") == stamp:
                places = Places(frozenset(cached["places"]), frozenset(cached["place_kinds"]))
                shapes = {lang: Shapes(frozenset(s["upper"]), frozenset(s["capitalised"]), frozenset(s["seen"]),
                                       folded=False) for lang, s in cached["shapes"].items()}
                return dict(cached["entries"]), frozenset(cached["german"]), places, shapes
        except (OSError, ValueError, KeyError, AttributeError, TypeError):
            pass  # no cache yet, or a stale or broken one: parse again
        entries, german, places, shapes = parse(self.source)
        try:
            self.cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.cache.with_suffix(f".{os.getpid()}.tmp")
            data = {"stamp": stamp, "entries": entries, "german": sorted(german), "places": sorted(places.names),
                    "place_kinds": sorted(places.kinds),
                    "shapes": {lang: {"upper": sorted(s.upper), "capitalised": sorted(s.capitalised),
                                      "seen": sorted(s.seen)} for lang, s in shapes.items()}}
            tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            tmp.replace(self.cache)
        except OSError:
            pass  # a read-only model folder only costs the parse time on the next start
        return entries, german, places, shapes


def acronym_definitions(texts: Iterable[str]) -> dict[str, str]:
    """Acronyms the texts define, with their long forms: the last words before "(ACRONYM)" whose initials
    hold the acronym's letters."""
    found: dict[str, str] = {}
    for text in texts:
        for m in _DEFINITION.finditer(text):
            words, acronym = m.group(1).split(), m.group(2)
            for n in range(len(acronym), len(words) + 1):  # the shortest tail that covers the letters
                tail = words[-n:]
                if tail[0][:1].isupper() and set(acronym.lower()) <= {w[0].lower() for w in tail}:
                    found.setdefault(acronym, " ".join(tail))
                    break
    return found


def _assignable(letters: str, words: list[frozenset[str]]) -> bool:
    """Whether each letter can be the initial of a different word, every word used once."""
    if len(letters) != len(words):
        return False
    if not letters:
        return True
    first, rest = letters[0], letters[1:]
    return any(first in w and _assignable(rest, words[:i] + words[i + 1 :]) for i, w in enumerate(words))


def parse(path: Path) -> tuple[dict[str, list[str]], frozenset[str], Places, dict[str, Shapes]]:
    """Ding format: `German | German ... :: English | English ...`, senses in parallel, synonyms split by
    ';', notes in braces, brackets and parentheses. Returns, in one pass over the file:
    - for each English key, its German single-word translations (analysed), most often given first
      (multi-word German phrases are left out: BM25 matches words);
    - every word on the German side, analysed. Proper names are mostly not there: of the articles'
      capitalised words, Moskau, Kreml and Außenminister are, Tokajew, Umarov and OVKS are not;
    - of those, the ones the dictionary lists only as places (marked [geogr.]): names after all; and the
      words that describe places there (*Republik*, *Hauptstadt*);
    - how each side writes its words (`Shapes`, without the lower-case ones), to give case back to questions
      typed without it."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    tokens: set[str] = set()
    places: set[str] = set()  # headwords of senses marked [geogr.]
    not_places: set[str] = set()  # every other word of the German side
    kinds: set[str] = set()  # the other words of those senses, notes included: what kind of place it is
    written = {"de": ShapeCounter(), "en": ShapeCounter()}
    with path.open(encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("#") or " :: " not in line:
                continue
            german, english = line.rstrip("\n").split(" :: ", 1)
            written["de"].add(_NOTE.sub(" ", german), skip_first=False)
            written["en"].add(_NOTE.sub(" ", english), skip_first=False)
            for de_sense in german.split(" | "):
                words = _GERMAN_TOKEN.findall(_NOTE.sub(" ", de_sense))
                if words and "[geogr.]" in de_sense:
                    places.add(words[0])
                    not_places.update(words[1:])
                    kinds.update(_GERMAN_TOKEN.findall(de_sense)[1:])  # "(Hauptstadt der Ukraine)", "Republik"
                else:
                    not_places.update(words)
                tokens.update(words)
            for de_sense, en_sense in zip(german.split(" | "), english.split(" | "), strict=False):
                # In the dictionary's order, not a set's: translations given equally often keep that order,
                # so which one is used does not change with Python's string hashing from one parse to the next.
                de_terms = list(dict.fromkeys(t for w in _NOTE.sub(" ", de_sense).split(";") if (t := _single(w))))
                if not de_terms:
                    continue
                for phrase in _NOTE.sub(" ", en_sense).split(";"):
                    words = _WORD.findall(phrase.lower())
                    if 0 < len(words) <= MAX_NGRAM and not all(w in STOPWORDS for w in words):
                        counts[english_key(words)].update(de_terms)
    forms = {token: analyze(token)[:1] for token in tokens | kinds}  # each word analysed once
    german_words = frozenset(t for token in tokens for t in forms[token])
    # Places the dictionary lists only as places ("Kasachstan", "Moldawien"; not "Essen", also a meal):
    # analysed forms no other German word shares.
    other = {t for token in not_places for t in forms[token]}
    only_places = frozenset({t for p in places for t in forms[p]} - other)
    place_kinds = frozenset(t for k in kinds for t in forms[k] if len(t) >= 4)
    entries = {key: [t for t, _ in c.most_common()] for key, c in counts.items()}
    # Keyed by the word itself: the spelling key would merge the dictionary's words ("scholz" with another).
    # German's words are known by `german_words` already; English's are kept (its entries are stems).
    shapes = {lang: counter.shapes(DICTIONARY_SHARE, folded=False, seen=lang == "en")
              for lang, counter in written.items()}
    return entries, german_words, Places(only_places, place_kinds), shapes


def _single(word: str) -> str:
    if len(word.split()) != 1:
        return ""
    terms = analyze(word)
    return terms[0] if len(terms) == 1 else ""

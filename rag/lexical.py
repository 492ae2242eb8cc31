"""BM25 with German-aware analysis and a spelling key that survives transliteration."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import bm25s
import numpy as np
import Stemmer

# Function words of both languages carry no evidence; question words are dropped too.
STOPWORDS = frozenset(
    """
    der die das den dem des ein eine einer eines einem einen und oder aber als auch an auf aus bei bis
    durch für gegen hat haben hatte hatten ist sind war waren wird werden wurde wurden im in ins mit
    nach nicht noch nur ob seit sich sie er es ihr ihre ihm ihn so über um unter vom von vor wie was wer
    wo warum wieso weshalb wann welche welcher welches welchem welchen wem wen zu zum zur dass daß man sein seine seiner
    diese dieser dieses jene kein keine mehr sehr schon dann denn doch ja wir ich du uns am viele mir mich dir dich euch
    wieviele the a an and or but of to in on at by for from with as is are was were be been being has
    have had do does did not no what which who whom whose why how when where that this these those it
    its their they he she his her we you i me my our your than then there here about into over under
    after before many much did does according article articles say said says
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_EN = set(
    """
    the a an and of to is are was were did does do why how what who which when where in on for with has have
    it this that many much by from as at be been there they their he she his her its about into against or
    but not than can could would should
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_EN_OPENERS = frozenset(["what", "who", "whom", "whose", "which", "when", "where", "why", "how"])
_DE = set(
    """
    der die das und ist sind war waren hat haben warum wie was wer welche welcher welches welchen welchem
    wann wo wieso weshalb den dem des ein eine einen einem einer im in mit von zu zum zur um nach bei aus
    über für auf nicht kein keine auch sich es viele wurde wurden wird werden sein seine ihre
    gegen wen wem am vor als dass ob seit bis noch schon nur er ihm ihn ihr dieser diese dieses soll sollte
    kann muss gibt gab laut unter zwischen durch ohne oder aber wozu womit woher wohin worauf worüber
    """.split()  # noqa: SIM905
)
_TOKEN = re.compile(r"\w+", re.UNICODE)
# Latin '-um' nouns take '-en' in the German plural and '-ums' in the English one (Referendum, Referenden,
# referendums; Zentrum, Zentren): all forms become the German plural before stemming. Not '-tum'
# (Reichtum, Wachstum), which is German and keeps it.
_LATIN_UM = re.compile(r"(?<=\w{4})(?<!t)ums?$")
# The infinitive with "zu" sits inside a separable verb (einzureisen, anzuerkennen, abzugeben): without it,
# the verb meets its other forms and its nouns (einreisen, Einreise).
_ZU_INFIX = re.compile(
    r"^(ab|an|auf|aus|bei|dar|durch|ein|fest|her|hin|los|mit|nach|um|vor|weg|weiter|wieder|zu|zurück|zusammen)"
    r"zu(?=[a-zäöüß]{3,}(?:en|ern|eln)$)"
)
# Thousands separators inside numbers: 300'000, 2.500, 2,500, 100 000 all become 300000, 2500, ...
_THOUSANDS = re.compile(r"(?<=\d)[.,'’\u2009\u202f ](?=\d{3}(?!\d))")
# Transliteration folding, longest first: German and English renderings of Cyrillic and Kazakh names
# collapse to one key (Tokayev/Tokajew/Toqajew, Zakharova/Sacharowa, Krasnov/Krasnow).
_FOLDS = (
    ("tsch", "c"),
    ("sch", "s"),
    ("shch", "s"),
    ("sh", "s"),
    ("zh", "s"),
    ("kh", "h"),
    ("ch", "h"),
    ("ck", "k"),
    ("ph", "f"),
    ("th", "t"),
    ("q", "k"),
    ("c", "k"),
    ("z", "s"),
    ("j", "i"),
    ("y", "i"),
    ("w", "v"),
    ("ae", "a"),
    ("oe", "o"),
    ("ue", "u"),
)


# English writes Cyrillic "ч" as "ch", German as "tsch" (Bucha, Butscha; Chernihiv, Tschernihiw), which the
# spelling key folds apart ("buha", "buka"); German's own "ch" is English "kh" (Kharkiv, Charkiw), folded alike.
_ENGLISH_CH = re.compile(r"(?<![sS])([Cc])h")
_NAME_WITH_CH = re.compile(r"\b[A-ZÄÖÜ]\w*(?<![sS])[Cc]h\w*")


def german_spelling(name: str) -> str:
    """An English-spelled name from Cyrillic with German's letters for the sounds they spell apart: ch -> tsch."""
    return _ENGLISH_CH.sub(lambda m: "Tsch" if m.group(1) == "C" else "tsch", name)


def respell(text: str, vocabulary: frozenset[str]) -> str:
    """`text` with each name in German spelling where only that spelling is in `vocabulary` ("Bucha":
    *Butscha*), in a text of either language."""

    def german(m: re.Match[str]) -> str:
        name = m.group(0)
        theirs = analyze(german_spelling(name))
        if theirs and set(theirs) <= vocabulary and not set(analyze(name)) <= vocabulary:
            return german_spelling(name)
        return name

    return _NAME_WITH_CH.sub(german, text)


def spelling_variants(question: str, vocabulary: frozenset[str]) -> list[str]:
    """Terms (analysed) of the question's names in the spelling the texts use, where that is another."""
    own = set(analyze(question))
    return list(dict.fromkeys(t for t in analyze(respell(question, vocabulary)) if t not in own))


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("german")


def fold(word: str) -> str:
    """A spelling key: no case, no diacritics, transliteration variants merged, no double letters."""
    word = unicodedata.normalize("NFKD", word.lower().replace("ß", "ss"))
    word = "".join(ch for ch in word if not unicodedata.combining(ch))
    for src, dst in _FOLDS:
        word = word.replace(src, dst)
    return re.sub(r"([^\W\d_])\1+", r"\1", word)


def analyze(text: str) -> list[str]:
    """Tokens for BM25: numbers normalised, stopwords dropped, German stem, then the spelling key."""
    text = _THOUSANDS.sub("", text)
    out: list[str] = []
    for token in _TOKEN.findall(text.lower()):
        if token in STOPWORDS or (len(token) < 2 and not token.isdigit()):
            continue
        token = _ZU_INFIX.sub(r"\1", _LATIN_UM.sub("en", token))
        out.append(fold(_stemmer().stemWord(token)))
    return out


# German prepositions of attribution. BM25 keeps them (English questions translate "according to" into them and
# find the attributed sentence), but they say nothing about what a question is about.
_ATTRIBUTION = frozenset(analyze("laut zufolge gemäß"))


class LexicalIndex:
    """An in-memory BM25 index over a list of texts (chunks or sentences)."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.size = len(texts)
        self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
        analysed = [analyze(t) for t in texts]
        self.vocabulary = frozenset(t for doc in analysed for t in doc)  # every term of the texts
        tokens = [doc or ["\x00"] for doc in analysed]  # bm25s refuses empty documents
        if tokens:
            self._bm25.index(tokens, show_progress=False)

    def scores(self, query: str, extra: Sequence[str] = ()) -> np.ndarray:
        """BM25 score of every text for `query`, plus `extra` terms already analysed (translations)
        (zeros when nothing matches)."""
        terms = analyze(query)
        terms += [t for t in extra if t not in terms]
        if not self.size or not terms:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(terms), dtype=np.float32)


def content_terms(text: str) -> list[str]:
    """The analysed terms of `text` without the words that only say whose account it is ("laut dem Bericht",
    "ihm zufolge", as English "according to" and "said" are stopwords): what a text is about."""
    return [t for t in analyze(text) if t not in _ATTRIBUTION]


def language_votes(text: str) -> tuple[int, int]:
    """Evidence for German and for English in `text`: its function words, and umlauts for German. An umlaut
    in a capitalised word counts half as much (it may be a name in an English question: "Sophie Müller"), and
    an English question word opening the text counts once more (*was* is both languages' word)."""
    words = re.findall(r"[A-Za-zÄÖÜäöüß]+", text)
    lower = [w.lower() for w in words]
    umlauts = sum(len(re.findall(r"[äöüß]", lw)) * (1 if w[:1].isupper() else 2)
                  for w, lw in zip(words, lower, strict=True))
    de = sum(w in _DE for w in lower) + umlauts
    en = sum(w in _EN for w in lower) + (1 if lower and lower[0] in _EN_OPENERS else 0)
    return de, en


def detect_language(text: str) -> str:
    """'de' or 'en' from function words and umlauts; ties go to English."""
    de, en = language_votes(text)
    return "de" if de > en else "en"

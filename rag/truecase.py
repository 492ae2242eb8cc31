"""Case for questions typed without any ("why did the csto intervene", "WARUM HAT DIE OVKS EINGEGRIFFEN?").

Capitals carry meaning the pipeline reads: the name checks tell a name by its capital, the acronym match needs
"CSTO" in capitals to find the articles' OVKS, and e5 embeds "tokayev" and "Tokayev" differently. A question
typed all in lower or in upper case loses that. Its words get their case back from how the articles write them,
then from how the dictionary does; a word neither knows is a name, or one of the articles' acronyms. A question
that has capitals of its own beyond its first letter is left as typed.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .lexical import STOPWORDS, fold

_LETTERS = re.compile(r"[^\W\d_]+")
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+)[\"„“»«'(]*$")
UPPER, CAPITALISED, LOWER = "AA", "Aa", "a"
# A word's shape is the one it has in at least this share of its occurrences. The articles are edited text: their
# most frequent shape. The dictionary's example sentences capitalise any word at their start ("Why …").
ARTICLES_SHARE = 0.5
DICTIONARY_SHARE = 0.9


@dataclass(frozen=True)
class Shapes:
    """How a text writes its words: the ones mostly written in capitals (NATO, OVKS), mostly with a capital
    (names, German nouns), and every word it has (the rest are lower case). Keyed by the spelling key
    (`lexical.fold`) when `folded`, so "tokayev" finds the articles' *Tokajew*; else by the lower-cased word."""

    upper: frozenset[str] = frozenset()
    capitalised: frozenset[str] = frozenset()
    seen: frozenset[str] = frozenset()
    folded: bool = True

    def of(self, word: str) -> str | None:
        """UPPER, CAPITALISED, LOWER, or None for a word the text does not have."""
        key = fold(word) if self.folded else word.lower()
        if key in self.upper:
            return UPPER
        if key in self.capitalised:
            return CAPITALISED
        return LOWER if key in self.seen else None


class ShapeCounter:
    """Counts how words are written, to build `Shapes`."""

    def __init__(self) -> None:
        self._counts: defaultdict[str, Counter[str]] = defaultdict(Counter)

    def add(self, text: str, skip_first: bool = True) -> None:
        """Count the words of one sentence or phrase; a sentence's first word is capitalised by position, not
        by what it is, and is skipped."""
        for i, m in enumerate(_LETTERS.finditer(text)):
            if i or not skip_first:
                self._counts[m.group(0).lower()][shape(m.group(0))] += 1

    def shapes(self, share: float, folded: bool = True, seen: bool = True) -> Shapes:
        """Each word's shape where one shape has at least `share` of its occurrences; with every word seen
        unless `seen` is False (a caller that knows the words another way keeps the set small)."""
        by_key: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for word, counts in self._counts.items():  # folded once per word, not per occurrence
            by_key[fold(word) if folded else word].update(counts)
        found: dict[str, set[str]] = {UPPER: set(), CAPITALISED: set(), LOWER: set()}
        for key, counts in by_key.items():
            top, n = counts.most_common(1)[0]
            if n >= share * sum(counts.values()):
                found[top].add(key)
        return Shapes(frozenset(found[UPPER]), frozenset(found[CAPITALISED]),
                      frozenset(by_key) if seen else frozenset(), folded)


def shape(word: str) -> str:
    """UPPER for "NATO", CAPITALISED for "Nato", LOWER otherwise."""
    if len(word) > 1 and word.isupper():
        return UPPER
    return CAPITALISED if word[:1].isupper() else LOWER


def carries_case(question: str) -> bool:
    """Whether the question's capitals say something: some, beyond the first letter of a sentence, and not all."""
    letters = [ch for ch in question if ch.isalpha()]
    if len(letters) > 3 and all(ch.isupper() for ch in letters):
        return False
    return any(ch.isupper() and not _SENTENCE_START.search(question[:i]) for i, ch in enumerate(question))


def truecase(
    question: str,
    cross_lingual: bool,
    articles: Shapes,
    dictionary: Shapes,
    knows: Callable[[str], bool] | None,
    acronym: Callable[[str], bool],
) -> str:
    """The question with each word in the case the articles or the dictionary write it in, when the question
    carries none (`carries_case`); as typed otherwise.

    `cross_lingual`: the question is in another language than the articles, so its words are the dictionary's
    first ("kind" is English, not the articles' *Kind*). `knows`: whether the dictionary has a word (in the
    question's language) at all; None without a dictionary, and then a word the articles do not write stays as
    typed. `acronym`: whether a word, in capitals, is one of the articles' acronyms in another language (CSTO).
    """
    if carries_case(question):
        return question
    if not any(ch.islower() for ch in question):
        question = question.lower()

    def cased(m: re.Match[str]) -> str:
        word = m.group(0)
        if word in STOPWORDS or len(word) < 2:
            return word
        theirs, listed = articles.of(word), dictionary.of(word)
        if theirs == UPPER:
            return _as(word, UPPER)
        order = (listed, None if knows and knows(word) else theirs) if cross_lingual else (theirs, listed)
        for found in order:
            if found:
                return _as(word, found)
        if knows is None or knows(word):
            return word
        return word.upper() if acronym(word.upper()) else _as(word, CAPITALISED)

    cased_text = _LETTERS.sub(cased, question)
    return _capitalise_first(cased_text)


def _as(word: str, how: str) -> str:
    if how == UPPER:
        return word.upper()
    return word[:1].upper() + word[1:] if how == CAPITALISED else word


def _capitalise_first(text: str) -> str:
    m = _LETTERS.search(text)
    return text if m is None else text[: m.start()] + text[m.start()].upper() + text[m.start() + 1 :]


def shapes_of(sentences: Iterable[str]) -> Shapes:
    """How the sentences write their words."""
    counter = ShapeCounter()
    for s in sentences:
        counter.add(s)
    return counter.shapes(ARTICLES_SHARE)

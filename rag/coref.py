"""Definite descriptions resolved to the names they stand for ("Die Allianz" -> OVKS), at index time.

A German article introduces a name with its class noun ("das Militärbündnis OVKS", "Präsident Kassym-Schomart
Tokajew") and later says only "das Bündnis" or "die Allianz". Those later sentences answer questions that name
the thing ("In welchem Jahr wurde die OVKS gegründet?"), but neither e5 nor BM25 sees the name in them. Each such
sentence gets a resolved text with the name after the description ("Die Allianz (OVKS) besteht ..."); so does
a sentence of reported speech without a name, or of a quotation introduced by "Toqajew versprach:", with the
name of the person it reports. The resolved text is what is embedded and matched; quotes stay the article's
own words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .lexical import analyze
from .schema import Span

# A description refers back within its paragraph, at most this many sentences: across paragraphs, "des
# Präsidenten" was as often someone else as the president named last.
WINDOW = 8
MAX_NAME_WORDS = 3
_WORD = re.compile(r"\w+(?:-\w+)*")
_ARTICLES = frozenset({"der", "die", "das", "dem", "den", "des"})
# "das Militärbündnis „Organisation des Vertrags über kollektive Sicherheit“ (OVKS)": the long form's acronym.
_LONG_FORM = re.compile(r"\s*[„\"«][^“\"»]{3,120}[“\"»]\s*\(([A-ZÄÖÜ]{2,8})\)")

# Reported speech (Konjunktiv I) goes on quoting the last person named without naming them again: "Der
# Politologe Marat Schibutow sieht ... Angesichts der hohen Gaspreise sei der Rohstoff verkauft worden."
_REPORTED = re.compile(r"\b(sei|seien|habe|werde|könne|müsse|solle|wolle|dürfe|gebe)\b")
# A paragraph that opens with a quotation mark, after a line ending in a colon, is what that line's speaker said.
_OPENING = frozenset("«„\"“‹‚'")
_QUOTED = re.compile(r"[«„\"“][^«»„“\"”]*[»“\"”]")
# A name after a preposition is who it was said to or with, not who said it.
_TO = frozenset({"gegenüber", "an", "zu", "mit", "von", "bei", "für", "über", "vor", "nach", "aus", "in", "neben"})
SameKind = Callable[[str, str], bool]  # (noun of a description, noun a name was introduced with), analysed


@dataclass(frozen=True)
class _Intro:
    sentence: int
    paragraph: int
    noun: str  # analysed class noun: "militarbundnis"
    adjectives: frozenset[str]
    name: str


def _is_acronym(word: str) -> bool:
    return 2 <= len(word) <= 8 and word.isalpha() and word.isupper()


def resolve(
    text: str, sentences: Sequence[Span], lexicon: frozenset[str], same_kind: SameKind
) -> dict[int, str]:
    """For the sentences of one article's `text` (in order), the resolved text of each that refers back to a
    name introduced in its paragraph by a description of its kind without naming it. `lexicon` holds the
    language's common words (analysed), which tell a class noun from a name; without them (no dictionary)
    nothing is resolved, since every German noun would look like a name."""
    if not lexicon:
        return {}

    def common(word: str) -> str:
        terms = analyze(word)
        return terms[0] if len(terms) == 1 and terms[0] in lexicon and word[:1].isupper() else ""

    def is_name(word: str) -> bool:
        terms = analyze(word)
        return word[:1].isupper() and (_is_acronym(word) or (bool(terms) and not any(t in lexicon for t in terms)))

    # "Verbündeten Putins" is a possessor, not a name for the noun: a genitive -s on a name the article
    # also uses without it.
    used = {m.group() for s in sentences for m in _WORD.finditer(s.text)}

    def is_appositive(word: str) -> bool:
        return is_name(word) and not (word.endswith("s") and word[:-1] in used)

    intros: list[_Intro] = []
    resolved: dict[int, str] = {}
    quoting, last_paragraph = "", -1
    for i, s in enumerate(sentences):
        paragraph = text.count("\n\n", 0, s.start)
        words = list(_WORD.finditer(s.text))
        insertions: list[tuple[int, str]] = []
        if paragraph != last_paragraph:
            # A paragraph that is a quotation, after one that ends "Toqajew versprach den Dissidenten:".
            opens = i > 0 and sentences[i - 1].text.rstrip().endswith(":") and s.text[:1] in _OPENING
            quoting = _speaker(sentences[i - 1].text, is_name) if opens else ""
            last_paragraph = paragraph
        for j, m in enumerate(words):
            noun = common(m.group())
            if not noun:
                continue
            # Adjectives between an article and the noun: "der kasachische Präsident".
            k, adjectives = j - 1, []
            while k >= 0 and words[k].group().islower() and words[k].group() not in _ARTICLES and j - k <= 2:
                adjectives.append(words[k].group())
                k -= 1
            adj = frozenset(t for a in adjectives for t in analyze(a))
            name = _introduced_name(s.text, words, j, is_appositive)
            if name:
                intros.append(_Intro(i, paragraph, noun, adj, name))
            elif k >= 0 and words[k].group().lower() in _ARTICLES:
                name = _antecedent(s.text, i, paragraph, noun, adj, intros, same_kind)
                if name:
                    insertions.append((m.end(), name))
        if not insertions and _REPORTED.search(s.text) and not any(is_name(w.group()) for w in words[1:]):
            speakers = [x for x in intros if x.paragraph == paragraph and x.sentence < i and not _is_acronym(x.name)]
            if speakers:  # the speaker goes last: the sentence is what they said
                insertions.append((len(s.text), speakers[-1].name))
        if quoting and not insertions and not _mentions(s.text, quoting):
            insertions.append((len(s.text), quoting))
        if insertions:
            says = s.text
            for at, name in sorted(insertions, reverse=True):
                says = f"{says[:at]} ({name}){says[at:]}"
            resolved[i] = says
    return resolved


def heads(noun: str, lexicon: frozenset[str]) -> set[str]:
    """An analysed noun and the common words that end it: "militarbundnis" -> itself and "bundnis"."""
    return {noun} | {noun[k:] for k in range(1, len(noun) - 3) if noun[k:] in lexicon}


def same_kind_by(senses: Mapping[str, frozenset[str]], lexicon: frozenset[str]) -> SameKind:
    """Nouns of one kind: equal, the head of a compound ("Bündnis" of "Militärbündnis"), or sharing a
    translation in the dictionary (`senses`, for every noun and its `heads`: "Allianz" and "Bündnis" are
    both "alliance")."""

    def same(description: str, introduced: str) -> bool:
        kinds = heads(introduced, lexicon)
        if description in kinds:
            return True
        meanings = senses.get(description, frozenset())
        return any(meanings & senses.get(h, frozenset()) for h in kinds)

    return same


def _speaker(text: str, is_name: Callable[[str], bool]) -> str:
    """The first name in a sentence that introduces a quotation, not one it is said to ("gegenüber
    «Deutschlandfunk»", "gegenüber dem ehemaligen US-Präsidenten George W. Bush")."""
    words = list(_WORD.finditer(text))
    quoted = [q.span() for q in _QUOTED.finditer(text)]  # a title: «St. Petersburg International Economic Forum»
    names: list[str] = []
    for j, m in enumerate(words):
        addressed = any(w.group().lower() in _TO for w in words[max(0, j - 3) : j])
        inside = any(a < m.start() < b for a, b in quoted)
        if is_name(m.group()) and not addressed and not inside:
            if names and text[words[j - 1].end() : m.start()].strip():
                break
            names.append(m.group())
        elif names:
            break
    return " ".join(names)


def _antecedent(
    text: str,
    at: int,
    paragraph: int,
    noun: str,
    adjectives: frozenset[str],
    intros: list[_Intro],
    same_kind: SameKind,
) -> str:
    """The one name the description in sentence `at` can refer to; empty when the sentence names something of
    its kind itself ("Putins Antwort ... des Präsidenten"), or two of its kind came up within the window."""
    kind = [x for x in intros if adjectives <= x.adjectives and same_kind(noun, x.noun)]
    names = {x.name for x in kind if x.paragraph == paragraph and at - x.sentence <= WINDOW}
    if len(names) != 1 or any(_mentions(text, x.name) for x in kind):
        return ""
    return names.pop()


def _introduced_name(
    text: str, words: list[re.Match[str]], j: int, is_name: Callable[[str], bool]
) -> str:
    """The name right after the class noun `words[j]`, if one follows: "Militärbündnis OVKS",
    "Präsident Kassym-Schomart Tokajew", "Militärbündnis „...“ (OVKS)"."""
    long_form = _LONG_FORM.match(text, words[j].end())
    if long_form:
        return long_form.group(1)
    names: list[str] = []
    end = words[j].end()
    for m in words[j + 1 : j + 1 + MAX_NAME_WORDS]:
        if text[end : m.start()].strip() or not is_name(m.group()):
            break  # only a space between the noun and the name, and between the name's words
        names.append(m.group())
        end = m.end()
    return " ".join(names)


def _mentions(text: str, name: str) -> bool:
    return any(re.search(rf"\b{re.escape(part)}", text) for part in name.split())

"""Answerability checks: whether quotes hold what a question asks for (a number, a date, an amount, a name),
and whether a question is about the articles at all."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import takewhile
from typing import TYPE_CHECKING

from .lexical import STOPWORDS, analyze, content_terms, respell
from .translate import MIN_WORD_LETTERS

if TYPE_CHECKING:
    from .answer import AnswerPolicy


# A word of the question -> its translations into the articles' language (analysed) that the articles use.
Translate = Callable[[str], list[str]]


@dataclass(frozen=True)
class Lexicon:
    """What the answer checks know about words beyond the articles' own, from a dictionary of their language."""

    common: frozenset[str] = frozenset()  # its common words, which tell a name from a noun (German capitalises both)
    places: frozenset[str] = frozenset()  # the names it lists only as places: names, even among the common words
    translate: Translate | None = None  # an English word's terms in the articles' language


NO_LEXICON = Lexicon()

_QUANTITY = re.compile(
    r"\b(how (many|much|large|big|long|far|old|high)|wie (viel(?:e[nrs]?)?|groß|gross|hoch|lange|weit|alt)|"
    r"what (share|percentage|proportion|number)|welche[rnm]? anteil|wie viel prozent|wie hoch ist der anteil|"
    r"the (total )?number of|(death|casualty) toll|(an)?zahl der|opferzahl)\b",
    re.I,
)
# "How long has X been running?" is answered by when it started ("seit 2006"): a year counts for these.
_DURATION = re.compile(r"\b(how long|wie lange)\b", re.I)
# Any tense: "how much does/did/will … cost", "wie viel haben … gekostet", "was kosten …", "wie teuer".
_MONEY_Q = re.compile(r"\b(how much (money|(do|does|did|will|would|was|were|is|are|has|have|had) .{0,40}"
                      r"(cost|pay|paid|spend|spent|invest|worth))|how expensive|"
                      r"wie viel (?!prozent)(geld|.{0,60}?\w*(kost|zahlt|ausgegeben|investiert)\w*)|wie teuer|"
                      r"what (did|does|do|will) .{0,40} cost|was (kostet|kostete|kosten|kosteten))\b", re.I)
_MONEY = re.compile(r"[$€£¥₽₸]|\b(dollars?|euros?|rubel|rubles?|roubles?|tenge|franken|francs?|pfund|pounds?|"
                    r"yuan|usd|eur|chf|rub|kzt)\b", re.I)
# English "when" asks for a time only as an interrogative ("When did ...", "since when"); "how did he respond
# when Moscow demanded ..." uses it as a conjunction. German "wann" is always interrogative.
_WHEN = re.compile(
    r"\b(when(\s+(exactly|roughly|approximately))?\s+(did|does|do|was|were|is|are|has|have|had|will|would|"
    r"could|can|should|must)\b|since when|what year|which year|what date|which day|on what day|wann|"
    r"in welchem jahr|welchem jahr|an welchem tag|welches datum|an welchem datum)\b",
    re.I,
)
# Counts without digits too, plurals included: "Tausende Antikriegsrussen", "hundreds of people".
_NUMBER_WORDS = (
    r"eins|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|zwanzig|dreißig|hundert|"
    r"tausend|millionen?|milliarden?|dutzend|hunderte|tausende|zehntausende|hunderttausende|dutzende|"
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundreds?|thousands?|millions?|"
    r"billions?|dozens?|half|hälfte"
)
_NUMBER = re.compile(rf"\d+(?:[.,'’]\d+)*|\b({_NUMBER_WORDS})\b", re.I)
# "How much / um wie viel did it rise?" is answered by a factor as well as by a number: "die Verdopplung der Preise".
_FACTOR = re.compile(
    r"\b(verdopp\w*|verdreifach\w*|vervielfach\w*|halbier\w*|doppelt\w*|dreifach\w*|zweifach\w*|"
    r"doubl\w*|tripl\w*|quadrupl\w*|halved|halving|twice|thrice)\b",
    re.I,
)
_AMOUNT_Q = re.compile(r"\b(how much|wie viel)\b", re.I)  # an amount, not "how many" / "wie viele"
# Month names of both languages; not English "may", which is mostly the verb.
_MONTHS = (r"januar|january|februar|february|märz|march|april|mai|juni|june|juli|july|august|september|"
           r"oktober|october|november|dezember|december")
_DATE = re.compile(
    rf"\b(1[0-9]|20)\d\d\b|\b({_MONTHS}|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)\b",
    re.I,
)
_INTRODUCED = re.compile(r":\s*\n\s*\n.*", re.S)  # a paragraph a colon introduces, to the quote's end
# Asked for a name outright: the quote must name someone or something the question does not.
_NAME_Q = re.compile(
    r"\bnames? of\b|\bwhat (is|was|are|were) (he|she|it|they|the \w+) called\b|"
    r"\bwie (heißt|heisst|heißen|heissen|hieß|hiess|hießen|hiessen)\b|\bnamen? (des|der|von)\b",
    re.I,
)
# "Who is the head of …?", "Wer ist Russlands Botschafter …?", "Wer war 1990 Vorsitzender …?": asked who holds a
# role, which a name answers, as "what is the name of" asks. Not "Who is Maria Zakharova?" (what a named person
# is), not "Who are the protesters?" (a group, which a description answers), nor "Who founded …?", which an
# institution answers as often as a person (measured: answers lost).
_HOLDER_Q = re.compile(
    r"^\W*(?:[Ww]ho|[Ww]er)\s+(?:is|was|ist|war)\s+"
    r"(?:(?:the|a|an|his|her|its|their|der|die|das|ein|eine)\b|\d|[A-ZÄÖÜ][\w-]*(?:['’]s|s)\s+([^\W\d_][\w-]*))"
)
# "Who is Maria Zakharova?", "Wer ist Tokajew?": asked what a named person is, which only a quote that names
# them can say. A quote about someone else ("Er hat sie geschaffen …" for "Who is Putin?") describes no one asked.
_WHO_IS_NAMED = re.compile(r"^\W*(?i:who|wer)\s+(?i:is|was|ist|war)\s+((?:[A-ZÄÖÜ][\w'’.-]*\s*){1,4})\W*$")
_LATIN_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_PROPER = re.compile(r"\b[A-ZÄÖÜ][\w’'-]*")
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
# A day of the month ("am 5. April", "5 April", "on April 5, 2022") is part of a date, no count: no answer to
# "how many" or "what share". Next to its day, "May" is the month.
_DAY_MONTH = rf"(?:{_MONTHS}|may)"
_DAY = re.compile(rf"\b(\d{{1,2}})\.?\s+{_DAY_MONTH}\b|\b{_DAY_MONTH}\s+(\d{{1,2}})(?=[,.]|\s+\d{{4}}|$)", re.I)
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-ZÄÖÜ][\w’'-]{2,})")
# "Wie viele [der rund 2500] OVKS-Soldaten ...", "die Zahl der Todesopfer": what is counted is the first noun
# after "wie viele" or "Zahl der" (German capitalises nouns). A number that counts another noun ("sechs
# ehemaligen Sowjetrepubliken") does not answer it.
_COUNTED = re.compile(r"\b(?:wie viele[rn]?|(?:an)?zahl der)\s+(.*)", re.I)
# "How many [ethnic Russians] live …": English marks no noun, so the next words are all translated.
_HOW_MANY = re.compile(r"\bhow many\s+((?:[\w'-]+\s+){0,2}[\w'-]+)", re.I)
COUNT_WINDOW = 3  # words between a number and what it counts ("2500 ausländischen Soldaten")
# "Wie viele weitere Jurten …?", "how many more yurts": asked beyond those already known, so a number of them
# answers only when it is marked the same way ("zwei weitere Jurten", "noch zwei Jurten").
_MORE = re.compile(r"(weiter|zusätzlich|ander|übrig)(e[nmrs]?)?|more|other|additional|further|another", re.I)
_MORE_BEFORE = re.compile(r"noch|another", re.I)  # before the number: "noch zwei", "another two"; "two more" after
# "Wie viel Öl …?", "how much oil …?": an amount is measured in units ("1,8 Millionen Barrel Rohöl"), so no noun
# follows its number; a quote answers only when it names what is measured. Money has its own check.
_MEASURED = re.compile(r"\b(wie viel|how much)\s+((?:[\w'-]+\s+){0,2}[\w'-]+)", re.I)
_COMPARATIVE = re.compile(r"more|less|\w{2,}er", re.I)  # "how much longer", "how much more"
# A count of deaths ("death toll", "wie viele Menschen kamen ums Leben") is answered only by a number of the dead,
# or of people in a quote that says they died: not by a count of the injured or of a population.
_DEATHS = (r"death toll|deaths?|died|dies|dying|killed|dead|fatalities|lives lost|todesopfer|tote[nr]?|tod|"
           r"ums leben|getötet|gestorben|starben|umgekommen|tödlich")
_DEATH = re.compile(rf"\b({_DEATHS})\b", re.I)
_DEAD_COUNTED = frozenset(analyze("Tote Todesopfer Opfer Tod Todesfälle Leichen"))
# Nouns that count anyone or anything: any count will do for them.
_GENERIC_COUNTED = frozenset(analyze("Mensch Menschen Person Personen Leute Mal Male"))
_SCALE_WORDS = frozenset(analyze("Tausend Million Millionen Milliarde Milliarden Dutzend Hundert"))
_SHARE_WORDS = frozenset(analyze("Prozent Anteil Hälfte Drittel Viertel"))
_QUOTE_MARKS = frozenset("„“”\"»«")
# "Welche russischen Generäle ...?": asked with a description (adjectives and a noun). A quote that repeats the
# description and names no one mentions them only generically: it does not say which. Groups: a preposition
# before it ("In welcher Stadt"), the adjectives, the noun.
_WHICH = re.compile(r"^\W*(?:([IiAa][nu]s?)\s+)?[Ww]elche[rsmn]?\s+((?:[a-zäöüß]\w*\s+)*)([A-ZÄÖÜ]\w+)")


def _new_match(pattern: re.Pattern[str], text: str, question: str) -> bool:
    """True when `text` has a match of `pattern` that the question does not already contain
    (a year or a day of the month is no answer to "how many")."""
    asked = {m.group(0).lower() for m in pattern.finditer(question)}
    dates: set[int] = set()
    if pattern is _NUMBER:
        dates = {m.start() for m in _YEAR.finditer(text)} | {m.start(m.lastindex or 0) for m in _DAY.finditer(text)}
    return any(m.group(0).lower() not in asked and m.start() not in dates for m in pattern.finditer(text))


def _has_quantity(question: str, text: str) -> bool:
    """A number the question does not hold; for "how long", a year will do too, and for "how much", a factor."""
    return (
        _new_match(_NUMBER, text, question)
        or bool(_DURATION.search(question) and _new_match(_YEAR, text, question))
        or bool(_AMOUNT_Q.search(question) and _new_match(_FACTOR, text, question))
    )


def unknown_terms(
    question: str,
    vocabulary: frozenset[str],
    names_only: bool,
    common: frozenset[str] = frozenset(),
    translate: Translate | None = None,
    places: frozenset[str] = frozenset(),
) -> tuple[list[str], int]:
    """Terms of the question that occur nowhere in the indexed text (not even inside a compound),
    and how many were checked: its names, or all its content words. Capitalised words that the
    articles' language knows are not names: a German noun in `common` (its common words), or an
    English word whose translation is spelled alike and used in the articles ("Russia": "Russland").
    A place in `places` is a name, even in `common`, and not a compound: "Dortmund" is not known by "dort"."""
    if not names_only:
        terms = content_terms(question)
    else:
        terms = []
        for m in _CAPITALISED.finditer(question):
            word = m.group(1)
            term = next(iter(analyze(word)), None)
            if term is None or (term in common and term not in places):
                continue
            # A word the articles use under its translation, spelled alike ("Russia": Russland), or an acronym
            # they use under theirs for the same long form ("CSTO": OVKS).
            translations = translate(word.split("-")[0]) if translate else []
            if translations and (word.isupper() or any(t[:3] == term[:3] for t in translations)):
                continue
            terms.append(term)
    words = list(dict.fromkeys(terms))  # "Russian ... Russians" is one name, counted once
    return [t for t in words if not _known(t, vocabulary, t in places)], len(words)


def about_something_else(
    question: str,
    same_language: bool,
    vocabulary: frozenset[str],
    policy: AnswerPolicy,
    lexicon: Lexicon = NO_LEXICON,
) -> bool:
    """The question is about things the articles never mention: a year they never name, names they
    never name, or mostly words they never use (asked in another language: not even in translation)."""
    if any(year not in vocabulary for year in _YEAR.findall(question)):
        return True
    question = respell(question, vocabulary)  # "Bucha" is found as the articles spell it, "Butscha"
    translate, places = lexicon.translate, lexicon.places
    unknown, total = unknown_terms(question, vocabulary, True, lexicon.common if same_language else frozenset(),
                                   None if same_language else translate, places)
    if len(unknown) >= policy.max_unknown_names and len(unknown) >= policy.unknown_share * total:
        return True
    if same_language:  # across languages, ordinary words cannot be expected to match
        unknown, total = unknown_terms(question, vocabulary, False, places=places)
        return _mostly_unknown(len(unknown), total, policy)
    # Across languages, a word is known when the articles use it in some spelling or one of its dictionary
    # translations (so only with a dictionary): a question that is all or mostly unknown words ("xxxxxx",
    # "Who won the football match?") is about something else, as in the articles' own language.
    # Words of one or two letters ("go up") are translated only inside a phrase, so alone they say nothing.
    words = [w for w in _LATIN_WORD.findall(question) if w.lower() not in STOPWORDS and len(w) >= MIN_WORD_LETTERS]
    if translate is None or not words:
        return False
    unknown = [w for w in words if not (translate(w) or all(_known(t, vocabulary, t in places) for t in analyze(w)))]
    return len(unknown) == len(words) or _mostly_unknown(len(unknown), len(words), policy)


def _mostly_unknown(unknown: int, total: int, policy: AnswerPolicy) -> bool:
    """Enough of a question's `total` words are unknown (`unknown`) to say it is about something else."""
    return unknown >= policy.max_unknown_names and unknown > policy.unknown_word_share * total


def names_anything(question: str, common: frozenset[str]) -> bool:
    """Whether the question has names of its own (capitalised words that are not `common` words)."""
    return unknown_terms(question, frozenset(), True, common)[1] > 0


def _known(term: str, vocabulary: frozenset[str], place: bool = False) -> bool:
    if term in vocabulary:
        return True
    # German compounds hide words ("Nobel" in "Nobelpreisträger"): accept a long enough prefix match. A place
    # is one name, not a compound of the word it starts with ("Dortmund", "dort").
    return len(term) >= 4 and any(
        v.startswith(term) or (not place and len(v) >= 4 and term.startswith(v)) for v in vocabulary
    )


def _same_word(a: str, b: str) -> bool:
    """Analysed terms for one thing: equal, or one a compound ending in the other ("Soldaten", "OVKS-Soldaten")."""
    # Three letters, not four: "Russen" analyses to "rus", the head of "Antikriegsrussen".
    return a == b or (min(len(a), len(b)) >= 3 and (a.endswith(b) or b.endswith(a)))


def new_names(question: str, text: str, lexicon: frozenset[str]) -> list[str]:
    """Capitalised words of `text` that are not common words of its language (`lexicon`, a dictionary's
    analysed words) and not the question's own terms, nor parts of them or compounds of them."""
    asked = set(analyze(question))
    names: list[str] = []
    for m in _PROPER.finditer(text):
        for part in m.group(0).split("-"):  # "Duma-Abgeordnete", "Nur-Sultan"
            terms = analyze(part)
            if len(terms) != 1 or terms[0] in lexicon or terms[0] in names:
                continue
            t = terms[0]
            if not any(_same_word(t, a) for a in asked):
                names.append(t)
    return names


def counts_other_things(question: str, text: str) -> bool:
    """A German 'wie viele X' / 'die Zahl der X' question whose new numbers in `text` each count a noun other than X
    ("sechs ehemaligen Sowjetrepubliken" for "wie viele Soldaten"; "zwei Jurten" for "wie viele weitere Jurten").
    A number that counts no noun, or people in general ("Menschen"), may count X."""
    counted = _counts(question, text)
    return bool(counted) and not any(what is None or what in _GENERIC_COUNTED or same for what, same in counted)


def counts_no_deaths(question: str, text: str) -> bool:
    """A count of deaths asked ("What was the death toll?", "Wie viele Menschen kamen ums Leben?"), and no new
    number of `text` counts the dead: "Mehr als Tausend Verletzte" counts the injured, "3,5 Millionen
    Menschen" a population. A number of people, or of nothing, does when the quote says they died."""
    if not (_QUANTITY.search(question) and _DEATH.search(question)):
        return False
    died = bool(_DEATH.search(text))
    counted = [what for what, _, _ in _numbers(question, text)]
    return not any(what in _DEAD_COUNTED or (died and (what is None or what in _GENERIC_COUNTED)) for what in counted)


def counts_the_asked(question: str, text: str, translate: Translate | None = None) -> bool:
    """A count question ('wie viele X', 'die Zahl der X', or with `translate`, English 'how many X'), and
    `text` has a new number that counts X itself ("zwei Jurten")."""
    return any(same for _, same in _counts(question, text, translate))


def _counted_nouns(question: str, translate: Translate | None) -> frozenset[str]:
    """What a count question counts (analysed, in the articles' language): the noun after 'wie viele' or
    'Zahl der', or, given `translate`, the German for the words after 'how many'. People in general count
    for nothing in particular."""
    m = _COUNTED.search(question)
    if m:
        counted = next((w for w in re.findall(r"[\w-]+", m.group(1)) if w[:1].isupper()), None)
        nouns = frozenset(analyze(counted.split("-")[-1])[:1]) if counted else frozenset()
    elif translate is not None and (en := _HOW_MANY.search(question)):
        nouns = frozenset(translate(" ".join(w for w in en.group(1).split() if not _MORE.fullmatch(w))))
    else:
        return frozenset()
    return frozenset() if nouns & _GENERIC_COUNTED else nouns


def measures_something_else(question: str, text: str, translate: Translate | None = None) -> bool:
    """A 'wie viel X' question (or, with `translate`, 'how much X'), not about money, whose quote never names X."""
    nouns = _measured_nouns(question, translate)
    return bool(nouns) and not any(t.endswith(n) for t in analyze(text) for n in nouns)  # "Rohöl" names "Öl"


def _measured_nouns(question: str, translate: Translate | None) -> frozenset[str]:
    m = _MEASURED.search(question)
    if not m or _MONEY_Q.search(question):
        return frozenset()
    words = m.group(2).split()
    if m.group(1).lower() == "wie viel":  # German capitalises the noun: "wie viel Öl", not "wie viel kostet"
        return frozenset(analyze(words[0])[:1]) if words[0][:1].isupper() else frozenset()
    english = list(takewhile(lambda w: w.lower() not in STOPWORDS and not _COMPARATIVE.fullmatch(w), words))
    return frozenset(translate(" ".join(english))) if translate and english else frozenset()


def _asks_for_more(question: str) -> bool:
    """'Wie viele weitere X', 'how many more X': the count of X beyond those already known."""
    german = _COUNTED.search(question)
    m = german or _HOW_MANY.search(question)
    if not m:
        return False
    words = re.findall(r"[\w-]+", m.group(1))
    return any(_MORE.fullmatch(w) for w in (_before_noun(words) if german else words)[:2])


def _before_noun(words: list[str]) -> list[str]:
    """The words before the first capitalised one, which in German is the noun: "weitere" in "weitere Jurten"."""
    return words[: next((i for i, w in enumerate(words) if w[:1].isupper()), len(words))]


def _counts(question: str, text: str, translate: Translate | None = None) -> list[tuple[str | None, bool]]:
    """For a count question, each new number of `text`: the noun it counts (None if none) and whether that
    is what is asked. Empty when the question counts no particular noun."""
    nouns = _counted_nouns(question, translate)
    if not nouns:
        return []
    more = _asks_for_more(question)
    out: list[tuple[str | None, bool]] = []
    for what, previous, following in _numbers(question, text):
        same = what is not None and any(_same_word(what, n) for n in nouns)
        if same and more:  # "noch zwei Jurten", "zwei weitere Jurten"
            same = bool(_MORE_BEFORE.fullmatch(previous)) or any(_MORE.fullmatch(f) for f in _before_noun(following))
        out.append((what, same))
    return out


def _numbers(question: str, text: str) -> list[tuple[str | None, str, list[str]]]:
    """Each number of `text` that the question does not hold and that is not a year: the noun it counts
    (None if none), the word before it and the words after it."""
    words = re.findall(r"[\w'’.,-]+|[^\w\s]", text)
    asked = {n.group(0).lower() for n in _NUMBER.finditer(question)}
    out: list[tuple[str | None, str, list[str]]] = []
    for i, w in enumerate(words):
        number = _NUMBER.fullmatch(w.rstrip(".,"))
        if not number or number.group(0).lower() in asked or _YEAR.fullmatch(number.group(0)):
            continue
        following = words[i + 1 : i + 1 + COUNT_WINDOW]
        out.append((_counted_by(following), words[i - 1] if i else "", following))
    return out


def _counted_by(following: list[str]) -> str | None:
    """The noun a number counts: the first capitalised word after it, past scale and share words
    ("3,5 Millionen Menschen", "20 Prozent der Bevölkerung"); None when it stands alone."""
    for w in following:
        if w in _QUOTE_MARKS:
            continue
        terms = analyze(w.strip(".,"))
        if not terms or terms[0] in _SCALE_WORDS or terms[0] in _SHARE_WORDS:
            continue  # stopwords ("der") analyse to nothing
        if not w[:1].isupper():
            if w[:1].isalpha():
                continue  # an adjective: "sechs ehemaligen Sowjetrepubliken"
            return None  # punctuation ends the phrase: the number stands alone
        return terms[0]
    return None


def asks_for_a_place(question: str, place_kinds: frozenset[str]) -> bool:
    """'Welche ehemaligen Sowjetrepubliken …?', 'In welcher Stadt …?': the asked noun is a kind of place
    (`place_kinds`: the words a dictionary describes places with), so place names answer it."""
    m = _WHICH.match(question)
    noun = next(iter(analyze(m.group(3))), None) if m else None
    return noun is not None and any(_same_word(noun, kind) for kind in place_kinds)


def generic_mention(question: str, text: str, lexicon: frozenset[str]) -> bool:
    """'Welche russischen Generäle ...?' answered by a quote that says 'russische Generäle' and names no one."""
    m = _WHICH.match(question)
    # Asked with a description: at least one adjective, and "welche" opening the question.
    if not m or m.group(1) or not m.group(2) or not lexicon:
        return False
    phrase = analyze(m.group(2) + m.group(3))
    terms = analyze(text)
    repeated = any(terms[i : i + len(phrase)] == phrase for i in range(len(terms) - len(phrase) + 1))
    return bool(phrase) and repeated and not new_names(question, text, lexicon)


def missing_answer_type(question: str, quotes: Sequence[str], lexicon: Lexicon = NO_LEXICON) -> bool:
    """A 'how many' question needs a new number in the quotes (of what it counts, when asked in German), 'how
    much money' a currency, 'how much X' the X, a 'when' question a date, 'who is <name>' that name, and (given
    the language's common words) 'what is the name of' or 'who is the <role>' a new name, as 'which (described) X'
    does when the quote only repeats the description."""
    text = " ".join(quotes)
    common = lexicon.common
    # A name in the words a colon introduces ("Und Putin sagte:\n\n«… Nasarbajew …»") is the speaker's
    # subject, not the name asked for.
    narrated = " ".join(_INTRODUCED.sub("", quote) for quote in quotes)
    if common and _asks_for_a_name(question, common) and not new_names(question, narrated, common):
        return True
    if counts_other_things(question, text) or counts_no_deaths(question, text):
        return True
    if not names_the_asked(question, text):
        return True
    if generic_mention(question, text, common) or measures_something_else(question, text, lexicon.translate):
        return True
    if _MONEY_Q.search(question) and not _MONEY.search(text):
        return True
    if _QUANTITY.search(question) and not _has_quantity(question, text):
        return True
    return bool(_asks_when(question) and not _DATE.search(text))


def names_the_asked(question: str, text: str) -> bool:
    """`text` names the person a 'Who is <name>?' question asks about (in any of the spellings the analysis folds
    together, and inflected: "Zakharovas"); True for other questions."""
    m = _WHO_IS_NAMED.match(question)
    asked = [t for t in analyze(m.group(1)) if len(t) >= 3] if m else []
    if not asked:  # checked for every candidate quote: only a who-is question pays for analysing the text
        return True
    terms = analyze(text)
    return any(u.startswith(t) for t in asked for u in terms)


def _asks_for_a_name(question: str, common: frozenset[str]) -> bool:
    """'What is the name of …', 'wie heißt …', or who holds a role: 'Who is the head of …', 'Wer ist Russlands
    Botschafter' (a possessive's noun must be a common word: not 'Wer ist Boris Johnson?')."""
    if _NAME_Q.search(question):
        return True
    m = _HOLDER_Q.match(question)
    noun = m.group(1) if m else None
    return bool(m) and (noun is None or noun[:1].islower() or any(t in common for t in analyze(noun)))


def answered_by(question: str, quotes: Sequence[str], lexicon: Lexicon) -> bool:
    """A question that asks for a number, an amount or a date, which the quotes hold."""
    typed = _QUANTITY.search(question) or _MONEY_Q.search(question) or _asks_when(question)
    return bool(typed) and not missing_answer_type(question, quotes, lexicon)


def holds_asked_type(question: str, text: str) -> bool:
    """`text` has what a 'how many' question asks for (a new number) or a 'when' question (a date)."""
    return bool(_QUANTITY.search(question) and _has_quantity(question, text)) or bool(
        _asks_when(question) and _DATE.search(text))


def _asks_when(question: str) -> bool:
    # "When Tokayev called for help, how many troops came?": the "when" clause sets the scene, the count is asked.
    return bool(_WHEN.search(question)) and not _QUANTITY.search(question)

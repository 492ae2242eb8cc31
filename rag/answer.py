"""Extractive answers: the best-supported article sentences, quoted verbatim with `[n]` citations."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import takewhile

from .lexical import STOPWORDS, analyze, content_terms, respell
from .schema import Answer, Citation, CorpusProfile, Hit, Span
from .sentences import CONSEQUENCE, QUESTION_WORDS, heading_in, is_rhetorical, split_sentences
from .translate import MIN_WORD_LETTERS

# A word of the question -> its translations into the articles' language (analysed) that the articles use.
Translate = Callable[[str], list[str]]


@dataclass(frozen=True)
class Lexicon:
    """What the answer checks know about words beyond the articles' own, from a dictionary of their language."""

    common: frozenset[str] = frozenset()  # its common words, which tell a name from a noun (German capitalises both)
    places: frozenset[str] = frozenset()  # the names it lists only as places: names, even among the common words
    translate: Translate | None = None  # an English word's terms in the articles' language


NO_LEXICON = Lexicon()

# The framing is data: one template per language, with named slots.
TEMPLATES = {
    "en": {
        "answer": "According to the articles: {quotes}",
        "abstain": "The articles don't answer this question.",
        "abstain_hint": " The closest passage is about: {title}.",
        "part_missing": " The articles don't answer: “{part}”",
    },
    "de": {
        "answer": "Laut den Artikeln: {quotes}",
        "abstain": "Darauf geben die Artikel keine Antwort.",
        "abstain_hint": " Am nächsten kommt: {title}.",
        "part_missing": " Keine Antwort geben die Artikel auf: „{part}“",
    },
}
QUOTE_MARKS = {"en": ("“", "”"), "de": ("„", "“")}

_WHY = re.compile(
    r"^\W*(why|how come|for what reason|warum|wieso|weshalb|weswegen|aus welchem grund)\b"
    r"|\breasons?\b|\bgrund\b|\bgründe\b",
    re.I,
)
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
_CAUSAL = re.compile(
    r"\b(weil|denn|deshalb|darum|daher|deswegen|aufgrund|wegen|angesichts|infolge|damit|grund|auslöser|vorwand|"
    r"because|since|due to|so that|in order to|reason)\b",
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
# A sentence that opens like this leans on the one before it, which is then quoted too.
_LEANS_BACK = re.compile(
    r"^\W*(denn|weil|deshalb|darum|daher|deswegen|dabei|damit|dadurch|somit|also|because|"
    r"this is why|that is why|so)\b",
    re.I,
)
# Asked what an acronym stands for, the answer is where the articles define it: "Long Form (ACR)".
_EXPANSION_Q = re.compile(
    r"\b(stands? for|short for|steht\b.{0,40}\bfür)\W*$|\b(abbreviation|acronym|abkürzung)\b|^\W*wofür steht\b|"
    r"^\W*(what does|was bedeutet|what is the meaning of)\s+(the\s+|die\s+|der\s+)?[A-ZÄÖÜ]{2,6}(\s+mean)?\W*$",
    re.I,
)
_ACRONYM = re.compile(r"\b[A-ZÄÖÜ]{2,6}\b")
_INTRODUCED = re.compile(r":\s*\n\s*\n.*", re.S)  # a paragraph a colon introduces, to the quote's end
# Asked for a name outright: the quote must name someone or something the question does not.
_NAME_Q = re.compile(
    r"\bnames? of\b|\bwhat (is|was|are|were) (he|she|it|they|the \w+) called\b|"
    r"\bwie (heißt|heisst|heißen|heissen|hieß|hiess|hießen|hiessen)\b|\bnamen? (des|der|von)\b",
    re.I,
)
# "When did X ..., and which group ...?": two questions in one, each of which needs its own quote. Split only
# where a coordinator introduces a new interrogative (within two words: "and on which principles").
_SECOND_QUESTION = re.compile(rf"\s*[,;–-]?\s+(?:and|und|sowie)\s+(?=(?:\w+\s+){{0,2}}?(?:{QUESTION_WORDS})\b)", re.I)
# "In welcher Stadt und wann soll …?", "Where and when did …?": the first is only an interrogative phrase and
# shares the predicate that follows the second's one-word interrogative.
_ASKS_ONLY = re.compile(rf"^\W*(?:\w+\s+)?(?:{QUESTION_WORDS})\b(?:\s+\w+)?$", re.I)
_SHARED_PREDICATE = re.compile(r"^(?:wann|wo|warum|wieso|weshalb|when|where|why)\s+(\S.*)$", re.I)
# An English that-clause runs to the next comma or the question mark. German relative clauses (", die ...")
# carry the asked detail as often as the premise, and measured no better.
_THAT_CLAUSE = re.compile(r"\s+that\s+[^,?]{3,}(?=[,?]|$)")
FOCUS_MIN_WORDS = 4
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


@dataclass(frozen=True)
class AnswerPolicy:
    """How quotes are picked, and when evidence is too weak to answer (calibrated on the dev gold set)."""

    max_quotes: int = 2
    min_confidence: float = 2.5  # best sentence score, in standard deviations above the corpus mean
    small_corpus_share: float = 0.5  # of the largest z-score a tiny corpus allows, if that is lower
    keep_within: float = 1.5  # a second quote must score within this distance of the best one
    hint_bonus: float = 0.5  # a causal sentence for "why", a number for "how many", a date for "when"
    rank_bonus: float = 0.3  # per rank of the chunk that holds the sentence (rank 1 gets 4x, rank 5 none)
    heading_penalty: float = 1.5  # lines without sentence punctuation are headings, not answers
    short_words: int = 8  # sentences shorter than this many words ...
    short_penalty: float = 0.15  # ... lose this much per missing word
    max_quote_chars: int = 450
    # The sentence that matches the question's words often only sets up the answer ("..., said X."),
    # which follows it: quote the next sentence of the same paragraph too.
    quote_next: bool = True
    type_window: float = 1.0  # how much weaker a quote with the asked-for number or date may be
    # ... or when it also holds the question's verb or adjective that the best quote lacks (measured plateau
    # 2.0-2.5: one more answer over thirteen sets; at 3.0 a question to decline is answered)
    type_window_asked: float = 2.5
    max_unknown_names: int = 2  # this many terms the corpus never mentions ...
    unknown_share: float = 0.6  # ... making up this share of its names: the question is about something else
    unknown_word_share: float = 0.5  # more than this share of all its words, when asked in the articles' language


@dataclass(frozen=True)
class SubQuestion:
    """One part of a question that asks two things, with the passages retrieved for it."""

    text: str
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class Candidate:
    """A quotable span (a sentence, with the next one of its paragraph when that fits) and its score."""

    hit: Hit
    span: Span
    score: float


def _expand(hit: Hit, span: Span, max_chars: int, always: bool) -> Span:
    """Join the previous sentence when this one states its consequence ("Deshalb ...": the reason is there),
    and the next one (always, or when this one introduces it or it leans back on this one), and after
    those one more that leans back on the quote."""
    chunk = hit.chunk

    def between(start: int, end: int) -> str:  # article offsets -> the chunk's text
        return chunk.text[start - chunk.start : end - chunk.start]

    sentences = chunk.sentences
    idx = next((i for i, s in enumerate(sentences) if s.start == span.start), None)
    if idx is None:
        return span
    if idx > 0 and CONSEQUENCE.search(span.text):
        prev = sentences[idx - 1]
        answers = not (heading_in(chunk, prev) or is_rhetorical(prev.text))
        # A paragraph that opens on the consequence follows the one that gives its reason.
        if between(prev.end, span.start).count("\n\n") <= 1 and span.end - prev.start <= max_chars and answers:
            span = Span(prev.start, span.end, between(prev.start, span.end))
    if idx + 1 >= len(sentences):
        return span
    nxt = sentences[idx + 1]
    introduces = span.text.rstrip().endswith(":")  # a colon opens what follows, even a new paragraph
    if ("\n\n" in between(span.end, nxt.start) and not introduces) or nxt.end - span.start > max_chars:
        return span
    if not (always or introduces or _LEANS_BACK.search(nxt.text)):
        return span
    span = Span(span.start, nxt.end, between(span.start, nxt.end))
    last = idx + 1
    if idx + 2 < len(sentences) and nxt.text.rstrip().endswith(":"):
        # The joined sentence opens what follows ("Und Putin sagte:"): a quote never stops on the colon.
        said = sentences[idx + 2]
        if said.end - span.start <= max_chars:
            span = Span(span.start, said.end, between(span.start, said.end))
            last = idx + 2
    # The quote goes on with a sentence that leans back on it ("«Wir unterstützen Putin sehr! Weil wir …»"),
    # once and when it fits: measured over 24 gold sets, 3 more answers, none lost.
    more = sentences[last + 1] if last + 1 < len(sentences) else None
    if (more and _LEANS_BACK.search(more.text) and "\n\n" not in between(span.end, more.start)
            and more.end - span.start <= max_chars):
        span = Span(span.start, more.end, between(span.start, more.end))
    return span


def _score(question: str, hit: Hit, base: float, span: Span, policy: AnswerPolicy, k: int) -> float:
    text = span.text
    score = base + policy.rank_bonus * max(0, k - hit.rank)
    if heading_in(hit.chunk, span):
        score -= policy.heading_penalty
    words = len(text.split())
    if words < policy.short_words:  # short generic sentences sit close to every question in e5's space
        score -= policy.short_penalty * (policy.short_words - words)
    if is_rhetorical(text):
        score -= policy.heading_penalty
    if _WHY.search(question) and _CAUSAL.search(text):
        score += policy.hint_bonus
    if _QUANTITY.search(question) and _has_quantity(question, text):
        score += policy.hint_bonus
    if _asks_when(question) and _DATE.search(text):
        score += policy.hint_bonus
    return score


def _asks(text: str) -> bool:
    """The span opens with the article's own question; one that ends on it after a statement ("... schäumten
    vor Wut. Wie könnte es Kasachstan wagen, ...?") reports what someone asked, and answers."""
    first = split_sentences(text)
    return bool(first) and is_rhetorical(first[0].text)


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


def candidates(question: str, hits: list[Hit], policy: AnswerPolicy) -> list[Candidate]:
    """Every distinct sentence of the hits as a quotable span, best first."""
    seen: set[tuple[str, int]] = set()
    out: list[Candidate] = []
    for hit in hits:
        for s in hit.sentences:
            key = (hit.chunk.source, s.span.start)
            if key in seen:
                continue
            seen.add(key)
            span = _expand(hit, s.span, policy.max_quote_chars, policy.quote_next)
            out.append(Candidate(hit, span, _score(question, hit, s.score, span, policy, len(hits))))
    return sorted(out, key=lambda c: -c.score)


def _redundant(a: str, b: str) -> bool:
    ta, tb = set(analyze(a)), set(analyze(b))
    return bool(ta and tb) and len(ta & tb) / min(len(ta), len(tb)) > 0.6


def _overlaps(a: Candidate, b: Candidate) -> bool:
    return a.hit.chunk.source == b.hit.chunk.source and a.span.start < b.span.end and b.span.start < a.span.end


def _quotable(c: Candidate) -> bool:
    """Headings and the article's own questions count as evidence but answer nothing."""
    return not heading_in(c.hit.chunk, c.span) and not _asks(c.span.text)


def _repeats(c: Candidate, chosen: list[Candidate]) -> bool:
    """`c` overlaps or says again what a chosen quote says."""
    return any(_overlaps(c, o) or _redundant(c.span.text, o.span.text) for o in chosen)


def select(
    question: str,
    hits: list[Hit],
    policy: AnswerPolicy,
    lexicon: Lexicon = NO_LEXICON,
) -> tuple[list[Candidate], float]:
    """The spans to quote (best first) and the confidence of the best one. The lexicon's translations tell
    what an English 'how many' question counts in the articles' language."""
    ranked = candidates(question, hits, policy)
    typed = [c for c in ranked if not missing_answer_type(question, [c], lexicon)]
    translate = lexicon.translate
    # The best quote often matches the question's description of its subject ("das von Russland angeführte
    # Militärbündnis OVKS"); one of the asked type with what is asked about ("gegründet") may be further behind.
    window = policy.type_window
    if typed and _adds_asked(question, typed[0].span.text, ranked[0].span.text):
        window = policy.type_window_asked
    if typed and typed[0].score >= ranked[0].score - window:
        # A quote of the asked-for type (a number, a date) beats a slightly better one without it.
        typed_ids = {id(c) for c in typed}
        ranked = typed + [c for c in ranked if id(c) not in typed_ids]
    if not ranked:
        return [], float("-inf")
    best = ranked[0].score
    chosen: list[Candidate] = []
    for c in ranked:
        if len(chosen) == policy.max_quotes or c.score < best - policy.keep_within:
            break
        if not _quotable(c):
            continue
        if _repeats(c, chosen):
            continue
        chosen.append(c)
    if chosen and not counts_the_asked(question, chosen[0].span.text, translate):
        # The best quote does not count what is asked: a close one that does is kept, ahead of the others.
        fitting = next((c for c in ranked if c.score >= best - policy.keep_within and _quotable(c)
                        and counts_the_asked(question, c.span.text, translate)), None)
        if fitting is not None:
            rest = [c for c in chosen if c is not fitting and not _repeats(c, [fitting])]
            chosen = [fitting, *rest][: policy.max_quotes]
    return chosen, best


def _adds_asked(question: str, text: str, best: str) -> bool:
    """`text` holds a lowercase word of the question (its verb or adjective: *gegründet*) that `best` lacks."""
    asked = set(analyze(" ".join(w for w in question.split()[1:] if w[:1].islower())))
    return bool(asked & (set(analyze(text)) - set(analyze(best))))


def question_parts(question: str) -> list[str]:
    """The two questions of "..., and when/why/which ...?", or [] when it asks one thing."""
    m = _SECOND_QUESTION.search(question)
    if not m:
        return []
    first, second = question[: m.start()].strip(), question[m.end() :].strip()
    shared = _SHARED_PREDICATE.match(second)
    if shared and _ASKS_ONLY.match(first):
        first = f"{first} {shared.group(1)}"
    if min(len(first.split()), len(second.split())) < 3:  # "Russia and which others?" is one question
        return []
    return [first.rstrip("?") + "?", second]


def question_focus(question: str) -> str:
    """The question without its English that-clauses, which state what the asker already knows ("the
    ribbon that Russian media presented as proof", "warn Russia that it might leave"): the passage
    they describe is found by the whole question, the answer by what is left."""
    focus = _THAT_CLAUSE.sub("", question).strip()
    return focus if focus != question.strip() and len(focus.split()) >= FOCUS_MIN_WORDS else question


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


def _names_anything(question: str, common: frozenset[str]) -> bool:
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


def missing_answer_type(question: str, chosen: list[Candidate], lexicon: Lexicon = NO_LEXICON) -> bool:
    """A 'how many' question needs a new number in the quotes (of what it counts, when asked in German), 'how
    much money' a currency, 'how much X' the X, a 'when' question a date, and (given the language's common
    words) 'what is the name of' a new name, as 'which (described) X' does when the quote only repeats the
    description."""
    text = " ".join(c.span.text for c in chosen)
    common = lexicon.common
    # A name in the words a colon introduces ("Und Putin sagte:\n\n«… Nasarbajew …»") is the speaker's
    # subject, not the name asked for.
    narrated = " ".join(_INTRODUCED.sub("", c.span.text) for c in chosen)
    if common and _NAME_Q.search(question) and not new_names(question, narrated, common):
        return True
    if counts_other_things(question, text) or counts_no_deaths(question, text):
        return True
    if generic_mention(question, text, common) or measures_something_else(question, text, lexicon.translate):
        return True
    if _MONEY_Q.search(question) and not _MONEY.search(text):
        return True
    if _QUANTITY.search(question) and not _has_quantity(question, text):
        return True
    return bool(_asks_when(question) and not _DATE.search(text))


def _answered_by(question: str, chosen: list[Candidate], lexicon: Lexicon) -> bool:
    """A question that asks for a number, an amount or a date, which the quotes hold."""
    typed = _QUANTITY.search(question) or _MONEY_Q.search(question) or _asks_when(question)
    return bool(typed) and not missing_answer_type(question, chosen, lexicon)


def _asks_when(question: str) -> bool:
    # "When Tokayev called for help, how many troops came?": the "when" clause sets the scene, the count is asked.
    return bool(_WHEN.search(question)) and not _QUANTITY.search(question)


def min_confidence(policy: AnswerPolicy, profile: CorpusProfile | None) -> float:
    """The abstention threshold; lowered for tiny corpora, where no z-score can get large
    (with n sentences the largest possible one is sqrt(n - 1))."""
    if profile is None or profile.sentences < 2:
        return policy.min_confidence
    return min(policy.min_confidence, policy.small_corpus_share * math.sqrt(profile.sentences - 1))


def _defined_acronym(question: str, profile: CorpusProfile | None, lexicon: Lexicon) -> str | None:
    """The articles' acronym the question asks about (its own, or theirs for it: CSTO, OVKS), if they define it."""
    asked = set(_ACRONYM.findall(question))
    terms = {t for a in asked for t in [*analyze(a), *(lexicon.translate(a) if lexicon.translate else [])]}
    return next((a for a, _ in (profile.acronyms if profile else ()) if a in asked or set(analyze(a)) & terms), None)


def _supported(
    question: str,
    chosen: list[Candidate],
    confidence: float,
    language: str,
    policy: AnswerPolicy,
    profile: CorpusProfile | None,
    lexicon: Lexicon,
) -> bool:
    """Whether the quotes are evidence enough to answer rather than abstain."""
    same_language = profile is not None and language == profile.language
    return not (
        not chosen
        or confidence < min_confidence(policy, profile)
        or (profile and about_something_else(question, same_language, profile.vocabulary, policy, lexicon))
        or missing_answer_type(question, chosen[:1], lexicon)  # the best quote must hold it, not a weaker one
    )


def compose(
    question: str,
    hits: list[Hit],
    language: str,
    policy: AnswerPolicy | None = None,
    profile: CorpusProfile | None = None,
    lexicon: Lexicon = NO_LEXICON,
    parts: Sequence[SubQuestion] = (),
) -> Answer:
    """An extractive answer in the question's language, or an abstention when evidence is weak.
    The `lexicon` tells names from other words and finds an English question's words in the articles' language;
    `parts` are the questions within it (see `question_parts`), each with its own passages."""
    policy = policy or AnswerPolicy()
    chosen, confidence = select(question, hits, policy, lexicon)
    if chosen and _EXPANSION_Q.search(question) and _ACRONYM.search(question):
        # The definition answers alone; an acronym the articles never define is not answered by sentences using it.
        acronym = _defined_acronym(question, profile, lexicon)
        if acronym is None:
            chosen = []
        else:
            defining = [c for c in candidates(question, hits, policy) if f"({acronym})" in c.span.text and _quotable(c)]
            chosen = defining[:1] or chosen
    t = TEMPLATES[language]
    if not _supported(question, chosen, confidence, language, policy, profile, lexicon):
        chosen = []
    # A question that asks two things gets the best quote for each, when the articles answer it. A second part
    # that names nothing of its own ("and against which team?") is about what the whole question is about.
    same_language = profile is not None and language == profile.language
    common = lexicon.common if same_language else frozenset()
    whole_off_topic = bool(parts) and profile is not None and about_something_else(
        question, same_language, profile.vocabulary, policy, lexicon)
    unanswered: list[str] = []
    for i, part in enumerate(parts):
        picked, score = select(part.text, list(part.hits), policy, lexicon)
        own_names = _names_anything(part.text, common)
        borrowed = i > 0 and whole_off_topic and not own_names
        if borrowed or not _supported(part.text, picked, score, language, policy, profile, lexicon):
            # "… and roughly how many belong to each?" is about what the quotes so far are about: when they
            # hold the number (or date) it asks for, they answer it.
            if not (i > 0 and chosen and not borrowed and not own_names and _answered_by(part.text, chosen, lexicon)):
                unanswered.append(part.text[:1].upper() + part.text[1:])
            continue
        if not chosen:  # the whole question found no answer, but this part of it did
            confidence = score
        # Its best quote not quoted already: parts that share a passage would otherwise lose their own answer.
        own = next((c for c in picked if not _repeats(c, chosen)), None)
        if own is not None:
            chosen.append(own)
    if not chosen:
        hint = t["abstain_hint"].format(title=hits[0].chunk.title) if hits else ""
        return Answer(question, t["abstain"] + hint, True, (), tuple(hits), language, confidence=confidence)
    # Quotes from one article keep article order, so the answer reads naturally.
    first = chosen[0].hit.chunk.source
    chosen.sort(key=lambda c: (c.hit.chunk.source != first, c.hit.chunk.source, c.span.start))
    open_q, close_q = QUOTE_MARKS[language]
    citations: list[Citation] = []
    quotes: list[str] = []
    for n, c in enumerate(chosen, start=1):
        ch = c.hit.chunk
        citations.append(Citation(n, ch.source, ch.title, c.span.text, c.span.start, c.span.end, ch.date))
        quotes.append(f"{open_q}{c.span.text}{close_q} [{n}]")
    text = t["answer"].format(quotes=" ".join(quotes)) + "".join(t["part_missing"].format(part=p) for p in unanswered)
    return Answer(question, text, False, tuple(citations), tuple(hits), language, confidence=confidence)

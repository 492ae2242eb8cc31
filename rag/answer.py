"""Extractive answers: the best-supported article sentences, quoted verbatim with `[n]` citations."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .checks import (
    NO_LEXICON,
    Lexicon,
    about_something_else,
    answered_by,
    counts_the_asked,
    holds_asked_type,
    missing_answer_type,
    names_anything,
)
from .lexical import analyze
from .schema import Answer, Citation, CorpusProfile, Document, Hit, OtherStory, Span
from .sentences import CONSEQUENCE, QUESTION_WORDS, heading_in, is_rhetorical, split_sentences

# The framing is data: one template per language, with named slots.
TEMPLATES = {
    "en": {
        "answer": "According to the articles: {quotes}",
        "abstain": "The articles don't answer this question.",
        "abstain_hint": " The closest passage is about: {title}.",
        "part_missing": " The articles don't answer: “{part}”",
        "other_story": " It is about {what} on the page of “{title}”, not about the article.",
        "ticker": "a news ticker",
        "teaser": "a teaser for another story",
        "promo": "an advertisement",
        "link-list": "a list of links to other stories",
        "author-bio": "the author's biography",
        "caption": "a photo caption",
        "credit": "a source credit",
        "overview": "There are {count} articles: {titles}",
    },
    "de": {
        "answer": "Laut den Artikeln: {quotes}",
        "abstain": "Darauf geben die Artikel keine Antwort.",
        "abstain_hint": " Am nächsten kommt: {title}.",
        "part_missing": " Keine Antwort geben die Artikel auf: „{part}“",
        "other_story": " Die Frage betrifft {what} auf der Seite von „{title}“, nicht den Artikel.",
        "ticker": "einen Newsticker",
        "teaser": "einen Anrisstext zu einem anderen Beitrag",
        "promo": "einen Werbehinweis",
        "link-list": "eine Linkliste zu anderen Beiträgen",
        "author-bio": "die Biografie der Autorin oder des Autors",
        "caption": "eine Bildunterschrift",
        "credit": "einen Quellenvermerk",
        "overview": "Es gibt {count} Artikel: {titles}",
    },
}
QUOTE_MARKS = {"en": ("“", "”"), "de": ("„", "“")}

_WHY = re.compile(
    r"^\W*(why|how come|for what reason|warum|wieso|weshalb|weswegen|aus welchem grund)\b"
    r"|\breasons?\b|\bgrund\b|\bgründe\b",
    re.I,
)
_CAUSAL = re.compile(
    r"\b(weil|denn|deshalb|darum|daher|deswegen|aufgrund|wegen|angesichts|infolge|damit|grund|auslöser|vorwand|"
    r"because|since|due to|so that|in order to|reason)\b",
    re.I,
)
# A sentence that opens like this leans on the one before it, which is then quoted too.
_LEANS_BACK = re.compile(
    r"^\W*(denn|weil|deshalb|darum|daher|deswegen|dabei|damit|dadurch|somit|also|because|"
    r"this is why|that is why|so)\b",
    re.I,
)
# A sentence that opens like this tells what happened next ("Zwanzig Minuten später warnte Putin, …", "Daraufhin
# …"): it continues the one before it, even across a paragraph break, and answers "what did he do after …?".
# Not a bare "Darauf": it is as often an object ("Darauf hoffen viele") or an announcement ("Darauf folgt …").
_SEQUEL = re.compile(
    r"^\W*((\w+\s+)?(minuten?|stunden?|tag(e|en)?|wochen?|monat(e|en)?|jahr(e|en)?|augenblicke?|wenig|kurz|bald|"
    r"tags)\s+(später|darauf|danach)|später|daraufhin|danach|anschließend|anschliessend|"
    r"(\w+\s+)?(minutes?|hours?|days?|weeks?|months?|years?|moments?)\s+later|"
    r"(soon|shortly|not\s+long|much|a\s+little)\s+(later|after(wards)?)|afterwards|thereupon|after\s+that)\b",
    re.I,
)
# Asked what an acronym stands for, the answer is where the articles define it: "Long Form (ACR)".
_EXPANSION_Q = re.compile(
    r"\b(stands? for|short for|steht\b.{0,40}\bfür)\W*$|\b(abbreviation|acronym|abkürzung)\b|^\W*wofür steht\b|"
    r"^\W*(what does|was bedeutet|what is the meaning of)\s+(the\s+|die\s+|der\s+)?[A-ZÄÖÜ]{2,6}(\s+mean)?\W*$",
    re.I,
)
_ACRONYM = re.compile(r"\b[A-ZÄÖÜ]{2,6}\b")
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
# "laut dem Bericht über die Unruhen", "in the article about the yurts": which article the asker means, not
# what they ask. A German description ends on its noun, and a place or a clause between commas right after it
# ("über die Befürchtung, Russland könnte sich gegen Kasachstan wenden,"); an English one at a comma or "and".
_NAMED_ARTICLE = (
    re.compile(
        r"(?i:\b(?:(?:laut|in|nach|gemäß)\s+)?(?:dem|im|den|des|der)\s+(?:[\w-]+-)?(?:bericht|artikel|beitrag|text)"
        r"(?:e?s|en)?\s+(?:über|zu[mr]?)\s+)"  # "laut dem Bericht über", "im Artikel zur", "des Beitrags über"
        r"(?:(?:die|den|das|der|dem|ein(?:e[nm]?)?)\s+)?(?:[a-zäöüß][\w-]*\s+){0,3}[A-ZÄÖÜ][\w-]*"
        r"(?:\s+(?:in|von|aus)\s+[A-ZÄÖÜ][\w-]*)?(?:,[^,?]+(?:,|(?=\?)))?"
    ),
    re.compile(
        r"\b(?:in|according\s+to|from)\s+the\s+(?:[\w-]+\s+)?(?:article|report|reporting|story|piece|text)s?"
        r"\s+(?:about|on|covering)\s+(?:(?!\s(?:and|but|or)\s)[^,?])+",
        re.I,
    ),
)
FOCUS_MIN_WORDS = 4


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
    # A question nearer than this (in cosine) to another story on an article's page (its ticker, a teaser) than to
    # any sentence of the articles is about that story. Calibrated on dev (python -m evals.calibrate): midway
    # between the noise items' smallest lead (0.063) and the answerable items' largest (0.004).
    other_story_lead: float = 0.034


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
    and the next one (always, or when this one introduces it, or it leans back on this one or tells what
    happened next; from the next paragraph when this one is a paragraph alone), and after those one more that
    leans back on the quote."""
    chunk = hit.chunk

    def between(start: int, end: int) -> str:  # article offsets -> the chunk's text
        return chunk.text[start - chunk.start : end - chunk.start]

    def joined(start: int, end: int) -> Span:
        return Span(start, end, between(start, end))

    sentences = chunk.sentences
    idx = next((i for i, s in enumerate(sentences) if s.start == span.start), None)
    if idx is None:
        return span
    if idx > 0 and CONSEQUENCE.search(span.text):
        prev = sentences[idx - 1]
        answers = not (heading_in(chunk, prev) or is_rhetorical(prev.text))
        # A paragraph that opens on the consequence follows the one that gives its reason.
        if between(prev.end, span.start).count("\n\n") <= 1 and span.end - prev.start <= max_chars and answers:
            span = joined(prev.start, span.end)
    if idx + 1 >= len(sentences):
        return span
    nxt = sentences[idx + 1]
    introduces = span.text.rstrip().endswith(":")  # a colon opens what follows, even a new paragraph
    breaks = between(span.end, nxt.start).count("\n\n")  # paragraph breaks before the next sentence
    sequel = bool(_SEQUEL.search(nxt.text)) and breaks <= 1
    # A paragraph of one sentence (wire style) is no larger a unit than a sentence: the next paragraph goes on
    # with it as the next sentence of a longer one does ("Russland hat Kasachstan beschuldigt, …", then
    # "Igor Krasnow, Russlands Chefankläger, behauptete, …"). Where a chunk starts, only the article's start is
    # known to open a paragraph.
    before = between(sentences[idx - 1].end, span.start) if idx > 0 else ("\n\n" if chunk.start == 0 else "")
    lone = (always and "\n\n" in before and breaks == 1 and not heading_in(chunk, span)
            and not heading_in(chunk, nxt) and not is_rhetorical(nxt.text))
    if (breaks and not (introduces or sequel or lone)) or nxt.end - span.start > max_chars:
        return span
    if not (always or introduces or sequel or _LEANS_BACK.search(nxt.text)):
        return span
    span = joined(span.start, nxt.end)
    last = idx + 1
    if idx + 2 < len(sentences) and nxt.text.rstrip().endswith(":"):
        # The joined sentence opens what follows ("Und Putin sagte:"): a quote never stops on the colon.
        said = sentences[idx + 2]
        if said.end - span.start <= max_chars:
            span = joined(span.start, said.end)
            last = idx + 2
    # The quote goes on with a sentence that leans back on it ("«Wir unterstützen Putin sehr! Weil wir …»"),
    # once and when it fits: measured over 24 gold sets, 3 more answers, none lost.
    more = sentences[last + 1] if last + 1 < len(sentences) else None
    if (more and _LEANS_BACK.search(more.text) and "\n\n" not in between(span.end, more.start)
            and more.end - span.start <= max_chars):
        span = joined(span.start, more.end)
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
    if holds_asked_type(question, text):  # a number for "how many", a date for "when"
        score += policy.hint_bonus
    return score


def _asks(text: str) -> bool:
    """The span opens with the article's own question; one that ends on it after a statement ("... schäumten
    vor Wut. Wie könnte es Kasachstan wagen, ...?") reports what someone asked, and answers."""
    first = split_sentences(text)
    return bool(first) and is_rhetorical(first[0].text)


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
    typed = [c for c in ranked if not missing_answer_type(question, [c.span.text], lexicon)]
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
    ribbon that Russian media presented as proof", "warn Russia that it might leave"), and without the
    article it names ("laut dem Bericht über die Unruhen"): the passage they describe is found by the
    whole question, the answer by what is left."""
    focus = question
    for named_article in _NAMED_ARTICLE:
        focus = named_article.sub(" ", focus)
    focus = _THAT_CLAUSE.sub("", focus)
    # Tidy what a cut leaves: "In the article about X, what …" starts on a comma, "…, according to …?" ends on one.
    focus = re.sub(r"\s*,\s*(?=[,?]|$)", "", re.sub(r"^[\s,]+|\s+(?=[\s,?])", "", focus)).strip()
    return focus if focus != question.strip() and len(focus.split()) >= FOCUS_MIN_WORDS else question


# Asked what the articles are ("What are the articles about?", "Worum geht es in den Artikeln?", "Summarize the
# articles"), not something in them: the words that name the collection, and those that ask for its overview.
_COLLECTION = frozenset(analyze("Artikel Texte Quellen Dokumente Beiträge sources texts documents stories"))
_OVERVIEW = frozenset(analyze(
    "worum geht Thema Themen behandeln behandelt Überblick zusammenfassen Zusammenfassung fasse Liste Titel gibt "
    "hast habt enthalten about topics topic cover covers summary summarize summarise overview list titles have "
    "contain available give gib show zeig zeige tell erzähl erzähle"
))
_ARTICLES_EN = re.compile(r"\barticles?\b", re.I)  # a stopword: "what do the articles say about X?" asks about X


def asks_for_overview(question: str) -> bool:
    """Whether the question asks what the articles are, and nothing in them."""
    words = set(analyze(question))
    names_them = bool(words & _COLLECTION) or _ARTICLES_EN.search(question) is not None
    return names_them and words <= _COLLECTION | _OVERVIEW


def overview(question: str, documents: Sequence[Document], language: str) -> Answer:
    """What the articles are: each one's title, cited with its opening (its first two sentences)."""
    citations = []
    for n, doc in enumerate(documents, 1):
        first = re.search(r"[^\n]+", doc.text)  # the first paragraph
        opening = split_sentences(first.group(), first.start())[:2] if first else []
        if opening:
            a, b = opening[0].start, opening[-1].end
            citations.append(Citation(n, doc.source, doc.title, doc.text[a:b], a, b, doc.date))
    open_q, close_q = QUOTE_MARKS[language]
    titles = "; ".join(f"{open_q}{c.title}{close_q} [{c.n}]" for c in citations)
    text = TEMPLATES[language]["overview"].format(count=len(citations), titles=titles)
    return Answer(question, text, False, tuple(citations), (), language)


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
        # the best quote must hold it, not a weaker one
        or missing_answer_type(question, [c.span.text for c in chosen[:1]], lexicon)
    )


def compose(
    question: str,
    hits: list[Hit],
    language: str,
    policy: AnswerPolicy | None = None,
    profile: CorpusProfile | None = None,
    lexicon: Lexicon = NO_LEXICON,
    parts: Sequence[SubQuestion] = (),
    other_story: OtherStory | None = None,
) -> Answer:
    """An extractive answer in the question's language, or an abstention when evidence is weak.
    The `lexicon` tells names from other words and finds an English question's words in the articles' language;
    `parts` are the questions within it (see `question_parts`), each with its own passages. A question about
    `other_story` (what else an article's page carried) is declined with where the page said it."""
    policy = policy or AnswerPolicy()
    t = TEMPLATES[language]
    if other_story is not None:
        where = t["other_story"].format(what=t.get(other_story.reason, other_story.reason), title=other_story.title)
        return Answer(question, t["abstain"] + where, True, (), tuple(hits), language)
    chosen, confidence = select(question, hits, policy, lexicon)
    if chosen and _EXPANSION_Q.search(question) and _ACRONYM.search(question):
        # The definition answers alone; an acronym the articles never define is not answered by sentences using it.
        acronym = _defined_acronym(question, profile, lexicon)
        if acronym is None:
            chosen = []
        else:
            defining = [c for c in candidates(question, hits, policy) if f"({acronym})" in c.span.text and _quotable(c)]
            chosen = defining[:1] or chosen
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
        own_names = names_anything(part.text, common)
        borrowed = i > 0 and whole_off_topic and not own_names
        if borrowed or not _supported(part.text, picked, score, language, policy, profile, lexicon):
            # "… and roughly how many belong to each?" is about what the quotes so far are about: when they
            # hold the number (or date) it asks for, they answer it.
            so_far = [c.span.text for c in chosen]
            if not (i > 0 and chosen and not borrowed and not own_names and answered_by(part.text, so_far, lexicon)):
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

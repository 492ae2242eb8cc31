"""Extractive answers: the best-supported article sentences, quoted verbatim with `[n]` citations."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexical import analyze
from .schema import Answer, Citation, Hit, ScoredSentence

# The framing is data: one template per language, with named slots.
TEMPLATES = {
    "en": {
        "answer": "According to the articles: {quotes}",
        "abstain": "The articles don't answer this question.",
        "abstain_hint": " The closest passage is about: {title}.",
    },
    "de": {
        "answer": "Laut den Artikeln: {quotes}",
        "abstain": "Darauf geben die Artikel keine Antwort.",
        "abstain_hint": " Am nächsten kommt: {title}.",
    },
}
QUOTE_MARKS = {"en": ("“", "”"), "de": ("„", "“")}

_EN = set("the a an and of to is are was were did does do why how what who which when where in on for with "
          "did has have it this that many much by from as at".split())
_DE = set("der die das und ist sind war waren hat haben warum wie was wer welche wann wo den dem des ein eine "
          "im in mit von zu für auf nicht auch sich es viele".split())
_WHY = re.compile(r"^\s*(why|how come|for what reason|warum|wieso|weshalb|weswegen|aus welchem grund)\b|\breason\b|\bgrund\b", re.I)
_COUNT = re.compile(r"\b(how (many|much|large|big|long|far|old)|wie (viele?|groß|gross|lange|weit|alt)|what (share|percentage|number)|welcher anteil|wann|when|what year|in welchem jahr)\b", re.I)
_CAUSAL = re.compile(r"\b(weil|denn|deshalb|darum|daher|deswegen|aufgrund|wegen|damit|um\b.*\bzu|grund|auslöser|vorwand|because|since|due to|so that|in order to|reason)\b", re.I)
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class AnswerPolicy:
    """How many quotes, and when evidence is too weak to answer (calibrated on the dev gold set)."""

    max_quotes: int = 2
    min_confidence: float = 2.0  # best sentence score, in standard deviations above the corpus mean
    keep_within: float = 0.6  # further quotes must score within this distance of the best one
    hint_bonus: float = 0.35  # a causal sentence for "why", a number for "how many"


def detect_language(text: str) -> str:
    """'de' or 'en' from function words and umlauts; ties go to English."""
    words = re.findall(r"[a-zäöüß]+", text.lower())
    de = sum(w in _DE for w in words) + 2 * len(re.findall(r"[äöüß]", text.lower()))
    en = sum(w in _EN for w in words)
    return "de" if de > en else "en"


def _adjusted(question: str, s: ScoredSentence, policy: AnswerPolicy) -> float:
    score = s.score
    words = len(s.span.text.split())
    if words < 5:  # headings and fragments rarely answer anything
        score -= 1.0
    if s.span.text.rstrip("»“”\"' ").endswith("?"):  # rhetorical questions in the article
        score -= 0.8
    if _WHY.search(question) and _CAUSAL.search(s.span.text):
        score += policy.hint_bonus
    if _COUNT.search(question) and _DIGIT.search(s.span.text):
        score += policy.hint_bonus
    return score


def _redundant(a: str, b: str) -> bool:
    ta, tb = set(analyze(a)), set(analyze(b))
    return bool(ta and tb) and len(ta & tb) / min(len(ta), len(tb)) > 0.6


def extract(question: str, hits: list[Hit], policy: AnswerPolicy) -> tuple[list[tuple[Hit, ScoredSentence]], float]:
    """The sentences to quote (best first) and the confidence of the best one."""
    seen: set[tuple[str, int]] = set()
    candidates: list[tuple[float, Hit, ScoredSentence]] = []
    for hit in hits:
        for s in hit.sentences:
            key = (hit.chunk.source, s.span.start)
            if key in seen:
                continue
            seen.add(key)
            candidates.append((_adjusted(question, s, policy), hit, s))
    candidates.sort(key=lambda c: -c[0])
    if not candidates:
        return [], float("-inf")
    best = candidates[0][0]
    chosen: list[tuple[Hit, ScoredSentence]] = []
    for score, hit, s in candidates:
        if len(chosen) == policy.max_quotes or score < best - policy.keep_within:
            break
        if any(_redundant(s.span.text, c.span.text) for _, c in chosen):
            continue
        chosen.append((hit, s))
    return chosen, best


def compose(question: str, hits: list[Hit], language: str, policy: AnswerPolicy | None = None) -> Answer:
    """An extractive answer in the question's language, or an abstention when evidence is weak."""
    policy = policy or AnswerPolicy()
    chosen, confidence = extract(question, hits, policy)
    t = TEMPLATES[language]
    if not chosen or confidence < policy.min_confidence:
        hint = t["abstain_hint"].format(title=hits[0].chunk.title) if hits else ""
        return Answer(question, t["abstain"] + hint, True, (), tuple(hits), language, confidence=confidence)
    # Quotes keep article order when they come from one article, so the answer reads naturally.
    first = chosen[0][0].chunk.source
    chosen.sort(key=lambda c: (c[0].chunk.source != first, c[0].chunk.source, c[1].span.start))
    open_q, close_q = QUOTE_MARKS[language]
    citations: list[Citation] = []
    parts: list[str] = []
    for n, (hit, s) in enumerate(chosen, start=1):
        c = hit.chunk
        citations.append(Citation(n, c.source, c.title, s.span.text, s.span.start, s.span.end, c.date))
        parts.append(f"{open_q}{s.span.text}{close_q} [{n}]")
    text = t["answer"].format(quotes=" ".join(parts))
    return Answer(question, text, False, tuple(citations), tuple(hits), language, confidence=confidence)

"""Pure metric functions: gold items and per-item results in, numbers out (no model, no I/O)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

OVERLAP = 0.6  # share of an evidence string's words a passage must contain to count as a hit
KS = (1, 3, 5, 10)
ANSWER = "answer"
ABSTAIN_BEHAVIORS = ("abstain", "abstain_or_flag_unrelated")

Metrics = dict[str, float | None]  # None: no item in the group to measure it on

_WORD = re.compile(r"\w+", re.UNICODE)
_MARKER = r"\[\d+\]"
# A sentence ends after a run of [n] markers, or after . ! ? … (plus closing quotes/brackets) when
# whitespace and no marker follow - a marker right after a sentence end belongs to that sentence.
_SENTENCE_END = re.compile(
    rf"(?:{_MARKER})(?:\s*{_MARKER})*|[.!?…]+[\"'”“»«’)\]]*(?=\s+(?!\s*{_MARKER}))"
)

# An opening quotation mark up to the first closing one that is followed by a citation marker.
_CITED_QUOTE = re.compile(rf"[„“«»]((?:(?!{_MARKER}).)*?)[“”»«]\s*(?={_MARKER})", re.S)
_HIDE_ENDS = str.maketrans({".": "\u2024", "!": "\u01c3", "?": "\u0294", "…": "\u2025"})  # same length


@dataclass(frozen=True)
class GoldItem:
    """One line of a gold file (see evals/gold.jsonl)."""

    id: str
    question: str
    lang: str
    type: str
    answer: str
    must_include: tuple[tuple[str, ...], ...]
    sources: tuple[str, ...]
    evidence: tuple[str, ...]
    expected_behavior: str


@dataclass(frozen=True)
class Passage:
    """A retrieved passage, best first in `ItemResult.retrieved`."""

    source: str
    text: str
    score: float


@dataclass(frozen=True)
class Quote:
    """A citation of an answer: the article it names and the quoted text."""

    source: str
    quote: str


@dataclass(frozen=True)
class ItemResult:
    """What one system did with one gold question."""

    id: str
    question: str
    retrieved: tuple[Passage, ...]
    answer: str
    abstained: bool
    citations: tuple[Quote, ...]
    latency_ms: float
    mode: str = ""
    error: str = ""


@dataclass(frozen=True)
class SystemRun:
    """One system's results with its metrics overall and per group ("overall", "lang:de", "type:why")."""

    name: str
    results: tuple[ItemResult, ...]
    groups: dict[str, Metrics]

    @property
    def overall(self) -> Metrics:
        return self.groups["overall"]


# -- text helpers -------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """Lowercased word tokens, punctuation ignored."""
    return _WORD.findall(text.lower())


def coverage(part: str, whole: str) -> float:
    """Share of `part`'s words (with repeats) that occur in `whole`."""
    wanted = words(part)
    if not wanted:
        return 0.0
    have = set(words(whole))
    return sum(w in have for w in wanted) / len(wanted)


def is_evidence_hit(passage: str, evidence: Sequence[str]) -> bool:
    """True when the passage holds at least 60% of the words of any one evidence string."""
    return any(coverage(e, passage) >= OVERLAP for e in evidence)


def satisfies(text: str, must_include: Sequence[Sequence[str]]) -> bool:
    """Every fact has at least one of its surface forms in `text`, case-insensitively and with any run
    of whitespace (a no-break space in an article, a line break in a quote) as one space."""
    low = _spaces(text)
    return all(any(_spaces(form) in low for form in fact) for fact in must_include)


def collapse_spaces(text: str) -> str:
    """Any run of whitespace (a no-break space, a line break) as one plain space."""
    return " ".join(text.split())


def _spaces(text: str) -> str:
    return collapse_spaces(text.lower())


def answer_sentences(text: str) -> list[str]:
    """The answer split after `[n]` marker runs and after sentence ends not followed by a marker.
    A quotation closed right before a marker is one cited unit, however many sentences it quotes."""
    masked = _CITED_QUOTE.sub(lambda m: m.group(0).translate(_HIDE_ENDS), text)
    out: list[str] = []
    cut = 0
    for m in _SENTENCE_END.finditer(masked):
        out.append(text[cut : m.end()])
        cut = m.end()
    out.append(text[cut:])
    return [s.strip() for s in out if _WORD.search(s)]


def has_marker(sentence: str) -> bool:
    """True when the sentence carries a `[n]` citation marker."""
    return re.search(_MARKER, sentence) is not None


# -- per item -----------------------------------------------------------------------------------


def first_evidence_rank(result: ItemResult, item: GoldItem, k: int = 10) -> int | None:
    """1-based rank of the first top-k passage that is an evidence hit, or None."""
    for rank, p in enumerate(result.retrieved[:k], start=1):
        if is_evidence_hit(p.text, item.evidence):
            return rank
    return None


def is_correct(result: ItemResult, item: GoldItem) -> bool:
    """Answer items: answered and every fact present. Other items: abstained."""
    if item.expected_behavior == ANSWER:
        return not result.abstained and satisfies(result.answer, item.must_include)
    return result.abstained


def is_verbatim(quote: Quote, articles: Mapping[str, str]) -> bool:
    """The quote is a verbatim span of the cleaned text of the article it names."""
    text = articles.get(quote.source)
    return bool(quote.quote) and text is not None and quote.quote in text


def citation_on_gold(quote: Quote, item: GoldItem, articles: Mapping[str, str]) -> bool:
    """Verbatim in the cleaned article it names, and on the gold evidence or from a gold source."""
    if not is_verbatim(quote, articles):
        return False
    if quote.source in item.sources:
        return True
    return any(max(coverage(quote.quote, e), coverage(e, quote.quote)) >= OVERLAP for e in item.evidence)


# -- aggregate metrics --------------------------------------------------------------------------

Pairs = Sequence[tuple[ItemResult, GoldItem]]


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _answer_pairs(pairs: Pairs) -> list[tuple[ItemResult, GoldItem]]:
    return [(r, g) for r, g in pairs if g.expected_behavior == ANSWER]


def _answered_citations(pairs: Pairs) -> list[tuple[Quote, GoldItem]]:
    """Every citation of the answer items the system answered (an abstention cites nothing)."""
    return [(q, g) for r, g in _answer_pairs(pairs) if not r.abstained for q in r.citations]


def evidence_hit_at(pairs: Pairs, k: int) -> float | None:
    """Share of answer items with an evidence hit in the top k."""
    scored = [(r, g) for r, g in _answer_pairs(pairs) if g.evidence]
    return _mean([float(first_evidence_rank(r, g, k) is not None) for r, g in scored])


def source_hit_at(pairs: Pairs, k: int) -> float | None:
    """Share of answer items with a top-k passage from a gold source."""
    scored = [(r, g) for r, g in _answer_pairs(pairs) if g.sources]
    return _mean([float(any(p.source in g.sources for p in r.retrieved[:k])) for r, g in scored])


def mrr_at(pairs: Pairs, k: int = 10) -> float | None:
    """Mean reciprocal rank of the first evidence hit within the top k (0 when none)."""
    scored = [(r, g) for r, g in _answer_pairs(pairs) if g.evidence]
    ranks = [first_evidence_rank(r, g, k) for r, g in scored]
    return _mean([1.0 / rank if rank else 0.0 for rank in ranks])


def answer_correct(pairs: Pairs) -> float | None:
    """Share of answer items answered with every must_include fact (an abstention is wrong)."""
    return _mean([float(is_correct(r, g)) for r, g in _answer_pairs(pairs)])


def false_abstain(pairs: Pairs) -> float | None:
    """Share of answer items where the system abstained."""
    return _mean([float(r.abstained) for r, _ in _answer_pairs(pairs)])


def abstain_correct(pairs: Pairs) -> float | None:
    """Share of abstain / abstain_or_flag_unrelated items where the system abstained."""
    return _mean([float(r.abstained) for r, g in pairs if g.expected_behavior in ABSTAIN_BEHAVIORS])


def item_accuracy(pairs: Pairs) -> float | None:
    """Share of all items handled as expected (correct answer, or abstention where expected)."""
    return _mean([float(is_correct(r, g)) for r, g in pairs])


def citation_precision(pairs: Pairs, articles: Mapping[str, str]) -> float | None:
    """Over all citations of answered answer items: share that are verbatim spans of the article they name."""
    return _mean([float(is_verbatim(q, articles)) for q, _ in _answered_citations(pairs)])


def citation_relevance(pairs: Pairs, articles: Mapping[str, str]) -> float | None:
    """Stricter: share that are verbatim and also come from a gold source or overlap a gold evidence string."""
    return _mean([float(citation_on_gold(q, g, articles)) for q, g in _answered_citations(pairs)])


def cited_sentence_share(pairs: Pairs) -> float | None:
    """Over the sentences of all answered answer items: share carrying a `[n]` marker."""
    flags = [
        has_marker(s) for r, _ in _answer_pairs(pairs) if not r.abstained for s in answer_sentences(r.answer)
    ]
    return _mean([float(f) for f in flags])


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation, like numpy's default."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def compute(pairs: Pairs, articles: Mapping[str, str]) -> Metrics:
    """Every metric for one set of (result, gold item) pairs, in report order."""
    out: Metrics = {"n": float(len(pairs)), "n_answer": float(len(_answer_pairs(pairs)))}
    for k in KS:
        out[f"evidence_hit@{k}"] = evidence_hit_at(pairs, k)
    for k in KS:
        out[f"source_hit@{k}"] = source_hit_at(pairs, k)
    out["MRR@10"] = mrr_at(pairs, 10)
    out["answer_correct"] = answer_correct(pairs)
    out["false_abstain"] = false_abstain(pairs)
    out["abstain_correct"] = abstain_correct(pairs)
    out["item_accuracy"] = item_accuracy(pairs)
    out["citation_precision"] = citation_precision(pairs, articles)
    out["citation_relevance"] = citation_relevance(pairs, articles)
    out["cited_sentence_share"] = cited_sentence_share(pairs)
    latencies = [r.latency_ms for r, _ in pairs]
    out["latency_p50_ms"] = percentile(latencies, 50)
    out["latency_p95_ms"] = percentile(latencies, 95)
    return out


def pair_up(results: Sequence[ItemResult], gold: Sequence[GoldItem]) -> list[tuple[ItemResult, GoldItem]]:
    """Results matched to their gold items by id (results without a gold item are dropped)."""
    by_id = {g.id: g for g in gold}
    return [(r, by_id[r.id]) for r in results if r.id in by_id]


def grouped(pairs: Pairs, articles: Mapping[str, str]) -> dict[str, Metrics]:
    """Metrics overall, then per language and per type ("lang:de", "type:why")."""
    groups: dict[str, Metrics] = {"overall": compute(pairs, articles)}
    keys: tuple[tuple[str, Callable[[GoldItem], str]], ...] = (
        ("lang", lambda g: g.lang), ("type", lambda g: g.type))
    for prefix, key in keys:
        for value in sorted({key(g) for _, g in pairs}):
            groups[f"{prefix}:{value}"] = compute([(r, g) for r, g in pairs if key(g) == value], articles)
    return groups


def evaluate(name: str, results: Sequence[ItemResult], gold: Sequence[GoldItem],
             articles: Mapping[str, str]) -> SystemRun:
    """A system's results with all its metrics; `articles` maps file name to cleaned article text."""
    return SystemRun(name, tuple(results), grouped(pair_up(results, gold), articles))


def ratio(product: float | None, baseline: float | None) -> float | None:
    """product / baseline, or None when undefined."""
    if product is None or baseline is None or baseline == 0:
        return None
    return product / baseline

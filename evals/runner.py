"""`rag eval`: validate a gold file, run it through the public API (and the baseline), write the report."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.corpus import decode
from rag.errors import CorpusError

from . import report
from .baseline import TutorialBaseline
from .metrics import GoldItem, ItemResult, Passage, Quote, SystemRun, collapse_spaces, evaluate, satisfies

if TYPE_CHECKING:
    from rag import RAG

EVALS_DIR = Path(__file__).resolve().parent
DEFAULT_GOLD = EVALS_DIR / "gold.jsonl"
DEFAULT_OUT = EVALS_DIR / "out"
# How the questions are typed: as written, or all in lower or upper case as people type on phones and in a hurry
# (the product must not depend on the capitals of names, acronyms and German nouns).
CASES: dict[str, Callable[[str], str]] = {"as-written": lambda q: q, "lower": str.lower, "upper": str.upper}
RETRIEVE_K = 10  # retrieval metrics look at the top 10 whatever --k is

KEYS = (
    "id", "question", "lang", "type", "answer", "must_include", "sources", "evidence", "expected_behavior",
)
LANGS = ("en", "de")
TYPES = ("factoid", "why", "multi", "unanswerable", "noise", "paraphrase")
BEHAVIORS = ("answer", "abstain", "abstain_or_flag_unrelated")
EVIDENCE_CHARS = (40, 200)


class GoldError(ValueError):
    """A gold file that cannot be used; the message lists every problem."""


# -- gold files ---------------------------------------------------------------------------------


def _schema_problems(raw: Any) -> tuple[list[str], bool]:
    """The schema problems of one line, and whether it still makes a GoldItem to check further."""
    if not isinstance(raw, dict):
        return ["not a JSON object"], False
    problems = []
    keys = set(raw)
    if keys != set(KEYS):
        missing, extra = sorted(set(KEYS) - keys), sorted(keys - set(KEYS))
        problems.append(f"keys: missing {missing}, unexpected {extra}")
    enum_problems = 0
    for key, allowed in (("lang", LANGS), ("type", TYPES), ("expected_behavior", BEHAVIORS)):
        if key in raw and raw[key] not in allowed:
            problems.append(f"{key}={raw[key]!r}: expected one of {list(allowed)}")
            enum_problems += 1
    for key in ("id", "question", "answer"):
        if key in raw and not isinstance(raw[key], str):
            problems.append(f"{key}: expected a string")
    for key in ("sources", "evidence"):
        if key in raw and not (isinstance(raw[key], list) and all(isinstance(x, str) for x in raw[key])):
            problems.append(f"{key}: expected a list of strings")
    facts = raw.get("must_include")
    if "must_include" in raw and not (
        isinstance(facts, list)
        and all(isinstance(f, list) and f and all(isinstance(x, str) and x for x in f) for f in facts)
    ):
        problems.append("must_include: expected a list of non-empty lists of non-empty strings")
    if isinstance(raw.get("question"), str) and not raw["question"].strip():
        problems.append("question: empty")
        enum_problems += 1
    # A bad enum value or an empty question leaves an item whose evidence and answer can still be checked.
    return problems, len(problems) == enum_problems


def _item(raw: dict[str, Any]) -> GoldItem:
    return GoldItem(
        id=raw["id"],
        question=raw["question"],
        lang=raw["lang"],
        type=raw["type"],
        answer=raw["answer"],
        must_include=tuple(tuple(f) for f in raw["must_include"]),
        sources=tuple(raw["sources"]),
        evidence=tuple(raw["evidence"]),
        expected_behavior=raw["expected_behavior"],
    )


def read_gold(path: Path) -> tuple[list[GoldItem], list[str]]:
    """The usable items of a gold file and a problem line for each schema problem ("<id or line>: ...")."""
    items: list[GoldItem] = []
    problems: list[str] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GoldError(f"cannot read gold file {path}: {exc.strerror or exc}") from exc
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {n}: not valid JSON: {exc.msg}")
            continue
        label = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else f"line {n}"
        found, usable = _schema_problems(raw)
        problems.extend(f"{label}: {p}" for p in found)
        if usable:
            items.append(_item(raw))
    return items, problems


def _raw_text(path: Path) -> str | None:
    """The file's text, decoded as the indexer decodes it (UTF-8/BOM, UTF-16, cp1252); None if unusable."""
    try:
        return decode(path.read_bytes(), path.name) if path.is_file() else None
    except CorpusError:
        return None


def gold_problems(path: Path, corpus_dir: Path) -> list[str]:
    """Every problem of a gold file: schema, duplicate ids, evidence not in its sources, answer vs facts."""
    items, problems = read_gold(path)
    if not items and not problems:
        problems.append(f"{path}: no gold items")
    seen: set[str] = set()
    raw: dict[str, str | None] = {}
    for item in items:
        if item.id in seen:
            problems.append(f"{item.id}: duplicate id")
        seen.add(item.id)
        for source in item.sources:
            if source not in raw:
                file = corpus_dir / source
                raw[source] = _raw_text(file)
            if raw[source] is None:
                problems.append(f"{item.id}: source {source!r} is not a readable text file in {corpus_dir}")
        for ev in item.evidence:
            if not EVIDENCE_CHARS[0] <= len(ev) <= EVIDENCE_CHARS[1]:
                problems.append(f"{item.id}: evidence has {len(ev)} characters, expected 40-200: {ev[:60]!r}")
            # Any run of whitespace counts as one space: the articles use no-break spaces and line breaks.
            if not any(collapse_spaces(ev) in collapse_spaces(raw.get(s) or "") for s in item.sources):
                problems.append(f"{item.id}: evidence not in its sources {list(item.sources)}: {ev[:60]!r}")
        if not satisfies(item.answer, item.must_include):
            missing = [f for f in item.must_include if not satisfies(item.answer, [f])]
            problems.append(f"{item.id}: gold answer lacks must_include {missing}: {item.answer[:60]!r}")
        if item.expected_behavior == "answer" and not (item.evidence and item.sources and item.must_include):
            problems.append(f"{item.id}: an 'answer' item needs sources, evidence and must_include")
    return problems


# -- running the systems ------------------------------------------------------------------------


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = fn()
    return value, (time.perf_counter() - started) * 1000


def run_product(rag: RAG, gold: Sequence[GoldItem], k: int) -> list[ItemResult]:
    """Each question through `RAG.retrieve(k=10)` (retrieval metrics) and a timed `RAG.ask(k=k)`."""
    from rag import RagError
    from rag.embed import forget_queries

    # Latency is reported warm: the first question would otherwise also time loading the model, the
    # texts and the dictionary (about 11 s). Then the query memory is cleared.
    # A missing index or model shows up, with its message, on the first real question.
    with contextlib.suppress(RagError):
        rag.warm_up()
    forget_queries(rag.embedder)
    results = []
    for item in gold:
        try:
            # Asked first: the embedder remembers recent questions, and the timed call must not find it there.
            answer, ms = _timed(partial(rag.ask, item.question, k=k))
            hits = rag.retrieve(item.question, k=RETRIEVE_K)
        except RagError as exc:  # e.g. a noise question the API refuses: that is an abstention
            results.append(ItemResult(item.id, item.question, (), str(exc), True, (), 0.0, "error", str(exc)))
            continue
        results.append(ItemResult(
            id=item.id,
            question=item.question,
            retrieved=tuple(Passage(h.chunk.source, h.chunk.text, float(h.score)) for h in hits),
            answer=answer.text,
            abstained=answer.abstained,
            citations=tuple(Quote(c.source, c.quote) for c in answer.citations),
            latency_ms=ms,
            mode=answer.mode,
        ))
    return results


def run_baseline(baseline: TutorialBaseline, gold: Sequence[GoldItem], k: int) -> list[ItemResult]:
    """Each question through the tutorial pipeline, timed the same way."""
    results = []
    for item in gold:
        # Its answer reads only the top chunk, so one top-10 search serves both the answer and the metrics.
        answer, ms = _timed(partial(baseline.ask, item.question, max(k, RETRIEVE_K)))
        results.append(ItemResult(
            id=item.id,
            question=item.question,
            retrieved=answer.retrieved[:RETRIEVE_K],
            answer=answer.text,
            abstained=False,
            citations=(Quote(answer.source, answer.quote),) if answer.quote else (),
            latency_ms=ms,
            mode="baseline",
        ))
    return results


def _articles(rag: RAG, runs: Sequence[Sequence[ItemResult]]) -> dict[str, str]:
    """Cleaned text of every article any citation names (what citation precision checks against)."""
    from rag import RagError

    out: dict[str, str] = {}
    for results in runs:
        for r in results:
            for c in r.citations:
                if c.source not in out:
                    try:
                        out[c.source] = rag.article(c.source).text
                    except RagError:
                        out[c.source] = ""  # a citation of an unknown article can never be precise
    return {s: t for s, t in out.items() if t}


def _refresh_index(rag: RAG) -> str:
    """Bring the index up to date first: a stale one would measure old cleaning or chunking code."""
    stats = rag.index()  # idempotent: unchanged text is never re-embedded
    return (f"{stats.articles} articles, {stats.chunks} chunks; {stats.added} embedded, "
            f"{stats.updated} moved, {stats.removed} removed")


def run(gold_path: Path, out_dir: Path, k: int = 5, baseline: bool = False,
        rag: RAG | None = None, case: str = "as-written") -> dict[str, Any]:
    """Evaluate the product (and optionally the baseline) on a gold file, its questions typed as `case` says;
    writes everything into out_dir."""
    if case not in CASES:
        raise GoldError(f"case {case!r}: expected one of {', '.join(CASES)}")
    items, problems = read_gold(gold_path)
    if problems:
        raise GoldError(f"{gold_path}: " + "; ".join(problems))
    if not items:
        raise GoldError(f"{gold_path}: no gold items")
    items = [replace(it, question=CASES[case](it.question)) for it in items]
    if rag is None:
        from rag import RAG

        rag = RAG()
    index_note = _refresh_index(rag)
    print(f"index {rag.store.location}: {index_note}", file=sys.stderr)
    product = run_product(rag, items, k)
    base: list[ItemResult] | None = None
    if baseline:
        base = run_baseline(TutorialBaseline(rag.settings.corpus_dir, rag.embedder), items, k)
    articles = _articles(rag, [product] + ([base] if base else []))
    runs: list[SystemRun] = [evaluate("product", product, items, articles)]
    if base is not None:
        runs.append(evaluate("baseline", base, items, articles))
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "baseline_results.jsonl").unlink(missing_ok=True)  # never leave a stale one from an older run
    for system in runs:
        name = "results.jsonl" if system.name == "product" else f"{system.name}_results.jsonl"
        _write_results(out_dir / name, system, items)
    meta = {"gold": str(gold_path), "k": k, "embed_model": str(getattr(rag.embedder, "name", "?")),
            "index": index_note, "case": case}
    return report.write_report(out_dir, items, runs, meta)


def _write_results(path: Path, system: SystemRun, gold: Sequence[GoldItem]) -> None:
    from .metrics import is_correct

    by_id = {g.id: g for g in gold}
    with path.open("w", encoding="utf-8") as f:
        for r in system.results:
            g = by_id[r.id]
            row = asdict(r)
            row.update(system=system.name, type=g.type, lang=g.lang, expected_behavior=g.expected_behavior,
                       correct=is_correct(r, g), latency_ms=round(r.latency_ms, 2))
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


# -- floors and the CLI entry point -------------------------------------------------------------


def below_floors(metrics: dict[str, float | None], floors: dict[str, float]) -> list[str]:
    """A message for each metric under its floor (or not measured)."""
    out = []
    for name, floor in floors.items():
        value = metrics.get(name)
        if value is None:
            out.append(f"{name}: not measured (floor {floor:.3f})")
        elif value < floor:
            out.append(f"{name} = {value:.3f} is below its floor {floor:.3f}")
    return out


def _read_floors(path: Path) -> dict[str, float]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(v, int | float) for v in data.values()):
        raise GoldError(f"{path}: expected a JSON object of metric name to number")
    return {str(key): float(v) for key, v in data.items()}


def main(gold: Path | None = None, out: Path | None = None, k: int = 5, baseline: bool = False,
         check_gold: Path | None = None, floors: Path | None = None, rag: RAG | None = None,
         case: str = "as-written") -> int:
    """The `rag eval` command; returns the exit code (0 ok, 1 gold problems or floors missed, 2 errors)."""
    from rag import RagError, Settings

    if check_gold is not None:
        corpus = rag.settings.corpus_dir if rag is not None else Settings.from_env().corpus_dir
        try:
            problems = gold_problems(check_gold, corpus)
        except GoldError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        for p in problems:
            print(p)
        print(f"{check_gold}: {len(problems)} problem(s)" if problems else f"{check_gold}: ok")
        return 1 if problems else 0
    try:
        floor_values = _read_floors(floors) if floors is not None else {}
        summary = run(gold or DEFAULT_GOLD, out or DEFAULT_OUT, k=k, baseline=baseline, rag=rag, case=case)
    except (GoldError, OSError, json.JSONDecodeError, RagError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report.summary_line(summary))
    if baseline:
        print(report.comparison_text(summary))
    missed = below_floors(summary["systems"]["product"]["overall"], floor_values)
    for line in missed:
        print(f"FLOOR MISSED: {line}", file=sys.stderr)
    if missed:
        print(f"{len(missed)} metric(s) below the floors in {floors}", file=sys.stderr)
        return 1
    return 0

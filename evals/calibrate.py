"""Abstention calibration: how the confidence threshold trades answers against honest refusals.

    .venv/bin/python -m evals.calibrate [--gold evals/gold.jsonl] [--k 5]

Runs every gold item once with abstention switched off, records the answer's confidence (best
sentence score, in standard deviations above the corpus mean for that question), and prints, per
threshold, how many answerable items would be answered correctly, how many would be refused, and how
many unanswerable/noise items would be refused. The default threshold in `rag.answer.AnswerPolicy` is
chosen from this table. A second table does the same for `other_story_lead`: how much nearer a question
may sit to another story on an article's page (its ticker, a teaser) than to the articles before it is
declined as being about that story.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from pathlib import Path

from rag import RAG, AnswerPolicy

from .metrics import GoldItem, is_evidence_hit, satisfies
from .runner import DEFAULT_GOLD, read_gold


@dataclass(frozen=True)
class Probe:
    """One gold item answered without abstention."""

    item: GoldItem
    confidence: float
    correct: bool
    evidence_rank: int | None


def probe(rag: RAG, items: list[GoldItem], k: int) -> list[Probe]:
    """Answer every item with abstention disabled."""
    rag.policy = replace(rag.policy, min_confidence=float("-inf"))
    out = []
    for item in items:
        answer = rag.ask(item.question, k=k)
        hits = rag.retrieve(item.question, k=10)
        rank = next((i for i, h in enumerate(hits, 1) if is_evidence_hit(h.chunk.text, item.evidence)), None)
        # Refused for another reason (unknown names, missing answer type): refused at every threshold.
        confidence = float("-inf") if answer.abstained else answer.confidence
        out.append(Probe(item, confidence, satisfies(answer.text, item.must_include), rank))
    return out


def table(probes: list[Probe], thresholds: list[float]) -> str:
    """Markdown: per threshold, answer_correct, false_abstain and abstain_correct."""
    answerable = [p for p in probes if p.item.expected_behavior == "answer"]
    refusable = [p for p in probes if p.item.expected_behavior != "answer"]
    lines = ["| threshold | answer_correct | false_abstain | abstain_correct | abstain precision |",
             "|---|---|---|---|---|"]
    for t in thresholds:
        correct = sum(p.correct and p.confidence >= t for p in answerable) / max(1, len(answerable))
        false_abstain = sum(p.confidence < t for p in answerable) / max(1, len(answerable))
        refused = sum(p.confidence < t for p in refusable)
        abstain_correct = refused / max(1, len(refusable))
        all_refused = refused + sum(p.confidence < t for p in answerable)
        precision = refused / all_refused if all_refused else 1.0
        lines.append(f"| {t:.2f} | {correct:.3f} | {false_abstain:.3f} | {abstain_correct:.3f} | {precision:.3f} |")
    return "\n".join(lines)


def lead_table(rag: RAG, items: list[GoldItem], thresholds: list[float]) -> str:
    """Markdown: per lead threshold, how many answerable items and how many noise items it would decline."""
    leads = {item.id: (found[1] if (found := rag.elsewhere(item.question)) else float("-inf")) for item in items}
    answerable = [i for i in items if i.expected_behavior == "answer"]
    noise = [i for i in items if i.type == "noise"]
    lines = ["| lead | answerable declined | noise declined | largest lead of an answerable item |",
             "|---|---|---|---|"]
    top = max((leads[i.id] for i in answerable), default=float("-inf"))
    for t in thresholds:
        wrong = sum(leads[i.id] > t for i in answerable)
        right = sum(leads[i.id] > t for i in noise)
        lines.append(f"| {t:.3f} | {wrong}/{len(answerable)} | {right}/{len(noise)} | {top:.3f} |")
    least = min((leads[i.id] for i in noise), default=float("nan"))
    return "\n".join([*lines, f"\nnoise items' smallest lead: {least:.4f}; midway: {(least + top) / 2:.4f}"])


def main() -> None:
    parser = argparse.ArgumentParser(description="Calibrate the abstention threshold on a gold file.")
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--verbose", action="store_true", help="list every item with its confidence")
    args = parser.parse_args()
    items, problems = read_gold(args.gold)
    if problems:
        raise SystemExit("\n".join(problems))
    rag = RAG()
    probes = probe(rag, items, args.k)
    current = AnswerPolicy().min_confidence
    grid = sorted({round(current + d / 2, 2) for d in range(-2, 9)})
    print(table(probes, grid))
    print(f"\ncurrent threshold: {current}")
    lead = AnswerPolicy().other_story_lead
    print()
    print(lead_table(rag, items, [round(lead + d / 100, 3) for d in range(-3, 4)]))
    print(f"current other_story_lead: {lead}")
    if args.verbose:
        for p in sorted(probes, key=lambda p: p.confidence):
            print(f"{p.confidence:6.2f} {p.item.expected_behavior[:7]:8} {'ok ' if p.correct else 'BAD'} "
                  f"ev@{p.evidence_rank} {p.item.id} {p.item.question[:80]}")


if __name__ == "__main__":
    main()

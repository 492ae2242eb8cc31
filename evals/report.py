"""Write an eval run as summary.json, report.md, a self-contained report.html and PNG plots."""

from __future__ import annotations

import base64
import html
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .metrics import GoldItem, ItemResult, Metrics, SystemRun, first_evidence_rank, is_correct, ratio

# Columns of the metrics tables, in order; the first ones are the headline of the one-line summary.
HEADLINE = ("evidence_hit@5", "MRR@10", "answer_correct", "abstain_correct", "citation_precision")
COLUMNS = (
    "n", "evidence_hit@1", "evidence_hit@3", "evidence_hit@5", "evidence_hit@10",
    "source_hit@1", "source_hit@3", "source_hit@5", "source_hit@10", "MRR@10",
    "answer_correct", "false_abstain", "abstain_correct", "item_accuracy",
    "citation_precision", "citation_relevance", "cited_sentence_share", "latency_p50_ms", "latency_p95_ms",
)
PLOTS = {"metrics_by_group.png": "Metrics by type and language", "latency.png": "Latency of one answer"}

DEFINITIONS = """\
Retrieval metrics use the top 10 passages of `RAG.retrieve`; answers come from `RAG.ask(k)`.
Unless noted, metrics are over the items whose expected behaviour is "answer".
- evidence_hit@k: a top-k passage holds at least 60% of the words (lowercased, punctuation ignored) of any one
  gold evidence string. source_hit@k: a top-k passage comes from a gold source.
  MRR@10: mean of 1/rank of the first evidence hit (0 when none in the top 10).
- answer_correct: the answer holds at least one surface form of every must_include fact (case-insensitive);
  an abstention is never correct. false_abstain: share of these items the system abstained on.
- abstain_correct: over the "abstain" and "abstain_or_flag_unrelated" items, the share it abstained on.
  item_accuracy: over all items, the share handled as expected.
- citation_precision: over every citation of the answered (not abstained) answer items, the share whose quote
  is a verbatim span of the cleaned text of the article it names.
  citation_relevance: the share that is verbatim AND comes from a gold source or overlaps a gold evidence
  string (60% of the words, either way): a verbatim quote from an article the question is not about fails it.
- cited_sentence_share: answer sentences are cut after each run of [n] markers and after . ! ? … (with closing
  quotes) that is followed by whitespace and not by a marker - a marker right after a sentence end belongs
  to it, and a quotation closed right before a marker is one unit however many sentences it quotes; pieces
  without a letter or digit are dropped. The metric is the share of those sentences, over all
  answered answer items, that carry a [n] marker.
- latency: wall time of one `ask` call (the baseline: its retrieval plus answer), p50 and p95, all items.
- baseline: the tutorial pipeline - raw files, RecursiveCharacterTextSplitter(1000, 200) by characters, the
  same embedding model, cosine top-k in memory. Its answer is the top chunk's first two sentences (split at
  . ! ? before whitespace and at line breaks) with one [1] citation; it never abstains. This stands in for
  the LLM such a tutorial would call, keeping the comparison offline and deterministic. Its quotes are raw
  file text, so one that differs from the cleaned article only in whitespace (a no-break space the cleaner
  normalises) or that quotes page furniture the cleaner drops fails the verbatim check, as specified.
"""

CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1400px}
table{border-collapse:collapse;font-size:.85rem;margin:1rem 0}
th,td{border:1px solid #ccc;padding:.25rem .45rem;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}
.scroll{overflow-x:auto}.low{background:#fde2e2}.hi{background:#e3f6e3}
.failure{border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem;margin:.8rem 0}
.failure p{margin:.3rem 0}.passage{color:#555;font-size:.85rem}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.8rem;font-size:.85rem}
img{max-width:100%;border:1px solid #eee;margin:.5rem 0}
"""


def fmt(name: str, value: float | None) -> str:
    """A metric for display: counts as integers, latency in ms, rates with three decimals."""
    if value is None:
        return "–"
    if name.startswith("n"):
        return str(int(value))
    if name.endswith("_ms"):
        return f"{value:.0f}"
    return f"{value:.3f}"


def _fmt_ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×"


def _facts(item: GoldItem) -> str:
    if item.expected_behavior != "answer":
        return f"({item.expected_behavior})"
    return "; ".join(" / ".join(fact) for fact in item.must_include)


# -- summary ------------------------------------------------------------------------------------


def _summary(gold: Sequence[GoldItem], runs: Sequence[SystemRun], meta: dict[str, Any]) -> dict[str, Any]:
    product = runs[0]
    by_id = {g.id: g for g in gold}
    summary: dict[str, Any] = {
        **meta,
        "items": len(gold),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "systems": {r.name: {"overall": r.overall, "groups": r.groups} for r in runs},
        "failures": [r.id for r in product.results if r.id in by_id and not is_correct(r, by_id[r.id])],
    }
    if len(runs) > 1:
        base = runs[1].overall
        summary["comparison"] = {
            m: {"product": product.overall.get(m), "baseline": base.get(m),
                "ratio": ratio(product.overall.get(m), base.get(m))}
            for m in COLUMNS[1:]
        }
    return summary


def summary_line(summary: dict[str, Any]) -> str:
    """One line: the headline metrics of each system and the latency."""
    parts = []
    for name, system in summary["systems"].items():
        o = system["overall"]
        head = " ".join(f"{m}={fmt(m, o.get(m))}" for m in HEADLINE)
        groups = system.get("groups", {})
        # The bound on the cross-lingual gap: English questions against German ones.
        if "lang:en" in groups and "lang:de" in groups:
            en, de = groups["lang:en"].get("MRR@10"), groups["lang:de"].get("MRR@10")
            head += f" MRR@10 en/de={fmt('MRR@10', en)}/{fmt('MRR@10', de)}"
        parts.append(f"{name}: {head} p50={fmt('_ms', o.get('latency_p50_ms'))}ms")
    typed = f" typed {summary['case']}" if summary.get("case", "as-written") != "as-written" else ""
    return f"eval of {summary['items']} items{typed} | " + " | ".join(parts)


def comparison_text(summary: dict[str, Any]) -> str:
    """Product and baseline side by side with product/baseline, as a plain-text table."""
    rows = summary.get("comparison") or {}
    lines = [f"{'metric':<22}{'product':>10}{'baseline':>10}{'ratio':>9}"]
    for m, v in rows.items():
        p, b = fmt(m, v["product"]), fmt(m, v["baseline"])
        lines.append(f"{m:<22}{p:>10}{b:>10}{_fmt_ratio(v['ratio']):>9}")
    return "\n".join(lines)


# -- plots --------------------------------------------------------------------------------------


def _plots(out_dir: Path, runs: Sequence[SystemRun]) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")  # files only: no display here, and none needed
    import matplotlib.pyplot as plt
    import numpy as np

    product = runs[0]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4), gridspec_kw={"width_ratios": [3, 1]})
    series = [(product, "evidence_hit@5"), (product, "MRR@10"), (product, "item_accuracy")]
    series += [(r, "item_accuracy") for r in runs[1:]]
    for ax, prefix, title in ((axes[0], "type:", "by type"), (axes[1], "lang:", "by language")):
        groups = [g for g in product.groups if g.startswith(prefix)]
        x = np.arange(len(groups))
        width = 0.8 / len(series)
        for i, (run, metric) in enumerate(series):
            values = [run.groups.get(g, {}).get(metric) for g in groups]
            heights = [np.nan if v is None else v for v in values]
            ax.bar(x + i * width, heights, width, label=f"{run.name} {metric}")
        ax.set_xticks(x + width * (len(series) - 1) / 2, [g[len(prefix):] for g in groups], rotation=20)
        ax.set_ylim(0, 1.05)
        ax.set_title(title)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=len(series), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.92))
    paths = [out_dir / "metrics_by_group.png", out_dir / "latency.png"]
    fig.savefig(paths[0], dpi=90)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 3.5))
    for run in runs:
        ax.hist([r.latency_ms for r in run.results], bins=20, alpha=0.6, label=run.name)
    ax.set_xlabel("ms per question")
    ax.set_ylabel("questions")
    ax.legend()
    fig.tight_layout()
    fig.savefig(paths[1], dpi=90)
    plt.close(fig)
    return paths


# -- markdown -----------------------------------------------------------------------------------


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell (no HTML, no pipes, one line)."""
    return html.escape(" ".join(text.split()), quote=False).replace("|", "\\|")


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _failures(gold: Sequence[GoldItem], product: SystemRun) -> list[tuple[GoldItem, ItemResult]]:
    by_id = {g.id: g for g in gold}
    return [(by_id[r.id], r) for r in product.results if r.id in by_id and not is_correct(r, by_id[r.id])]


def _markdown(summary: dict[str, Any], gold: Sequence[GoldItem], runs: Sequence[SystemRun]) -> str:
    out = [f"# Eval report: {summary['items']} gold items", "",
           f"Gold `{summary.get('gold', '')}`, k={summary.get('k', '')}, "
           f"model {summary.get('embed_model', '')}, {summary['created']}. "
           f"Index: {summary.get('index', '-')}.", ""]
    if "comparison" in summary:
        out += ["## Product vs baseline", ""]
        out += _md_table(["metric", "product", "baseline", "ratio"], [
            [m, fmt(m, v["product"]), fmt(m, v["baseline"]), _fmt_ratio(v["ratio"])]
            for m, v in summary["comparison"].items()])
        out.append("")
    for run in runs:
        out += [f"## Metrics: {run.name}", ""]
        rows = [[g, *(fmt(c, m.get(c)) for c in COLUMNS)] for g, m in run.groups.items()]
        out += _md_table(["group", *COLUMNS], rows)
        out.append("")
    out += ["## Plots", ""] + [f"![{title}]({name})" for name, title in PLOTS.items()] + [""]
    failures = _failures(gold, runs[0])
    out += [f"## Failures of the product ({len(failures)})", ""]
    for item, r in failures:
        rank = first_evidence_rank(r, item) if item.evidence else None
        out += [f"### {item.id} ({item.type}, {item.lang}, expected: {item.expected_behavior})", "",
                f"- question: {_md(item.question)}", f"- expected facts: {_md(_facts(item))}",
                f"- gold answer: {_md(item.answer)}",
                f"- answered{' (abstained)' if r.abstained else ''}: {_md(r.answer)}",
                f"- first evidence hit at rank: {rank or 'none in top 10'}", "- retrieved:"]
        out += [f"  {i}. `{p.source}` {_md(p.text[:200])}" for i, p in enumerate(r.retrieved[:3], start=1)]
        out.append("")
    out += ["## Definitions", "", DEFINITIONS]
    return "\n".join(out)


# -- HTML ---------------------------------------------------------------------------------------


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _html_metrics(run: SystemRun) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in ("group", *COLUMNS))
    rows = []
    for group, m in run.groups.items():
        cells = "".join(f"<td>{_e(fmt(c, m.get(c)))}</td>" for c in COLUMNS)
        rows.append(f'<tr data-group="{_e(group)}"><td>{_e(group)}</td>{cells}</tr>')
    return (f'<div class="scroll"><table class="metrics" id="metrics-{_e(run.name)}">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def _html_comparison(summary: dict[str, Any]) -> str:
    rows = []
    for m, v in summary["comparison"].items():
        r = v["ratio"]
        # Lower is better for these, so colour them the other way round.
        better = None if r is None else (r < 1 if m in ("false_abstain",) or m.endswith("_ms") else r > 1)
        cls = "" if better is None or r == 1 else (' class="hi"' if better else ' class="low"')
        rows.append(f"<tr><td>{_e(m)}</td><td>{fmt(m, v['product'])}</td><td>{fmt(m, v['baseline'])}</td>"
                    f"<td{cls}>{_e(_fmt_ratio(r))}</td></tr>")
    return ('<table id="comparison"><thead><tr><th>metric</th><th>product</th><th>baseline</th>'
            f"<th>ratio (product/baseline)</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _html_failure(item: GoldItem, r: ItemResult) -> str:
    rank = first_evidence_rank(r, item) if item.evidence else None
    passages = "".join(
        f'<li class="passage"><code>{_e(p.source)}</code> {_e(p.text[:240])}</li>' for p in r.retrieved[:3]
    )
    return (f'<div class="failure" id="fail-{_e(item.id)}"><h3>{_e(item.id)} '
            f"<small>({_e(item.type)}, {_e(item.lang)}, expected: {_e(item.expected_behavior)})</small></h3>"
            f"<p><b>Question:</b> {_e(item.question)}</p><p><b>Expected facts:</b> {_e(_facts(item))}</p>"
            f"<p><b>Gold answer:</b> {_e(item.answer)}</p>"
            f"<p><b>Answered{' (abstained)' if r.abstained else ''}:</b> {_e(r.answer)}</p>"
            f"<p><b>First evidence hit at rank:</b> {rank or 'none in top 10'}</p>"
            f"<p><b>Retrieved (top 3):</b></p><ol>{passages}</ol></div>")


def _html(summary: dict[str, Any], gold: Sequence[GoldItem], runs: Sequence[SystemRun],
          plots: list[Path]) -> str:
    parts = [f"<h1>Eval report: {summary['items']} gold items</h1>",
             f"<p>Gold <code>{_e(str(summary.get('gold', '')))}</code>, k={_e(str(summary.get('k', '')))}, "
             f"model {_e(str(summary.get('embed_model', '')))}, {_e(summary['created'])}. "
             f"Index: {_e(str(summary.get('index', '-')))}.</p>"]
    if "comparison" in summary:
        parts += ["<h2>Product vs baseline</h2>", _html_comparison(summary)]
    for run in runs:
        parts += [f'<h2 id="metrics-{_e(run.name)}-title">Metrics: {_e(run.name)}</h2>', _html_metrics(run)]
    parts.append("<h2>Plots</h2>")
    for path in plots:
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        parts.append(f'<figure><img alt="{_e(PLOTS[path.name])}" src="data:image/png;base64,{data}">'
                     f"<figcaption>{_e(PLOTS[path.name])}</figcaption></figure>")
    failures = _failures(gold, runs[0])
    parts.append(f'<section id="failures"><h2>Failures of the product ({len(failures)})</h2>')
    parts += [_html_failure(item, r) for item, r in failures]
    parts.append(f"</section><h2>Definitions</h2><pre>{_e(DEFINITIONS)}</pre>")
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Eval report</title>'
            f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>")


def write_report(out_dir: Path, gold: Sequence[GoldItem], runs: Sequence[SystemRun],
                 meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write summary.json, report.md, report.html and the plots; the product run comes first."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = _summary(gold, runs, meta or {})
    plots = _plots(out_dir, runs)
    (out_dir / "report.md").write_text(_markdown(summary, gold, runs), encoding="utf-8")
    (out_dir / "report.html").write_text(_html(summary, gold, runs, plots), encoding="utf-8")
    (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return summary


def metrics_of(summary: dict[str, Any], system: str = "product") -> Metrics:
    """The overall metrics of one system in a summary."""
    return dict(summary["systems"][system]["overall"])

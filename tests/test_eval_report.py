"""The eval report from hand-made results: HTML structure, escaping, Markdown, summary.json, a browser."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from evals.metrics import GoldItem, ItemResult, Passage, Quote, evaluate
from evals.report import comparison_text, summary_line, write_report

EVIDENCE = "Das Bündnis sprach von insgesamt etwa 2500 ausländischen Soldaten."
ARTICLES = {"a.txt": "Einleitung. " + EVIDENCE}
XSS = "<script>alert(1)</script>"


def _gold() -> list[GoldItem]:
    facts, src, ev = (("2500", "2,500"),), ("a.txt",), (EVIDENCE,)
    return [
        GoldItem("g1", "How many soldiers?", "en", "factoid", "2500", facts, src, ev, "answer"),
        GoldItem("g2", f"Wie viele {XSS} Soldaten?", "de", "why", "2500", facts, src, ev, "answer"),
        GoldItem("u1", "Who won the 1998 World Cup?", "en", "unanswerable", "", (), (), (), "abstain"),
    ]


def _results(answer_g2: str) -> list[ItemResult]:
    hit = (Passage("a.txt", EVIDENCE, 0.9), Passage("b.txt", "Anderes <b>Thema</b>.", 0.5))
    cited = (Quote("a.txt", EVIDENCE),)
    return [
        ItemResult("g1", "How many soldiers?", hit, "About “2500” [1]", False, cited, 120.0),
        ItemResult("g2", f"Wie viele {XSS} Soldaten?", hit[::-1], answer_g2, False, (), 80.0),
        ItemResult("u1", "Who won the 1998 World Cup?", hit, "The articles don't answer.", True, (), 60.0),
    ]


@pytest.fixture
def report_dir(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    gold = _gold()
    product = evaluate("product", _results(f"Keine Ahnung {XSS} [1]"), gold, ARTICLES)
    baseline = evaluate("baseline", _results("Vielleicht 2500 [1]"), gold, ARTICLES)
    summary = write_report(tmp_path, gold, [product, baseline], {"gold": "hand-made", "k": 5})
    return tmp_path, summary


def test_summary_json_keys(report_dir: tuple[Path, dict[str, Any]]) -> None:
    out, summary = report_dir
    saved = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert {"items", "k", "gold", "systems", "comparison", "failures", "created"} <= set(saved)
    assert set(saved["systems"]) == {"product", "baseline"}
    overall = saved["systems"]["product"]["overall"]
    assert {"evidence_hit@5", "MRR@10", "answer_correct", "abstain_correct", "citation_precision",
            "cited_sentence_share", "latency_p50_ms", "latency_p95_ms"} <= set(overall)
    assert overall["answer_correct"] == 0.5 and overall["abstain_correct"] == 1.0
    assert saved["failures"] == ["g2"]
    assert saved["comparison"]["answer_correct"]["ratio"] == pytest.approx(0.5)
    assert "product: evidence_hit@5=1.000" in summary_line(summary)
    en, de = (saved["systems"]["product"]["groups"][f"lang:{x}"]["MRR@10"] for x in ("en", "de"))
    assert f"MRR@10 en/de={en:.3f}/{de:.3f}" in summary_line(summary)
    assert "answer_correct" in comparison_text(summary)


def test_html_structure_and_escaping(report_dir: tuple[Path, dict[str, Any]]) -> None:
    out, _ = report_dir
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    table = re.search(r'<table class="metrics" id="metrics-product">(.*?)</table>', page, re.S)
    assert table
    groups = re.findall(r'<tr data-group="([^"]+)">', table.group(1))
    assert groups == ["overall", "lang:de", "lang:en", "type:factoid", "type:unanswerable", "type:why"]
    assert 'id="comparison"' in page and 'id="metrics-baseline"' in page
    failures = re.search(r'<section id="failures">(.*?)</section>', page, re.S)
    assert failures and 'id="fail-g2"' in failures.group(1) and 'id="fail-g1"' not in failures.group(1)
    assert "Expected facts:</b> 2500 / 2,500" in failures.group(1)
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,[A-Za-z0-9+/=]{100,}"', page)) == 2
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Anderes &lt;b&gt;Thema&lt;/b&gt;." in page
    assert "src=\"http" not in page and "<link" not in page  # self-contained


def test_markdown_and_plot_files(report_dir: tuple[Path, dict[str, Any]]) -> None:
    out, _ = report_dir
    md = (out / "report.md").read_text(encoding="utf-8")
    for heading in ("## Product vs baseline", "## Metrics: product", "## Failures of the product (1)",
                    "## Definitions", "cited_sentence_share"):
        assert heading in md
    assert "| overall |" in md and "| lang:de |" in md and "| type:why |" in md
    assert "<script>" not in md
    for name in ("metrics_by_group.png", "latency.png"):
        assert (out / name).read_bytes().startswith(b"\x89PNG")


@pytest.mark.browser
def test_html_renders_in_chromium(report_dir: tuple[Path, dict[str, Any]]) -> None:
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    out, _ = report_dir
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
            page.goto((out / "report.html").resolve().as_uri())
            assert page.locator("#metrics-product").is_visible()
            assert page.locator("#metrics-product tr[data-group='overall']").is_visible()
            assert page.locator("#failures").is_visible()
            # The images decoded: natural width > 0 means the data URI was a valid PNG.
            widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalWidth)")
            assert len(widths) == 2 and all(w > 0 for w in widths)
            assert XSS in page.inner_text("#fail-g2")  # shown as text, never run
        finally:
            browser.close()
    assert errors == []

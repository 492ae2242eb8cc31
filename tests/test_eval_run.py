"""`rag eval`: gold validation, an end-to-end run with the fake embedder, the real run with the baseline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evals.runner import DEFAULT_GOLD, gold_problems, main, read_gold, run, run_product
from rag import RAG

CORPUS = Path(__file__).resolve().parent.parent / "index" / "corpus"
SOLDIERS = ("Das Bündnis sprach von insgesamt etwa 2500 ausländischen Soldaten, "
            "die die kasachischen Sicherheitskräfte unterstützen sollten.")
RUSSIANS = "Denn rund 100'000 Russen flüchteten vor der Teilmobilisierung über die Grenze nach Kasachstan."


def _item(id: str, question: str, **extra: Any) -> dict[str, Any]:
    item = {"id": id, "question": question, "lang": "en", "type": "factoid", "answer": "", "must_include": [],
            "sources": [], "evidence": [], "expected_behavior": "answer"}
    item.update(extra)
    return item


GOOD = [
    _item("t1", "Wie viele ausländische Soldaten schickte das Bündnis?", lang="de", answer="Etwa 2500.",
          must_include=[["2500", "2.500"]], sources=["002_39f7be16d6cdd615.txt"], evidence=[SOLDIERS]),
    _item("t2", "How many Russians fled to Kazakhstan from the mobilization?", answer="About 100,000.",
          must_include=[["100'000", "100,000"]], sources=["001_3b62746ebeb5636b.txt"], evidence=[RUSSIANS]),
    _item("t3", "Who won the 1998 football World Cup?", type="unanswerable", expected_behavior="abstain"),
    _item("t4", "<script>alert(1)</script> ???", type="noise", expected_behavior="abstain_or_flag_unrelated"),
]


def _write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


GOLD_FILES = ["gold.jsonl", "parallel.jsonl"] + [f"fresh{n}.jsonl" for n in ("", *range(2, 33))]


@pytest.mark.parametrize("name", GOLD_FILES)
def test_check_gold_passes_on_the_real_gold_files(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = DEFAULT_GOLD.parent / name
    assert path.exists(), f"evals/{name} is missing"
    assert main(check_gold=path) == 0, capsys.readouterr().out
    assert capsys.readouterr().out.strip().endswith(": ok")


def test_check_gold_reports_each_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = [
        _item("b1", "Which language?", lang="fr", answer="Kasachisch.", must_include=[["Kasachisch"]],
              sources=["002_39f7be16d6cdd615.txt"], evidence=[SOLDIERS]),
        _item("b2", "How many soldiers?", answer="2500.", must_include=[["2500"]],
              sources=["002_39f7be16d6cdd615.txt"], evidence=[RUSSIANS]),
        _item("b3", "How many soldiers?", answer="A few thousand.", must_include=[["2500", "2,500"]],
              sources=["002_39f7be16d6cdd615.txt"], evidence=[SOLDIERS]),
        _item("b3", "Duplicate?", type="unanswerable", expected_behavior="abstain"),
        _item("b5", "Short evidence?", answer="2500", must_include=[["2500"]],
              sources=["002_39f7be16d6cdd615.txt"], evidence=["etwa 2500 ausländischen Soldaten"]),
    ]
    path = _write(tmp_path / "broken.jsonl", broken)
    problems = gold_problems(path, CORPUS)
    assert any(p.startswith("b1: lang='fr'") for p in problems)
    assert any(p.startswith("b2: evidence not in its sources") for p in problems)
    assert any(p.startswith("b3: gold answer lacks must_include") for p in problems)
    assert "b3: duplicate id" in problems
    assert any(p.startswith("b5: evidence has 32 characters") for p in problems)
    assert len(problems) == 5
    assert main(check_gold=path) == 1
    out = capsys.readouterr().out
    assert "b1: " in out and "b2: " in out and "duplicate id" in out and "5 problem(s)" in out


def test_check_gold_rejects_missing_keys(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "x1", "question": "Q?"}\nnot json\n', encoding="utf-8")
    problems = gold_problems(path, CORPUS)
    assert problems[0].startswith("x1: keys: missing") and problems[1].startswith("line 2: not valid JSON")


def test_end_to_end_with_the_fake_embedder(
    fake_rag: RAG, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_rag.index()
    gold = _write(tmp_path / "gold.jsonl", GOOD)
    assert gold_problems(gold, fake_rag.settings.corpus_dir) == []
    out = tmp_path / "out"
    summary = run(gold, out, k=5, baseline=True, rag=fake_rag)
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in lines] == ["t1", "t2", "t3", "t4"]
    for r in lines:
        assert {"id", "question", "retrieved", "answer", "abstained", "citations", "latency_ms"} <= set(r)
        assert isinstance(r["abstained"], bool) and r["latency_ms"] >= 0
        assert 1 <= len(r["retrieved"]) <= 10
        assert all(set(p) == {"source", "text", "score"} for p in r["retrieved"])
        assert all(set(c) == {"source", "quote"} for c in r["citations"])
    assert len((out / "baseline_results.jsonl").read_text(encoding="utf-8").splitlines()) == 4
    for name in ("report.md", "report.html", "summary.json", "metrics_by_group.png", "latency.png"):
        assert (out / name).stat().st_size > 0
    assert set(summary["systems"]) == {"product", "baseline"}
    # The CLI entry point with floors: one impossible floor fails the run and is named.
    floors = tmp_path / "floors.json"
    floors.write_text('{"evidence_hit@5": 0.0, "answer_correct": 1.01}', encoding="utf-8")
    assert main(gold=gold, out=out, floors=floors, rag=fake_rag) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("eval of 4 items | product: ")
    assert "answer_correct" in captured.err and "below its floor 1.010" in captured.err
    assert "evidence_hit@5" not in captured.err


def test_the_questions_can_be_typed_in_lower_or_upper_case(
    fake_rag: RAG, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_rag.index()
    gold = _write(tmp_path / "gold.jsonl", GOOD[:2])
    asked: list[str] = []
    ask = fake_rag.ask
    monkeypatch.setattr(fake_rag, "ask", lambda q, *a, **kw: asked.append(q) or ask(q, *a, **kw))
    questions = [json.loads(line)["question"] for line in gold.read_text(encoding="utf-8").splitlines()]
    for case, typed in (("lower", str.lower), ("upper", str.upper)):
        asked.clear()
        summary = run(gold, tmp_path / case, k=5, rag=fake_rag, case=case)
        assert asked[-2:] == [typed(q) for q in questions] and summary["case"] == case
    assert main(gold=gold, out=tmp_path / "x", rag=fake_rag, case="shouting") == 2
    assert "case 'shouting': expected one of as-written, lower, upper" in capsys.readouterr().err


def test_latency_is_timed_after_the_warm_up(fake_rag: RAG, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_rag.index()
    calls: list[str] = []
    ask = fake_rag.ask
    monkeypatch.setattr(fake_rag, "warm_up", lambda: calls.append("warm-up"))
    monkeypatch.setattr(fake_rag, "ask", lambda *a, **kw: calls.append("ask") or ask(*a, **kw))
    run_product(fake_rag, read_gold(_write(Path(fake_rag.settings.index_dir).parent / "g.jsonl", GOOD[:2]))[0], 5)
    assert calls[:2] == ["warm-up", "ask"], "loading the model is not timed as the first question"


@pytest.mark.slow
def test_real_gold_with_baseline(real_rag: RAG, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = run(DEFAULT_GOLD, out, k=5, baseline=True, rag=real_rag)
    n = sum(1 for line in DEFAULT_GOLD.read_text(encoding="utf-8").splitlines() if line.strip())
    assert summary["items"] == n
    assert set(summary["systems"]) == {"product", "baseline"}
    assert summary["comparison"]["evidence_hit@5"]["baseline"] is not None
    assert len((out / "results.jsonl").read_text(encoding="utf-8").splitlines()) == n
    floors = json.loads((Path(__file__).resolve().parent.parent / "evals" / "floors.json").read_text())
    product = summary["systems"]["product"]["overall"]
    assert all(product[m] is not None and product[m] >= f for m, f in floors.items()), (product, floors)

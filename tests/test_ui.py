"""The chat UI without a browser: the app builds, the handlers stream, escape and report errors."""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pytest

from rag import RAG, Answer, Citation, Document, IndexMissingError, LLMError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # ui.py lives in the project root
import ui

CSTO = "Why did the CSTO intervene in Kazakhstan?"


@pytest.fixture
def rag(fake_rag: RAG) -> RAG:
    fake_rag.index()
    return fake_rag


def run_chat(rag: RAG, question: str, conv: ui.Conversation | None = None) -> list[tuple[Any, ...]]:
    return list(ui.chat(rag, question, conv or ui.Conversation()))


def test_build_app_with_fake_rag_exposes_the_ask_and_chat_endpoints(rag: RAG) -> None:
    app = ui.build_app(rag)
    assert isinstance(app, gr.Blocks)
    names = {fn.api_name for fn in app.fns.values()}
    assert {"ask", "chat"} <= names
    ask = next(fn for fn in app.fns.values() if fn.api_name == "ask")
    assert ask.fn is not None
    result = ask.fn(CSTO, "")
    assert result["answer"] and result["error"] == ""


def test_another_corpus_is_not_described_as_the_built_in_one(rag: RAG) -> None:
    # The fake RAG indexes a copy of the corpus in another folder: the built-in articles' description and example
    # questions would be about articles that may not be there.
    config = ui.build_app(rag).config
    assert config is not None
    blocks = config["components"]
    head = next(b["props"]["value"] for b in blocks if "rag-head" in str(b["props"].get("value", "")))
    assert "Kazakhstan" not in head and f"the articles in {rag.settings.corpus_dir.name}/" in head
    chat = next(b for b in blocks if b["props"].get("elem_id") == "rag-chat")
    assert not chat["props"].get("examples") and "example" not in chat["props"]["placeholder"]


def test_api_answer_numbers_citations_as_in_the_answer(rag: RAG) -> None:
    result = ui.api_answer(rag, CSTO)
    json.dumps(result)  # JSON-able for gradio_client
    assert result["error"] == "" and not result["abstained"]
    assert result["mode"] == "extractive"
    cites = result["citations"]
    assert cites, result
    assert [c["n"] for c in cites] == list(range(1, len(cites) + 1))
    assert sorted({int(n) for n in re.findall(r"\[(\d+)\]", result["answer"])}) == [c["n"] for c in cites]
    for c in cites:
        assert set(c) >= {"n", "title", "source", "quote", "start", "end", "date"}
        assert rag.article(c["source"]).text[c["start"] : c["end"]] == c["quote"]
    expected = rag.ask(CSTO)
    assert result["answer"] == expected.text


def test_api_answer_passes_history_for_follow_ups(rag: RAG, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    real_ask = rag.ask

    def spy(question: str, k: int | None = None, history: Any = None) -> Answer:
        seen.append(history)
        return real_ask(question, k=k, history=history)

    monkeypatch.setattr(rag, "ask", spy)
    ui.api_answer(rag, "And why?", json.dumps([CSTO]))
    assert seen == [[CSTO]]
    bad = ui.api_answer(rag, "And why?", "not json")
    assert "history_json" in bad["error"] and bad["answer"] == ""


def test_chat_streams_then_renders_the_final_answer_with_sources(rag: RAG) -> None:
    outs = run_chat(rag, CSTO)
    messages, textbox, sources, picker, _, conv = outs[-1]
    assert textbox == ""
    assert [m["role"] for m in messages] == ["user", "assistant"]
    answer = rag.ask(CSTO)
    assert ui.esc(answer.citations[0].quote) in messages[-1]["content"]
    assert "[1]" in messages[-1]["content"]
    assert "extractive" in messages[-1]["content"]
    # the sources list every citation in order, numbered as in the answer, the quote marked
    positions = [sources.index(f'id="rag-cite-{c.n}"') for c in answer.citations]
    assert positions == sorted(positions)
    assert sources.count('class="rag-cite"') == len(answer.citations)
    for c in answer.citations:
        assert f"<mark>{ui.esc(c.quote)}</mark>" in sources
        assert ui.esc(c.title) in sources
    assert picker["visible"] is True
    assert [v for _, v in picker["choices"]] == [str(c.n) for c in answer.citations]
    assert conv.questions == [CSTO] and len(conv.citations) == len(answer.citations)
    # an earlier yield showed the question before the answer arrived
    assert "Searching" in outs[0][0][-1]["content"]


def test_streamed_pieces_show_up_then_the_final_answer_replaces_them(
    rag: RAG, monkeypatch: pytest.MonkeyPatch
) -> None:
    final = rag.ask(CSTO)
    final = Answer(final.question, "Final <i>text</i> [1]", False, final.citations[:1], final.hits, "en",
                   mode="extractive-fallback", notice="The LLM at http://x did not answer in 30 s.")

    def pieces(question: str, k: int | None = None, history: Any = None) -> Iterator[str | Answer]:
        yield "Draft "
        yield "<b>one</b> [1]"
        yield final

    monkeypatch.setattr(rag, "stream", pieces)
    shown = [out[0][-1]["content"] for out in run_chat(rag, CSTO)]
    assert "Draft" in shown[1] and "Draft" in shown[2] and "&lt;b&gt;one&lt;/b&gt;" in shown[2]
    assert "Draft" not in shown[-1] and "Final &lt;i&gt;text&lt;/i&gt;" in shown[-1]
    assert "did not answer in 30 s" in shown[-1] and "fallback" in shown[-1]


def test_follow_up_gets_the_previous_questions_as_history(rag: RAG, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    real_stream = rag.stream

    def spy(question: str, k: int | None = None, history: Any = None) -> Iterator[str | Answer]:
        seen.append(list(history or []))
        return real_stream(question, k=k, history=history)

    monkeypatch.setattr(rag, "stream", spy)
    conv = run_chat(rag, CSTO)[-1][-1]
    conv = run_chat(rag, "And why?", conv)[-1][-1]
    assert seen == [[], [CSTO]]
    assert len(conv.messages) == 4
    assert ui.new_conversation()[-1] == ui.Conversation()


def test_empty_question_makes_no_request(rag: RAG, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> Iterator[str | Answer]:
        raise AssertionError("no request expected")

    monkeypatch.setattr(rag, "stream", boom)
    for q in ("", "   \n\t "):
        outs = run_chat(rag, q)
        assert len(outs) == 1 and outs[0][0] == []
    monkeypatch.undo()
    assert "empty" in ui.api_answer(rag, "  ")["error"]


def test_a_question_without_words_gets_a_clear_message(rag: RAG) -> None:
    reply = run_chat(rag, "???")[-1][0][-1]["content"]
    assert "has no words" in reply and "Traceback" not in reply
    assert "names nothing to look for" in ui.api_answer(rag, "Why?")["error"]


def test_too_long_question_gets_a_clear_message(rag: RAG) -> None:
    question = "Why? " * 500  # 2,500 characters
    messages = run_chat(rag, question)[-1][0]
    reply = messages[-1]["content"]
    assert "at most 2,000" in reply and "Traceback" not in reply
    assert len(messages[0]["content"]) < 700  # the bubble shows a shortened question
    assert "at most 2,000" in ui.api_answer(rag, question)["error"]


def test_rag_errors_become_readable_messages(rag: RAG, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(*args: Any, **kwargs: Any) -> Iterator[str | Answer]:
        yield "partial "
        raise LLMError("the LLM endpoint timed out after 30 s <b>")

    monkeypatch.setattr(rag, "stream", failing)
    outs = run_chat(rag, CSTO)
    messages, conv = outs[-1][0], outs[-1][-1]
    assert "the LLM endpoint timed out after 30 s &lt;b&gt;" in messages[-1]["content"]
    assert conv.questions == []  # a failed question is not history

    def crashing(*args: Any, **kwargs: Any) -> Iterator[str | Answer]:
        raise ZeroDivisionError("secret internals")
        yield ""

    monkeypatch.setattr(rag, "stream", crashing)
    reply = run_chat(rag, CSTO)[-1][0][-1]["content"]
    assert "Something went wrong" in reply and "secret" not in reply and "Traceback" not in reply


def test_user_text_and_article_text_are_escaped(rag: RAG, monkeypatch: pytest.MonkeyPatch) -> None:
    payload = '<img src=x onerror="alert(1)"> [x](javascript:alert(2)) <script>alert(3)</script>'
    messages = run_chat(rag, payload + " Why?")[-1][0]
    assert "<img" not in messages[0]["content"] and "&lt;img src=x onerror=&quot;" in messages[0]["content"]
    assert "<script>" not in messages[0]["content"]

    text = "Intro.\n\nBefore " + payload + " after.\n\nOutro."
    start = text.index("<script>")
    end = start + len("<script>alert(3)</script>")
    doc = Document("evil.txt", "<b>Title</b>", "2024-01-02", text, "h")
    monkeypatch.setattr(rag, "article", lambda source: doc)
    cite = Citation(1, "evil.txt", "<b>Title</b>", text[start:end], start, end, "2024-01-02")
    answer = Answer("q", "“<script>alert(3)</script>” [1]", False, (cite,), (), "en")
    for html in (ui.answer_html(answer, rag), ui.sources_html(rag, answer),
                 ui.article_html(rag, ui.citation_dict(cite))):
        assert "<script" not in html and "<img" not in html and "<b>Title" not in html, html
        assert 'href="javascript' not in html
    sources = ui.sources_html(rag, answer)
    # the paragraph around the quote, and exactly the quote marked
    assert "<mark>&lt;script&gt;alert(3)&lt;/script&gt;</mark>" in sources
    assert "Before &lt;img" in sources and "Intro" not in sources and "Outro" not in sources
    assert "2024-01-02" in sources
    viewer = ui.article_html(rag, ui.citation_dict(cite))
    assert 'id="rag-passage">&lt;script&gt;alert(3)&lt;/script&gt;</mark>' in viewer
    assert "Intro." in viewer and "Outro." in viewer


def test_abstention_lists_no_sources(rag: RAG) -> None:
    answer = Answer("q", "The articles don't answer this question.", True, (), (), "en")
    html = ui.sources_html(rag, answer)
    assert "No sources" in html and "rag-cite" not in html


def test_open_article_uses_the_cited_passage(rag: RAG) -> None:
    conv = run_chat(rag, CSTO)[-1][-1]
    first = conv.citations[0]
    viewer = ui.open_article(rag, "1", conv)
    text = rag.article(first["source"]).text
    assert f'id="rag-passage">{ui.esc(text[first["start"] : first["end"]])}</mark>' in viewer
    assert viewer != ui.open_article(rag, "1", conv)  # a new value each time, so it scrolls again
    assert ui.open_article(rag, "99", conv) == ui.VIEWER_EMPTY


def test_status_shows_counts_and_mode(rag: RAG) -> None:
    html = ui.status_html(rag.status(), rag)
    assert re.search(r"Index ready · 5 articles · \d+ chunks · fake-embedder", html)
    assert "built-in extractive" in html


def test_ensure_index_builds_a_missing_index_once(fake_rag: RAG) -> None:
    with pytest.raises(IndexMissingError):
        fake_rag.status()
    lines: list[str] = []
    status = ui.ensure_index(fake_rag, say=lines.append)
    assert status.articles == 5 and status.chunks > 0
    assert any("Building the index" in line for line in lines)
    lines.clear()
    ui.ensure_index(fake_rag, say=lines.append)
    assert lines == []


def test_main_builds_the_index_and_launches_with_settings(
    fake_rag: RAG, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    launched: dict[str, Any] = {}
    monkeypatch.setattr(ui, "RAG", lambda settings=None: fake_rag)
    monkeypatch.setattr(gr.Blocks, "launch", lambda self, **kw: launched.update(kw))
    monkeypatch.setenv("RAG_UI_AUTH", "ann:s3cret:x")
    monkeypatch.delenv("RAG_UI_HOST", raising=False)
    monkeypatch.delenv("RAG_UI_PORT", raising=False)
    warmed: list[RAG] = []
    monkeypatch.setattr(ui, "warm_up", warmed.append)
    ui.main()
    for thread in threading.enumerate():  # the warm-up runs in its own thread
        if thread.name == "rag-warm-up":
            thread.join(timeout=10)
    assert warmed == [fake_rag], "the model loads in the background while the page opens"
    assert launched["server_name"] == "127.0.0.1" and launched["server_port"] == 7860
    assert launched["auth"] == ("ann", "s3cret:x")
    assert "Building the index" in capsys.readouterr().out
    monkeypatch.delenv("RAG_UI_AUTH")
    ui.main(host="0.0.0.0", port=9999)
    assert launched["server_name"] == "0.0.0.0" and launched["server_port"] == 9999
    assert launched["auth"] is None


def test_a_failed_warm_up_is_logged_not_raised(fake_rag: RAG, caplog: pytest.LogCaptureFixture) -> None:
    ui.warm_up(fake_rag)  # nothing indexed yet: the first question will say so
    assert "warm-up failed" in caplog.text and "index" in caplog.text.lower()


def test_a_quote_that_runs_into_the_next_paragraph_is_marked_whole_with_a_break() -> None:
    text = "Vorher.\n\nAuf dem Transparent stand:\n\n«Wir bleiben <hier>.»\n\nDanach war Ruhe."
    start = text.index("Auf dem")
    end = text.index("»") + 1
    html = ui.paragraph_html(text, start, end)
    assert html == "<mark>Auf dem Transparent stand:<br>\n«Wir bleiben &lt;hier&gt;.»</mark>"

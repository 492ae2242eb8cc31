"""The chat in headless Chromium and through gradio_client, with the real model and a real Chroma index."""

from __future__ import annotations

import faulthandler
import json
import socket
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from gradio_client import Client
from playwright.sync_api import Browser, Page, expect, sync_playwright

from rag import RAG, Answer, Settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # ui.py lives in the project root
import ui

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
SETUP_LIMIT = 900  # seconds for building the real index (first use of the model) and starting servers
TEST_LIMIT = 420  # seconds for any one test; past it the run is stopped with a traceback dump
WAIT_MS = 120_000  # longest wait for one thing in the page
CSTO = "Why did the CSTO intervene in Kazakhstan?"
QUESTIONS = [
    CSTO,
    "Wie viele Russen flohen vor der Teilmobilisierung nach Kasachstan?",
    "What fake news spread about a NATO facility in Almaty?",
    "Was sind die Jurten der Unbesiegbarkeit?",
    "Why did Russian media get angry about Kazakhstan?",
    "Wer ist Kassym-Jomart Tokajew?",
    "How many Russians fled to Kazakhstan from the partial mobilisation?",
    "Wie reagierte der Kreml auf die Jurten?",
    "What did Putin say about Kazakh statehood?",
    "Warum griff die OVKS in Kasachstan ein?",
]
XSS_ARTICLE = "\n\n".join([  # plain prose lines with the payloads inside sentences, so cleaning keeps them
    "Zephyrtown reports the glass harp festival",
    "The glass harp festival of Zephyrtown opened on Saturday with more than four hundred musicians "
    "from twelve countries.",
    "The organisers said a prankster had posted the text <script>window.__xss=1</script> on the festival "
    "website, and the volunteers found it funny.",
    'Another message on the festival board read <img src=x onerror="window.__xss=2"> and was removed by '
    "the moderators within an hour.",
    "A third post asked visitors to [click](javascript:window.__xss=3) for free tickets to the glass harp "
    "concert, but nobody fell for it.",
    "The festival director said the glass harp is made of tuned wine glasses played with wet fingers.",
]) + "\n"
PAYLOADS = ("<script>window.__xss=1</script>", 'onerror="window.__xss=2"',
            "[click](javascript:window.__xss=3)")


@pytest.fixture(autouse=True)
def deadline() -> Iterator[None]:
    """Every test stops by itself: a hung one ends the run (with tracebacks) after TEST_LIMIT."""
    faulthandler.dump_traceback_later(TEST_LIMIT, exit=True)
    yield
    faulthandler.dump_traceback_later(SETUP_LIMIT, exit=True)  # covers the next test's setup


@pytest.fixture(scope="module", autouse=True)
def _disarm() -> Iterator[None]:
    yield
    faulthandler.cancel_dump_traceback_later()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(app: gr.Blocks) -> str:
    port = free_port()
    app.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True)
    return f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def rag(request: pytest.FixtureRequest) -> RAG:
    faulthandler.dump_traceback_later(SETUP_LIMIT, exit=True)  # the first real_rag builds the model and index
    real: RAG = request.getfixturevalue("real_rag")
    return real


@pytest.fixture(scope="module")
def url(rag: RAG) -> Iterator[str]:
    app = ui.build_app(rag)
    try:
        yield serve(app)
    finally:
        app.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=60_000)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Browser, url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    p.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.goto(url)
    expect(p.locator(".rag-status")).to_contain_text("Index ready", timeout=WAIT_MS)
    try:
        yield p
    finally:
        context.close()
    assert not errors, errors


def ask(page: Page, question: str) -> None:
    """Type a question, send it and wait until its answer (with the mode line) is in the chat."""
    before = page.locator('[data-testid="bot"]').count()
    box = page.locator("#rag-question textarea")
    box.fill(question)
    box.press("Enter")
    bots = page.locator('[data-testid="bot"]')
    expect(bots).to_have_count(before + 1)
    expect(bots.last.locator(".rag-meta, .rag-error-msg")).to_have_count(1, timeout=WAIT_MS)


def words(text: str, n: int = 8) -> str:
    return " ".join(text.split()[:n])


def test_ask_streams_the_answer_and_shows_cited_sources(page: Page, rag: RAG) -> None:
    expected = rag.ask(CSTO)
    assert expected.citations, expected.text
    # record every state of the answer bubble, to see it arrive in steps rather than at once
    page.evaluate("""() => {
        window.__states = [];
        new MutationObserver(() => {
            const bots = document.querySelectorAll('[data-testid="bot"]');
            const t = bots.length ? bots[bots.length - 1].innerText : '';
            if (t && window.__states[window.__states.length - 1] !== t) window.__states.push(t);
        }).observe(document.querySelector('#rag-chat'),
                   {subtree: true, childList: true, characterData: true});
    }""")
    ask(page, CSTO)
    answer = page.locator('[data-testid="bot"]').last
    expect(answer).to_contain_text("[1]")
    expect(answer).to_contain_text(words(expected.text))
    expect(answer).to_contain_text("extractive")
    states: list[str] = page.evaluate("window.__states")
    assert len(states) >= 2 and "[1]" not in states[0], states  # a waiting/streamed state came first
    # only the cited sources, in citation order, numbered as in the answer, the quote marked
    sources = page.locator("#rag-sources")
    expect(sources.locator(".rag-cite")).to_have_count(len(expected.citations))
    assert sources.locator(".rag-cite-n").all_inner_texts() == [f"[{c.n}]" for c in expected.citations]
    marks = [" ".join(t.split()) for t in sources.locator("mark").all_text_contents()]
    assert marks == [" ".join(c.quote.split()) for c in expected.citations]
    for c in expected.citations:
        expect(sources.locator(f"#rag-cite-{c.n}")).to_contain_text(c.title)
        para = sources.locator(f"#rag-cite-{c.n} .rag-para").text_content() or ""
        assert len(para) >= len(c.quote)  # the quote sits inside its paragraph


def test_follow_up_question_in_the_same_conversation(page: Page, rag: RAG) -> None:
    ask(page, CSTO)
    follow_up = rag.ask("And why?", history=[CSTO])
    ask(page, "And why?")
    bots = page.locator('[data-testid="bot"]')
    expect(bots).to_have_count(2)
    expect(bots.last).to_contain_text(words(follow_up.text))
    page.locator("#rag-new").click()
    expect(page.locator('[data-testid="bot"]')).to_have_count(0)
    expect(page.locator("#rag-sources")).not_to_contain_text("[1]")


def test_example_click_asks_it(page: Page, rag: RAG) -> None:
    question = ui.EXAMPLES[3]
    expected = rag.ask(question)
    page.get_by_text(question).first.click()
    bots = page.locator('[data-testid="bot"]')
    expect(bots.last.locator(".rag-meta")).to_have_count(1)
    expect(bots.last).to_contain_text(words(expected.text))


def test_narrow_mobile_layout_has_no_sideways_scrolling(browser: Browser, url: str) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(url)
        expect(page.locator(".rag-status")).to_contain_text("Index ready")
        ask(page, CSTO)
        page.locator("#rag-open label").first.click()
        expect(page.locator("#rag-viewer mark.rag-passage")).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        for sel in ("#rag-chat", "#rag-sources", "#rag-viewer"):
            box = page.locator(sel).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (sel, box)
    finally:
        page.close()


def test_open_article_shows_the_whole_text_scrolled_to_the_passage(page: Page, rag: RAG) -> None:
    expected = rag.ask(CSTO)
    ask(page, CSTO)
    last = expected.citations[-1]
    page.locator("#rag-open label").nth(len(expected.citations) - 1).click()
    mark = page.locator("#rag-viewer mark.rag-passage")
    expect(mark).to_have_count(1)
    assert mark.text_content() == last.quote
    doc = rag.article(last.source)
    assert page.locator("#rag-viewer .rag-article-text").text_content() == doc.text
    expect(page.locator("#rag-viewer")).to_contain_text(doc.title)
    page.wait_for_function(
        """() => {
            const m = document.querySelector('#rag-viewer mark.rag-passage');
            const box = m.closest('.html-container') || m.parentElement;
            const r = m.getBoundingClientRect(), b = box.getBoundingClientRect();
            return r.top >= Math.max(0, b.top) && r.bottom <= Math.min(window.innerHeight, b.bottom);
        }""",
        timeout=15_000,
    )


def test_gradio_client_round_trip(url: str, rag: RAG) -> None:
    question = "Wie viele Russen flohen vor der Teilmobilisierung nach Kasachstan?"
    client = Client(url, verbose=False)
    result: dict[str, Any] = client.submit(question, "", api_name="/ask").result(timeout=180)
    expected = rag.ask(question)
    assert result["error"] == "" and result["answer"] == expected.text
    assert "[1]" in result["answer"]
    assert [(c["n"], c["source"], c["start"], c["end"], c["quote"]) for c in result["citations"]] == [
        (c.n, c.source, c.start, c.end, c.quote) for c in expected.citations
    ]
    follow = client.submit("Und warum?", json.dumps([question]), api_name="/ask").result(timeout=180)
    assert follow["answer"] == rag.ask("Und warum?", history=[question]).text
    assert "at most 2,000" in client.submit("x" * 2500, "", api_name="/ask").result(timeout=60)["error"]
    # the plain predict call works too
    assert client.predict(question, api_name="/ask")["answer"] == expected.text


def _summary(result: dict[str, Any] | Answer) -> tuple[Any, ...]:
    if isinstance(result, Answer):
        return result.text, [(c.n, c.source, c.start, c.end) for c in result.citations]
    return result["answer"], [(c["n"], c["source"], c["start"], c["end"]) for c in result["citations"]]


def test_ten_simultaneous_clients_get_their_own_answers(url: str, rag: RAG) -> None:
    expected = {q: _summary(rag.ask(q)) for q in QUESTIONS}
    assert len({a for a, _ in expected.values()}) >= 6  # different enough to notice a mix-up

    def user(question: str) -> tuple[str, dict[str, Any]]:
        client = Client(url, verbose=False)
        return question, client.submit(question, "", api_name="/ask").result(timeout=240)

    pool = ThreadPoolExecutor(max_workers=len(QUESTIONS))
    try:
        futures = [pool.submit(user, q) for q in QUESTIONS]
        results = [f.result(timeout=300) for f in futures]
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    assert len(results) == 10
    for question, result in results:
        assert result["question"] == question and result["error"] == ""
        assert _summary(result) == expected[question], question


@pytest.fixture(scope="module")
def xss_url(tmp_path_factory: pytest.TempPathFactory, rag: RAG) -> Iterator[tuple[str, RAG]]:
    root = tmp_path_factory.mktemp("xss")
    (root / "corpus").mkdir()
    (root / "corpus" / "festival.txt").write_text(XSS_ARTICLE, encoding="utf-8")
    settings = Settings.from_env(env={}, corpus_dir=root / "corpus", index_dir=root / "index")
    evil = RAG(settings=settings, embedder=rag.embedder)
    evil.index()
    text = evil.article("festival.txt").text
    for payload in PAYLOADS:
        assert payload in text, f"cleaning removed {payload!r}; the XSS test needs it in the article"
    app = ui.build_app(evil)
    try:
        yield serve(app), evil
    finally:
        app.close()


def test_article_html_and_links_stay_inert_text(browser: Browser, xss_url: tuple[str, RAG]) -> None:
    url, evil = xss_url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(url)
        expect(page.locator(".rag-status")).to_contain_text("Index ready")
        questions = [
            "What did the prankster post on the festival website?",
            "What did the message on the festival board read?",
            "What did the third post ask visitors to do?",
            '<img src=x onerror="window.__xss=4"><script>window.__xss=5</script> What did the prankster post',
        ]
        for i, q in enumerate(questions):
            answered = not evil.ask(q, history=questions[:i]).abstained  # the chat passes its history
            assert answered or i == 3, q
            ask(page, q)
            if answered:
                page.locator("#rag-open label").first.click()
                expect(page.locator("#rag-viewer mark.rag-passage")).to_have_count(1)
            page.wait_for_timeout(300)
            assert page.evaluate("typeof window.__xss") == "undefined", q
        assert page.evaluate("typeof window.__xss") == "undefined"
        scripts = page.evaluate("Array.from(document.scripts).map(s => s.textContent)")
        assert not [s for s in scripts if "__xss" in s]
        assert page.locator("img[src='x'], [onerror]").count() == 0
        assert page.locator("a[href^='javascript']").count() == 0
        chat = page.locator("#rag-chat").inner_text()
        shown = chat + page.locator("#rag-sources").inner_text() + page.locator("#rag-viewer").inner_text()
        for payload in PAYLOADS:
            assert payload in shown, payload
        assert '<img src=x onerror="window.__xss=4">' in chat  # the question, as typed
    finally:
        page.close()

"""The chat in the browser: a thin Gradio shell over `rag.RAG` (run `python ui.py` or `rag ui`).

Everything that comes from an article, a question or a model is escaped before it reaches the page.
Programmatic use: `gradio_client.Client(url).predict("Why …?", api_name="/ask")` returns a dict.
"""

from __future__ import annotations

import html
import itertools
import json
import logging
import re
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import gradio as gr

from rag import (
    RAG,
    Answer,
    Citation,
    IndexMissingError,
    IndexStatus,
    QuestionError,
    RagError,
    Settings,
    StaleIndexError,
)

log = logging.getLogger("rag.ui")

EXAMPLES = [
    "Why did the CSTO intervene in Kazakhstan?",
    "Wie viele Russen flohen vor der Teilmobilisierung nach Kasachstan?",
    "What fake news spread about a NATO facility in Almaty?",
    "Was sind die Jurten der Unbesiegbarkeit?",
]
SOURCES_EMPTY = '<div class="rag-muted">Each answer\'s sources appear here, numbered as in the answer.</div>'
VIEWER_EMPTY = '<div class="rag-muted">Pick a cited source above to read its whole article.</div>'
SHOWN_QUESTION_CHARS = 500  # a longer question is shortened in the chat bubble (the whole text is asked)
CONCURRENCY = 4  # questions answered at once (shared by the chat and /ask); more wait in Gradio's queue
PARAGRAPH_CHARS = 900  # a longer paragraph around a quote is trimmed to the quote's neighbourhood
# Scroll the marked passage into view whenever the article viewer gets new content.
SCROLL_JS = """
watch('value', () => {
  const mark = element.querySelector('mark.rag-passage');
  if (mark) mark.scrollIntoView({block: 'center'});
});
"""
CSS = """
@font-face {font-family: "Rag Sans Bold"; font-weight: 700;
  src: url("static/fonts/SourceSansPro/SourceSansPro-Bold.woff2") format("woff2");}
.rag-head .rag-h1, .rag-h, .rag-cite-head, .rag-cite-n, .rag-ref, .rag-closest b {
  font-family: "Rag Sans Bold", var(--font); font-weight: 700;}
#rag-viewer .html-container {padding-top: 0;}
.rag-head .rag-h1 {margin: 0; font-size: 1.35rem;}
.rag-head p {margin: .2rem 0 0; color: var(--body-text-color-subdued);}
.rag-status {font-size: .9rem; padding: .45rem .7rem; border-radius: 8px;
  border: 1px solid var(--border-color-primary); background: var(--block-background-fill);}
.rag-status.rag-error {border-color: #d33; color: #d33;}
.rag-muted {color: var(--body-text-color-subdued); font-size: .9rem; padding: .4rem 0;}
.rag-h {margin: 0 0 .4rem; font-size: 1rem;}
.rag-cite {border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .55rem .7rem;
  margin-bottom: .6rem; background: var(--block-background-fill);}
.rag-cite-head {line-height: 1.35;}
.rag-cite-n, .rag-ref {color: var(--color-accent); margin-right: .2rem;}
.rag-date, .rag-src {font-family: var(--font); font-weight: 400; font-size: .82rem;
  color: var(--body-text-color-subdued);}
.rag-para {margin: .4rem 0 .3rem; padding-left: .6rem; border-left: 3px solid var(--border-color-primary);
  font-size: .92rem; line-height: 1.5; overflow-wrap: anywhere;}
.rag-sources mark, .rag-article mark {background: #ffe36e; color: #1a1a1a; padding: 0 .1em;
  border-radius: 3px;}
.rag-closest {font-size: .9rem;}
.rag-closest li {margin: .35rem 0;}
.rag-article {border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 0 .8rem .8rem;}
.rag-article-head {position: sticky; top: 0; z-index: 1; padding: .6rem 0 .4rem; margin-bottom: .4rem;
  background: var(--background-fill-primary); border-bottom: 1px solid var(--border-color-primary);}
.rag-article-text {white-space: pre-wrap; overflow-wrap: anywhere; line-height: 1.55; font-size: .93rem;}
.rag-meta {margin-top: .45rem; font-size: .8rem; opacity: .75;}
.rag-notice {margin-top: .45rem; font-size: .85rem; font-style: italic;}
.rag-error-msg {color: #c62828;}
.rag-answer p {margin: 0 0 .4rem;}
@media (max-width: 640px) {
  .rag-head .rag-h1 {font-size: 1.15rem;}
  .rag-para, .rag-article-text {font-size: .9rem;}
}
"""


@dataclass
class Conversation:
    """One browser session's chat: what is shown, the questions asked, the last answer's citations."""

    messages: list[dict[str, str]] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)


# -- rendering (all text escaped) ----------------------------------------------------------------------


def esc(text: str) -> str:
    """Text as inert HTML: tags, attributes and entities all become visible characters."""
    return html.escape(text, quote=True)


def text_html(text: str) -> str:
    """Escaped text with paragraphs and line breaks; `[n]` markers styled but kept as written."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    body = "".join(f"<p>{esc(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return re.sub(r"\[(\d{1,3})\]", r'<b class="rag-ref">[\1]</b>', body)


def mode_label(answer: Answer, rag: RAG) -> str:
    if answer.mode == "llm":
        return f"Written by the LLM ({rag.settings.llm_model or 'configured model'}) from the cited passages"
    if answer.mode == "extractive-fallback":
        return "Built-in extractive answer (fallback: the LLM was not used)"
    return "Built-in extractive answer: verbatim quotes from the articles"


def answer_html(answer: Answer, rag: RAG) -> str:
    parts = [f'<div class="rag-answer">{text_html(answer.text)}</div>']
    if answer.notice:
        parts.append(f'<div class="rag-notice">{esc(answer.notice)}</div>')
    sources = "no sources" if answer.abstained else f"{len(answer.citations)} source(s)"
    parts.append(f'<div class="rag-meta">{esc(mode_label(answer, rag))} · {sources}</div>')
    return "".join(parts)


def error_html(exc: Exception) -> str:
    return f'<div class="rag-error-msg">⚠ {esc(str(exc))}</div>'


def user_html(question: str) -> str:
    shown = question if len(question) <= SHOWN_QUESTION_CHARS else question[:SHOWN_QUESTION_CHARS] + " …"
    return esc(shown).replace("\n", "<br>")


def passage(text: str, start: int, end: int, quote: str) -> tuple[int, int]:
    """Offsets of the quote in the article: as cited, or found again if the article moved on."""
    if 0 <= start < end <= len(text) and text[start:end] == quote:
        return start, end
    found = text.find(quote) if quote else -1
    return (found, found + len(quote)) if found >= 0 else (start, start)


def paragraph_html(text: str, start: int, end: int) -> str:
    """The "\\n\\n"-separated paragraph around text[start:end], that quote marked, all escaped."""
    lo = text.rfind("\n\n", 0, start)
    lo = 0 if lo < 0 else lo + 2
    hi = text.find("\n\n", end)
    hi = len(text) if hi < 0 else hi
    before, after = text[lo:start], text[end:hi]
    room = max(0, (PARAGRAPH_CHARS - (end - start)) // 2)
    if len(before) > room:
        before = "… " + before[len(before) - room :].split(" ", 1)[-1]
    if len(after) > room:
        after = after[:room].rsplit(" ", 1)[0] + " …"
    # A quote may run into the next paragraph: a line break, and whitespace for copying and textContent.
    quote = esc(text[start:end]).replace("\n\n", "<br>\n")
    return f"{esc(before)}<mark>{quote}</mark>{esc(after)}"


def citation_html(rag: RAG, c: Citation) -> str:
    date = f' <span class="rag-date">· {esc(c.date)}</span>' if c.date else ""
    try:
        text = rag.article(c.source).text
        start, end = passage(text, c.start, c.end, c.quote)
        body = paragraph_html(text, start, end) if end > start else f"<mark>{esc(c.quote)}</mark>"
    except RagError:
        body = f"<mark>{esc(c.quote)}</mark>"
    return (
        f'<div class="rag-cite" id="rag-cite-{c.n}"><div class="rag-cite-head">'
        f'<span class="rag-cite-n">[{c.n}]</span>{esc(c.title)}{date}</div>'
        f'<div class="rag-para">{body}</div>'
        f'<div class="rag-src">{esc(c.source)} · characters {c.start}–{c.end}</div></div>'
    )


def sources_html(rag: RAG, answer: Answer) -> str:
    if answer.abstained or not answer.citations:
        closest = "".join(
            f"<li><b>{esc(h.chunk.title)}</b>: "
            f"{esc(h.sentences[0].span.text if h.sentences else h.chunk.text[:240])}</li>"
            for h in answer.hits[:3]
        )
        extra = (
            '<details class="rag-closest"><summary>Closest passages (not an answer)</summary>'
            f"<ol>{closest}</ol></details>"
            if closest
            else ""
        )
        return ('<div class="rag-sources"><div class="rag-h">Sources</div><div class="rag-muted">No sources: '
                f"the articles do not answer this.</div>{extra}</div>")
    items = "".join(citation_html(rag, c) for c in answer.citations)
    return f'<div class="rag-sources"><div class="rag-h">Sources</div>{items}</div>'


def article_html(rag: RAG, citation: dict[str, Any], nonce: int = 0) -> str:
    """The whole cleaned article, escaped, with the cited passage marked for scrolling into view."""
    try:
        doc = rag.article(str(citation["source"]))
    except RagError as exc:
        return error_html(exc)
    text = doc.text
    start, end = passage(text, int(citation["start"]), int(citation["end"]), str(citation["quote"]))
    date = f' <span class="rag-date">· {esc(doc.date)}</span>' if doc.date else ""
    return (
        f'<div class="rag-article" data-open="{nonce}"><div class="rag-article-head">'
        f'<div class="rag-h">[{int(citation["n"])}] {esc(doc.title)}{date}</div>'
        f'<div class="rag-src">{esc(doc.source)} · <a href="#rag-passage">to the passage</a></div></div>'
        f'<div class="rag-article-text">{esc(text[:start])}<mark class="rag-passage" id="rag-passage">'
        f"{esc(text[start:end])}</mark>{esc(text[end:])}</div></div>"
    )


def mode_summary(rag: RAG) -> str:
    if rag.settings.llm_base_url:
        return f"LLM mode ({rag.settings.llm_model or 'configured model'}, extractive fallback)"
    return "built-in extractive mode"


def status_html(status: IndexStatus, rag: RAG) -> str:
    return (
        f'<div class="rag-status">Index ready · {status.articles} articles · {status.chunks} chunks · '
        f"{esc(status.embed_model)} · {esc(mode_summary(rag))}</div>"
    )


# -- the actions (thin: all answering is rag.stream / rag.ask) -----------------------------------------

_build_lock = threading.Lock()


def ensure_index(rag: RAG, say: Callable[[str], None] = print,
                 progress: Callable[[int, int], None] | None = None) -> IndexStatus:
    """The index status; builds the index first (once, with progress) when there is none yet."""
    with _build_lock:
        try:
            status = rag.status()
            if status.articles and status.chunks:
                return status
        except (IndexMissingError, StaleIndexError):  # none yet, or one from an older version
            pass
        say(f"Building the index from {rag.settings.corpus_dir} … (first start only)")

        def report(done: int, total: int) -> None:
            say(f"  embedded {done}/{total}")
            if progress:
                progress(done, total)

        stats = rag.index(progress=report)
        say(f"Index ready: {stats.articles} articles, {stats.chunks} chunks ({stats.seconds:.1f} s)")
        return rag.status()


def citation_dict(c: Citation) -> dict[str, Any]:
    return asdict(c)


def api_answer(rag: RAG, question: str, history_json: str = "") -> dict[str, Any]:
    """What the `/ask` endpoint returns: the answer, its mode and its numbered citations, or an error."""
    try:
        history = parse_history(history_json)
        answer = rag.ask(question, history=history)
    except RagError as exc:
        return {"question": question, "answer": "", "abstained": False, "mode": "", "notice": "",
                "language": "", "citations": [], "error": str(exc)}
    return {"question": answer.question, "answer": answer.text, "abstained": answer.abstained,
            "mode": answer.mode, "notice": answer.notice, "language": answer.language,
            "citations": [citation_dict(c) for c in answer.citations], "error": ""}


def parse_history(history_json: str) -> list[str]:
    if not history_json or not history_json.strip():
        return []
    try:
        value = json.loads(history_json)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise QuestionError('history_json: expected a JSON list of the previous questions, e.g. ["Why …?"]')
    return value


Outputs = tuple[Any, ...]  # chatbot, textbox, sources, article picker, article viewer, conversation


def chat(rag: RAG, question: str, conv: Conversation) -> Iterator[Outputs]:
    """Stream one answer into the conversation; errors become a readable message in the chat."""
    keep = gr.update()
    if not (question or "").strip():
        gr.Info("Type a question first, in English or German.")
        yield conv.messages, "", keep, keep, keep, conv
        return
    before = conv.messages
    asked = {"role": "user", "content": user_html(question)}

    def show(content: str) -> list[dict[str, str]]:  # a new list per update: yielded values stay as sent
        conv.messages = [*before, asked, {"role": "assistant", "content": content}]
        return conv.messages

    yield show('<span class="rag-muted">Searching the articles …</span>'), "", keep, keep, keep, conv
    answer: Answer | None = None
    streamed = ""
    try:
        for event in rag.stream(question, history=list(conv.questions)):
            if isinstance(event, Answer):
                answer = event
                break
            streamed += event
            yield show(text_html(streamed)), "", keep, keep, keep, conv
    except RagError as exc:
        yield show(error_html(exc)), "", keep, keep, keep, conv
        return
    except Exception as exc:  # never a traceback in the chat; the log has it
        log.exception("answering failed")
        failed = RuntimeError(f"Something went wrong ({type(exc).__name__}); please try again.")
        yield show(error_html(failed)), "", keep, keep, keep, conv
        return
    if answer is None:  # the stream ended without its Answer: show what arrived
        yield show(text_html(streamed)), "", keep, keep, keep, conv
        return
    conv.questions = [*conv.questions, answer.question]
    conv.citations = [citation_dict(c) for c in answer.citations]
    choices = [(f"[{c.n}] {c.title}" + (f" · {c.date}" if c.date else ""), str(c.n))
               for c in answer.citations]
    picker = gr.update(choices=choices, value=None, visible=bool(choices))
    yield show(answer_html(answer, rag)), "", sources_html(rag, answer), picker, VIEWER_EMPTY, conv


_opened = itertools.count(1)  # makes each opening a new value, so the viewer scrolls again


def open_article(rag: RAG, n: str | None, conv: Conversation) -> str:
    cited = next((c for c in conv.citations if str(c["n"]) == str(n)), None)
    if cited is None:
        return VIEWER_EMPTY
    return article_html(rag, cited, nonce=next(_opened))


def new_conversation() -> Outputs:
    hidden = gr.update(choices=[], value=None, visible=False)
    return [], "", SOURCES_EMPTY, hidden, VIEWER_EMPTY, Conversation()


# -- the app ---------------------------------------------------------------------------------------------


def build_app(rag: RAG) -> gr.Blocks:
    """The chat app for one RAG. Call `.launch()` on it; `/ask` is the programmatic endpoint."""
    # The examples and the description are the built-in corpus's; another corpus gets neither.
    built_in = rag.settings.corpus_dir.resolve() == Settings().corpus_dir.resolve()
    about = ("five German news articles on Kazakhstan" if built_in
             else f"the articles in {html.escape(rag.settings.corpus_dir.name)}/")
    with gr.Blocks(title="Ask the articles") as app:
        gr.HTML(
            '<div class="rag-head"><div class="rag-h1">Ask the articles</div><p>Questions in English or '
            f"German about {about}. Answers quote the articles with [n] citations.</p></div>",
            head=f"<style>{CSS}</style>",
            js_on_load=None,
        )
        status = gr.HTML('<div class="rag-status">Checking the index …</div>', js_on_load=None)
        conv = gr.State(Conversation())
        with gr.Row(equal_height=False):
            with gr.Column(scale=5, min_width=320):
                chatbot = gr.Chatbot(
                    label="Conversation",
                    height=None,
                    min_height=280,
                    max_height=620,
                    render_markdown=False,  # messages are HTML built here from escaped text
                    sanitize_html=True,
                    allow_tags=False,
                    buttons=[],  # "copy" would copy the message's HTML
                    feedback_options=None,
                    elem_id="rag-chat",
                    placeholder="Ask about the articles in English or German"
                    + (", or pick an example." if built_in else "."),
                    examples=[{"text": q} for q in EXAMPLES] if built_in else None,
                )
                question = gr.Textbox(
                    show_label=False,
                    placeholder="Ask in English or German … (Enter to send)",
                    submit_btn="Ask",
                    lines=1,
                    max_lines=6,
                    elem_id="rag-question",
                )
                with gr.Row():
                    clear = gr.Button("New conversation", variant="secondary", size="sm", elem_id="rag-new")
            with gr.Column(scale=4, min_width=300):
                sources = gr.HTML(SOURCES_EMPTY, elem_id="rag-sources", js_on_load=None)
                picker = gr.Radio(
                    choices=[], label="Open the whole article at a cited passage", visible=False,
                    elem_id="rag-open",
                )
                viewer = gr.HTML(VIEWER_EMPTY, elem_id="rag-viewer", js_on_load=SCROLL_JS, max_height=560,
                                 padding=False)

        def on_load(progress: gr.Progress = gr.Progress()) -> Iterator[str]:  # noqa: B008 - Gradio's idiom
            try:
                yield status_html(rag.status(), rag)
                return
            except (IndexMissingError, StaleIndexError):
                pass
            except RagError as exc:
                yield f'<div class="rag-status rag-error">{esc(str(exc))}</div>'
                return
            yield '<div class="rag-status">Building the index… (first start)</div>'
            try:
                ready = ensure_index(rag, progress=lambda d, t: progress((d, t), desc="Building the index…"))
            except RagError as exc:
                yield f'<div class="rag-status rag-error">{esc(str(exc))}</div>'
                return
            yield status_html(ready, rag)

        def on_ask(text: str, state: Conversation) -> Iterator[Outputs]:
            yield from chat(rag, text, state)

        def on_example(state: Conversation, evt: gr.SelectData) -> Iterator[Outputs]:
            yield from chat(rag, str(evt.value.get("text", "")), state)

        def on_open(n: str | None, state: Conversation) -> str:
            return open_article(rag, n, state)

        def ask(question: str, history_json: str = "") -> dict[str, Any]:
            """Answer a question (English or German). history_json: JSON list of the previous questions."""
            return api_answer(rag, question, history_json)

        outputs = [chatbot, question, sources, picker, viewer, conv]
        app.load(on_load, outputs=status, api_visibility="private")
        question.submit(on_ask, [question, conv], outputs, api_name="chat", concurrency_id="rag",
                        concurrency_limit=CONCURRENCY)
        picker.input(on_open, [picker, conv], viewer, api_visibility="private")
        chatbot.example_select(on_example, [conv], outputs, api_visibility="private", concurrency_id="rag",
                               concurrency_limit=CONCURRENCY)
        clear.click(new_conversation, None, outputs, api_visibility="private")
        chatbot.clear(new_conversation, None, outputs, api_visibility="private")
        gr.api(ask, api_name="ask", concurrency_id="rag", concurrency_limit=CONCURRENCY)
    return app


def warm_up(rag: RAG) -> None:
    """Load the model and the index in the background; a failure shows at the first question instead."""
    try:
        rag.warm_up()
    except RagError as exc:
        logging.getLogger(__name__).warning("warm-up failed (the first question will say why): %s", exc)


def main(host: str | None = None, port: int | None = None) -> None:
    """Start the chat (building the index first if there is none); blocks until stopped."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env()
        rag = RAG(settings=settings)
        ensure_index(rag)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc
    # The model loads while the page opens, so the first question is answered as fast as the next ones.
    threading.Thread(target=warm_up, args=(rag,), name="rag-warm-up", daemon=True).start()
    user, _, password = settings.ui_auth.partition(":")
    build_app(rag).launch(
        server_name=host or settings.ui_host,
        server_port=port or settings.ui_port,
        auth=(user, password) if settings.ui_auth else None,
        footer_links=["api"],
    )


if __name__ == "__main__":
    main()

"""The LLM answering path, against a real HTTP server process (fake_openai_server.py) and the real model."""

from __future__ import annotations

import re
import selectors
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import numpy as np
import pytest

from rag import RAG, Answer, Hit, Settings
from rag.answer import compose
from rag.embed import Embedder, Kind
from rag.lexical import detect_language
from rag.llm import (
    PROMPT,
    OpenAICompatibleGenerator,
    _numbers,
    _sse_deltas,
    build_messages,
    build_sources,
    generate_answer,
    make_generator,
    split_claims,
)

SERVER = Path(__file__).with_name("fake_openai_server.py")
TIMEOUT = 1.0  # the client's connect/read timeout; the fake's "slow" models sleep 3 s
QUESTION = "Wie viele Russen sind nach Kasachstan geflohen?"
SHOWN = "Denn rund 100'000 Russen flüchteten vor der Teilmobilisierung über die Grenze nach Kasachstan."


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The fake OpenAI-compatible server as a subprocess; yields its base URL, always stops it."""
    proc = subprocess.Popen([sys.executable, str(SERVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    try:
        with selectors.DefaultSelector() as sel:
            assert proc.stdout is not None
            sel.register(proc.stdout, selectors.EVENT_READ)
            assert sel.select(timeout=5), "the fake server did not start within 5 s"
            line = proc.stdout.readline()
        port = int(line.split()[1])
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        if proc.stdin:
            proc.stdin.close()  # the server exits on stdin EOF; terminate in case it is stuck
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        if proc.stdout:
            proc.stdout.close()


class CachedEmbedder:
    """The real model, each text embedded once: every test verifies against the same sources."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self._cache: dict[tuple[str, str], np.ndarray] = {}

    def embed(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if (t, kind) not in self._cache]
        if missing:
            vectors = self.inner.embed(missing, kind)
            self._cache.update(((t, kind), v) for t, v in zip(missing, vectors, strict=True))
        return np.stack([self._cache[(t, kind)] for t in texts])


@dataclass
class Case:
    """One question with its retrieval and extractive answer, computed once."""

    question: str
    language: str
    hits: list[Hit]
    extractive: Answer
    embedder: CachedEmbedder


@pytest.fixture(scope="module")
def case(real_rag: RAG) -> Case:
    hits = real_rag.retrieve(QUESTION)
    language = detect_language(QUESTION)
    extractive = compose(QUESTION, hits, language, real_rag.policy)
    assert not extractive.abstained
    return Case(QUESTION, language, hits, extractive, CachedEmbedder(real_rag.embedder))


def generator(base_url: str, model: str, **kw: object) -> OpenAICompatibleGenerator:
    settings = Settings.from_env(env={}, llm_base_url=base_url, llm_model=model, llm_timeout=TIMEOUT, **kw)
    return OpenAICompatibleGenerator(settings)


def run(case: Case, gen: OpenAICompatibleGenerator) -> tuple[list[str], Answer, float]:
    """The deltas, the final Answer and the seconds it all took."""
    started = time.perf_counter()
    deltas: list[str] = []
    answer: Answer | None = None
    for event in generate_answer(case.question, case.language, case.hits, case.extractive, gen,
                                 case.embedder):
        assert answer is None, "the final Answer comes last"
        if isinstance(event, Answer):
            answer = event
        else:
            deltas.append(event)
    assert answer is not None
    return deltas, answer, time.perf_counter() - started


def source_sentence(case: Case, n: int) -> str:
    """The first sentence the prompt shows for source `n` (what the fake's echo models copy)."""
    return build_sources(case.hits)[n - 1].spans[0].text


def assert_citations_verbatim(real_rag: RAG, answer: Answer) -> None:
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert sorted({int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}) == [c.n for c in answer.citations]
    for c in answer.citations:
        assert real_rag.article(c.source).text[c.start : c.end] == c.quote


# -- prompt and parsing (no server) --------------------------------------------------------------


def test_prompt_numbers_sources_with_title_and_best_sentences(case: Case) -> None:
    messages = build_messages(case.question, case.language, build_sources(case.hits))
    assert [m["role"] for m in messages] == ["system", "user"]
    user = messages[1]["content"]
    for n, hit in enumerate(case.hits, start=1):
        block = re.search(rf"^\[{n}\] (.+)\n((?:.+\n?)+)", user, re.M)
        assert block and block.group(1).startswith(hit.chunk.title)
        shown = block.group(2).strip().split("\n")  # one sentence per line, in article order
        assert 2 <= len(shown) <= 4 and hit.sentences[0].span.text in shown
        starts = [next(s.span.start for s in hit.sentences if s.span.text == line) for line in shown]
        assert starts == sorted(starts)
    assert case.question in user and "German" in messages[0]["content"] + user
    assert set(PROMPT) >= {"system", "user"}


def test_claims_keep_citation_markers_with_their_sentence() -> None:
    claims = split_claims("Erstens stimmt das [1]. Zweitens auch. [2][3]\n- Drittens [1, 4].\n[2] Er sagte: [5] Vier")
    assert [(c.text, c.cited) for c in claims] == [
        ("Erstens stimmt das.", (1,)),
        ("Zweitens auch.", (2, 3)),
        ("- Drittens.", (1, 4, 2)),
        ("Er sagte:", (5,)),
        ("Vier", ()),
    ]
    assert [c.newline for c in claims] == [False, False, True, True, False]


def test_numbers_compare_across_separators() -> None:
    assert _numbers("rund 100'000 Russen") == _numbers("about 100,000 Russians") == {"100000"}
    assert _numbers("2,000,000") == {"2000000"} and _numbers("1,5 Mio.") == _numbers("1.5 million")


def test_sse_parser_ignores_comments_and_usage_events() -> None:
    lines = [": ping", "", 'data: {"choices":[{"delta":{"role":"assistant"}}]}',
             'data: {"choices":[{"delta":{"content":"Hal"}}]}', "event: x",
             'data: {"choices":[{"delta":{"content":"lo"}}]}', 'data: {"choices":[],"usage":{}}',
             "data: [DONE]", 'data: {"choices":[{"delta":{"content":"after done"}}]}']
    assert list(_sse_deltas(iter(lines))) == ["Hal", "lo"]


def test_make_generator_is_none_without_url_and_cheap_with_one() -> None:
    assert make_generator(Settings.from_env(env={})) is None
    gen = make_generator(Settings.from_env(env={}, llm_base_url="http://127.0.0.1:9/v1/"))
    assert isinstance(gen, OpenAICompatibleGenerator) and gen._client is None
    assert gen.base_url == "http://127.0.0.1:9/v1"


# -- verified answers ----------------------------------------------------------------------------


def test_request_is_openai_shaped(server: str, case: Case) -> None:
    gen = generator(server, "echo-cited", llm_api_key="sekret")
    run(case, gen)
    last = httpx.get(server.replace("/v1", "/_fake/requests"), timeout=5, trust_env=False).json()[-1]
    assert last["path"] == "/v1/chat/completions"
    assert last["headers"]["Authorization"] == "Bearer sekret"
    body = last["body"]
    assert body["stream"] is True and body["model"] == "echo-cited"
    assert body["messages"] == build_messages(case.question, case.language, build_sources(case.hits))


def test_deltas_stream_in_pieces_and_citations_are_renumbered(server: str, real_rag: RAG, case: Case) -> None:
    deltas, answer, _ = run(case, generator(server, "echo-cited"))
    first, second = source_sentence(case, 2), source_sentence(case, 1)
    assert len(deltas) >= 4
    assert "".join(deltas) == f"{first} [2] {second} [1]"  # what the model said, cited [2] then [1]
    assert answer.mode == "llm" and not answer.notice
    assert answer.text == f"{first} [1] {second} [2]"  # renumbered in order of first appearance
    assert [c.quote for c in answer.citations] == [first, second]
    assert answer.citations[0].source == case.hits[1].chunk.source
    assert_citations_verbatim(real_rag, answer)


def test_unsupported_sentence_is_dropped(server: str, real_rag: RAG, case: Case) -> None:
    deltas, answer, _ = run(case, generator(server, "unsupported"))
    assert "Eiffel" in "".join(deltas)
    assert answer.mode == "llm" and "Eiffel" not in answer.text
    assert answer.text == f"{source_sentence(case, 2)} [1] {source_sentence(case, 1)} [2]"
    assert "1 sentence" in answer.notice
    assert_citations_verbatim(real_rag, answer)


def test_citation_to_a_missing_source_is_repointed(server: str, real_rag: RAG, case: Case) -> None:
    _, answer, _ = run(case, generator(server, "bad-cite"))
    assert answer.mode == "llm"
    assert answer.text == f"{source_sentence(case, 1)} [1]"
    assert answer.citations[0].source == case.hits[0].chunk.source
    assert_citations_verbatim(real_rag, answer)


def test_uncited_sentence_gets_its_best_source(server: str, real_rag: RAG, case: Case) -> None:
    _, answer, _ = run(case, generator(server, "uncited"))
    assert answer.mode == "llm" and answer.text == f"{source_sentence(case, 1)} [1]"
    assert_citations_verbatim(real_rag, answer)


def test_cross_lingual_paraphrase_is_verified_and_invented_figures_dropped(
    server: str, real_rag: RAG, case: Case
) -> None:
    sources = build_sources(case.hits)
    n = next((s.n for s in sources if SHOWN in [sp.text for sp in s.spans]), None)
    assert n, f"retrieval no longer shows {SHOWN!r} for {QUESTION!r}; pick another sentence"
    wrong = next(s.n for s in sources if s.hit.chunk.source != sources[n - 1].hit.chunk.source)
    fled = "Russians fled across the border to Kazakhstan to escape the partial mobilisation"
    reply = (
        f"About 100,000 {fled} [{wrong}]. About 2,000,000 {fled} [{n}]. "
        "Putin visited Astana last week to sign a gas deal [1]."
    )
    httpx.post(server.replace("/v1", "/_fake/script"), json={"model": "script-en", "reply": reply}, timeout=5,
               trust_env=False).raise_for_status()
    _, answer, _ = run(case, generator(server, "script-en"))
    assert answer.mode == "llm"
    assert answer.text == (
        "About 100,000 Russians fled across the border to Kazakhstan to escape the partial mobilisation. [1]"
    )
    assert [c.quote for c in answer.citations] == [SHOWN]  # re-pointed from the wrong source to the right one
    assert "2 sentence" in answer.notice
    assert_citations_verbatim(real_rag, answer)


def test_refusal_falls_back_to_the_extractive_answer(server: str, case: Case) -> None:
    _, answer, _ = run(case, generator(server, "refuse"))
    assert answer == replace(case.extractive, mode="extractive-fallback", notice=answer.notice)
    assert "found no answer in the sources" in answer.notice


# -- endpoint failures: always the extractive answer, never an exception -----------------------------


@pytest.mark.parametrize(
    ("model", "reason"),
    [
        ("slow", f"timeout after {TIMEOUT:g} s"),
        ("error500", "HTTP 500: the model crashed"),
        ("no-such-model", "HTTP 404: model 'no-such-model' not found"),
        ("garbage", "malformed stream"),
        ("empty", "empty answer"),
    ],
)
def test_endpoint_failure_falls_back(server: str, case: Case, model: str, reason: str) -> None:
    deltas, answer, seconds = run(case, generator(server, model))
    assert seconds < TIMEOUT + 2
    assert deltas == []
    assert answer == replace(case.extractive, mode="extractive-fallback", notice=answer.notice)
    assert answer.notice.startswith(f"The language model {model} at {server} did not answer ({reason}")
    assert answer.notice.endswith("); showing the built-in extractive answer.")


def test_mid_stream_timeout_supersedes_the_deltas(server: str, case: Case) -> None:
    deltas, answer, seconds = run(case, generator(server, "stall"))
    assert deltas and seconds < TIMEOUT + 2
    assert answer.mode == "extractive-fallback" and answer.text == case.extractive.text
    assert f"timeout after {TIMEOUT:g} s" in answer.notice


def test_connection_refused_falls_back(case: Case) -> None:
    with socket.socket() as sock:  # bound but not listening: connections are refused, the port stays ours
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
        _, answer, seconds = run(case, generator(url, ""))
    assert seconds < TIMEOUT + 2
    assert answer.mode == "extractive-fallback"
    assert answer.notice.startswith(f"The language model at {url} did not answer (cannot connect:")


def test_non_streaming_server_reply_is_accepted(server: str, case: Case) -> None:
    _, answer, _ = run(case, generator(server, "json"))
    assert answer.mode == "llm" and answer.text == f"{source_sentence(case, 1)} [1]"


# -- through the public API --------------------------------------------------------------------------


def test_rag_uses_the_configured_endpoint(server: str, real_rag: RAG, case: Case) -> None:
    settings = replace(real_rag.settings, llm_base_url=server, llm_model="echo-cited", llm_timeout=TIMEOUT)
    rag = RAG(settings=settings, embedder=case.embedder, store=real_rag.store)
    events = list(rag.stream(QUESTION))
    assert all(isinstance(e, str) for e in events[:-1]) and len(events) > 3
    final = events[-1]
    assert isinstance(final, Answer) and final.mode == "llm"
    assert final.text == f"{source_sentence(case, 2)} [1] {source_sentence(case, 1)} [2]"

    down = replace(settings, llm_model="error500")
    answer = RAG(settings=down, embedder=case.embedder, store=real_rag.store,
                 generator=make_generator(down)).ask(QUESTION)
    assert answer.mode == "extractive-fallback" and "HTTP 500" in answer.notice

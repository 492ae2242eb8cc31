"""Optional LLM answers: any OpenAI-compatible chat endpoint, with every sentence checked against its sources.

`generate_answer` yields text deltas as they stream, then one final `Answer`. Callers must render that
final Answer's text: when the endpoint fails mid-stream, or verification drops sentences, it replaces
what the deltas said (mode "extractive-fallback" or a corrected "llm" answer).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, Protocol

import httpx
import numpy as np

from .embed import Embedder
from .errors import LLMError
from .schema import Answer, Citation, Hit, Span
from .sentences import split_sentences
from .settings import Settings

# The prompt is data: one template, named slots, filled by `build_messages`.
PROMPT = {
    "system": (
        "You answer questions about news articles. Use only the numbered sources you are given; "
        "never add facts, names or numbers that are not in them. Write a short answer of one to three "
        "sentences in {language_name}. End every sentence with the number of the source that supports it, "
        "in square brackets, like [1] or [2][3]. If the sources do not answer the question, say so in "
        "one sentence."
    ),
    "user": (
        "Sources:\n\n{sources}\n\nQuestion: {question}\n\n"
        "Answer in {language_name}, citing the sources as [n]."
    ),
    "source": "[{n}] {title}{date}\n{text}",
}
LANGUAGE_NAMES = {"en": "English", "de": "German"}
SENTENCES_PER_SOURCE = 3  # the hit's best sentences: enough context, short enough for small models

# Verification on e5 cosines, which are compressed into ~0.70-0.95, so every test is relative (see `verify`).
# Calibrated on hand-written English/German paraphrases vs. invented, off-topic and refusal sentences over
# the default corpus: paraphrases beat the median by 0.035-0.11 (90 % above 0.05), inventions by 0.017-0.051.
SUPPORT_MARGIN = 0.05
CITE_TOLERANCE = 0.02  # a cited source stands when its best sentence is this close to the overall best
# Sentences about the sources rather than from them ("The sources don't say.") sit close to every source;
# they are told apart by being closer still to one of these.
META_SENTENCES = (
    "The sources do not answer the question.",
    "Die Quellen beantworten die Frage nicht.",
    "The answer is based on the sources.",
    "Laut den Quellen lautet die Antwort:",
)

NOTICE = {
    "failed": "The language model {name} did not answer ({reason}); showing the built-in extractive answer.",
    "unsupported": (
        "The language model's answer could not be verified against the sources; "
        "showing the built-in extractive answer."
    ),
    "no_answer": (
        "The language model found no answer in the sources; showing the built-in extractive answer instead."
    ),
    "dropped": (
        "{count} sentence(s) of the language model's answer were left out: the sources don't support them."
    ),
}

_MARKER = re.compile(r"\s*\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")
_LEADING_MARKERS = re.compile(r"^(?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+")
_AFTER_MARKER = re.compile(r"(?<=\d\])[ \t]+(?=[\"„“«(]?[A-ZÄÖÜ])")  # "quote: [2] Next" ends a sentence too
_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.S)  # reasoning models may emit their scratchpad


class Generator(Protocol):
    """A chat model that streams text; raises LLMError (or anything) when it fails."""

    name: str

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]: ...


class OpenAICompatibleGenerator:
    """`POST {base_url}/chat/completions` with `stream: true` (llama.cpp, Ollama, vLLM, hosted APIs)."""

    def __init__(self, settings: Settings) -> None:
        self.base_url = settings.llm_base_url.rstrip("/")
        # Only widely accepted fields: some hosted models reject max_tokens or a non-default temperature,
        # and the notice then quotes their error; adjust here for such an endpoint.
        self.options: dict[str, Any] = {"temperature": 0}
        self.model = settings.llm_model
        self.timeout = settings.llm_timeout
        self._api_key = settings.llm_api_key
        self.name = f"{self.model} at {self.base_url}" if self.model else f"at {self.base_url}"
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def _http(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(timeout=httpx.Timeout(self.timeout), trust_env=False)
            return self._client

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        """Text deltas of the reply; raises LLMError with a plain-words reason on any failure."""
        body: dict[str, Any] = {"messages": messages, "stream": True, **self.options}
        if self.model:
            body["model"] = self.model
        headers = {"Accept": "text/event-stream"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        try:
            with self._http().stream("POST", f"{self.base_url}/chat/completions", json=body,
                                     headers=headers) as response:
                if response.status_code >= 400:
                    response.read()
                    raise LLMError(f"HTTP {response.status_code}: {_error_message(response)}")
                if response.headers.get("content-type", "").startswith("application/json"):
                    # Some servers ignore `stream` and send one complete JSON reply.
                    yield _message_content(response.read())
                    return
                yield from _sse_deltas(response.iter_lines())
        except httpx.ConnectTimeout:
            raise LLMError(f"no connection within {self.timeout:g} s") from None
        except httpx.TimeoutException:
            raise LLMError(f"timeout after {self.timeout:g} s") from None
        except httpx.ConnectError as exc:
            raise LLMError(f"cannot connect: {exc}") from None
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            raise LLMError(f"{type(exc).__name__}: {exc}") from None


def make_generator(settings: Settings) -> Generator | None:
    """The configured LLM client, or None when `llm_base_url` is empty (extractive mode)."""
    return OpenAICompatibleGenerator(settings) if settings.llm_base_url else None


def _sse_deltas(lines: Iterator[str]) -> Iterator[str]:
    saw_data = False
    for line in lines:
        if not line.startswith("data:"):
            continue  # blank separators, ": keep-alive" comments, event:/id: fields
        data = line[5:].strip()
        if data == "[DONE]":
            return
        saw_data = True
        try:
            event = json.loads(data)
        except json.JSONDecodeError:
            raise LLMError(f"malformed stream: {data[:80]!r} is not JSON") from None
        if not isinstance(event, dict):
            raise LLMError(f"malformed stream: unexpected event {data[:80]!r}")
        if "error" in event:  # vLLM and others report mid-stream errors as an event
            raise LLMError(f"error in stream: {_describe_error(event['error'])}")
        try:
            choices = event.get("choices") or []  # a final usage-only event has none
            content = choices[0].get("delta", {}).get("content") if choices else None
        except (AttributeError, IndexError, TypeError):
            raise LLMError(f"malformed stream: unexpected event {data[:80]!r}") from None
        if isinstance(content, str) and content:
            yield content
    if not saw_data:
        raise LLMError("the reply was not an event stream")


def _message_content(raw: bytes) -> str:
    try:
        content = json.loads(raw)["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise LLMError(f"malformed reply: {raw[:80]!r}") from None
    return str(content or "")


def _describe_error(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error)[:200]
    return str(error)[:200]


def _error_message(response: httpx.Response) -> str:
    try:
        return _describe_error(response.json().get("error") or response.text)
    except (ValueError, AttributeError):  # not JSON: often a proxy's HTML error page
        text = " ".join(re.sub(r"<[^>]*>", " ", response.text).split())
        return text[:200] or response.reason_phrase


# -- prompt ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One numbered source in the prompt: a hit and the sentences shown of it (article order)."""

    n: int
    hit: Hit
    spans: tuple[Span, ...]


def build_sources(hits: list[Hit]) -> list[Source]:
    """Sources `[1]..[n]`: each hit's best sentences, in the order they appear in the article."""
    sources: list[Source] = []
    for hit in hits:
        best = [s.span for s in hit.sentences[:SENTENCES_PER_SOURCE]]
        if best:
            sources.append(Source(len(sources) + 1, hit, tuple(sorted(best, key=lambda s: s.start))))
    return sources


def build_messages(question: str, language: str, sources: list[Source]) -> list[dict[str, str]]:
    """The chat messages for `PROMPT`, with the sources numbered as they will be cited."""
    language_name = LANGUAGE_NAMES.get(language, "the language of the question")
    blocks = [
        PROMPT["source"].format(
            n=s.n,
            title=s.hit.chunk.title,
            date=f" ({s.hit.chunk.date})" if s.hit.chunk.date else "",
            text="\n".join(span.text for span in s.spans),  # one per line: clear boundaries to quote
        )
        for s in sources
    ]
    return [
        {"role": "system", "content": PROMPT["system"].format(language_name=language_name)},
        {"role": "user", "content": PROMPT["user"].format(
            sources="\n\n".join(blocks), question=question, language_name=language_name)},
    ]


# -- answering ---------------------------------------------------------------------------------------


def generate_answer(
    question: str,
    language: str,
    hits: list[Hit],
    extractive: Answer,
    generator: Generator,
    embedder: Embedder,
) -> Iterator[str | Answer]:
    """Text deltas as they stream, then the verified `Answer` (mode "llm") or the extractive fallback.

    Never raises for endpoint failures. Deltas yielded before a failure or a dropped sentence are
    superseded by the final Answer, so callers must render its text.
    """
    sources = build_sources(hits)
    if not sources:
        yield extractive
        return
    parts: list[str] = []
    try:
        for delta in generator.stream(build_messages(question, language, sources)):
            parts.append(delta)
            yield delta
    except Exception as exc:  # any generator failure means: fall back, never break the chat
        reason = str(exc) if isinstance(exc, LLMError) else f"{type(exc).__name__}: {exc}"
        yield _fallback(extractive, NOTICE["failed"].format(name=generator.name, reason=reason))
        return
    text = _THINK.sub("", "".join(parts)).strip()
    if not text:
        yield _fallback(extractive, NOTICE["failed"].format(name=generator.name, reason="empty answer"))
        return
    yield verify(text, sources, extractive, embedder)


def _fallback(extractive: Answer, notice: str) -> Answer:
    return replace(extractive, mode="extractive-fallback", notice=notice)


@dataclass(frozen=True)
class Claim:
    """One sentence of the model's answer: its text without markers and the numbers it cites."""

    text: str
    cited: tuple[int, ...]
    newline: bool  # it started a new line in the answer (lists stay lists)


def split_claims(text: str) -> list[Claim]:
    """The answer's sentences; markers that open a sentence (`Foo. [1] Bar.`) belong to the one before."""
    raw: list[tuple[str, bool]] = []
    previous_end = 0
    for span in split_sentences(text):
        newline = "\n" in text[previous_end : span.start]
        previous_end = span.end
        for piece in _AFTER_MARKER.split(span.text):
            lead = _LEADING_MARKERS.match(piece)
            if lead and raw:
                raw[-1] = (raw[-1][0] + lead.group(0), raw[-1][1])
                piece = piece[lead.end() :]
            if piece.strip():
                raw.append((piece, newline))
                newline = False
    claims: list[Claim] = []
    for body, newline in raw:
        numbers = [int(n) for group in _MARKER.findall(body) for n in re.split(r"[,;]", group)]
        plain = _MARKER.sub("", body).strip()
        if re.search(r"\w", plain) and re.search(r"[^\W\d_]", plain):  # a real sentence, not "[1]" or "---"
            claims.append(Claim(plain, tuple(dict.fromkeys(numbers)), newline))
    return claims


def verify(text: str, sources: list[Source], extractive: Answer, embedder: Embedder) -> Answer:
    """Keep the sentences the sources support, cite the sentence that supports each, renumber 1..m.

    Supported: the sentence's best shown source sentence beats the median of all retrieved sentences by
    SUPPORT_MARGIN (e5 cosines are relative: an unrelated sentence is about as close to all of them),
    is closer than any of META_SENTENCES, and every number in it occurs in the sources it cites.
    A citation stands when its source is within CITE_TOLERANCE of the best one; wrong or missing
    citations go to the best-supporting source.
    """
    claims = split_claims(text)
    if not claims:
        return _fallback(extractive, NOTICE["unsupported"])
    pool: dict[tuple[str, int], Span] = {}  # every retrieved sentence: the background for the median
    for s in sources:
        for scored in s.hit.sentences:
            pool.setdefault((s.hit.chunk.source, scored.span.start), scored.span)
    keys = list(pool)
    sims = embedder.embed([c.text for c in claims], "query") @ embedder.embed(
        [pool[k].text for k in keys] + list(META_SENTENCES), "passage").T
    meta = sims[:, len(keys) :].max(axis=1)
    sims = sims[:, : len(keys)]
    row_of = {k: i for i, k in enumerate(keys)}
    shown = {s.n: [row_of[(s.hit.chunk.source, span.start)] for span in s.spans] for s in sources}
    by_n = {s.n: s for s in sources}

    numbers: dict[tuple[str, int], int] = {}  # (article, quote start) -> new citation number
    citations: list[Citation] = []
    kept: list[tuple[Claim, list[int]]] = []
    about_sources = 0
    for claim, row, meta_sim in zip(claims, sims, meta, strict=True):
        support = {n: float(row[idx].max()) for n, idx in shown.items()}
        best = max(support.values())
        if meta_sim >= best:
            about_sources += meta_sim >= best + SUPPORT_MARGIN  # clearly a refusal, not just off-topic
            continue
        if best - float(np.median(row)) < SUPPORT_MARGIN:
            continue
        cited = [n for n in claim.cited if n in support and support[n] >= best - CITE_TOLERANCE]
        if not cited:
            cited = [max(support, key=lambda n: support[n])]
        if not _numbers(claim.text) <= set().union(*(_stated(by_n[n]) for n in cited)):
            continue  # a figure the cited sources don't state is the most harmful kind of invention
        marks: list[int] = []
        for n in cited:
            key = keys[max(shown[n], key=lambda i: row[i])]
            if key not in numbers:
                numbers[key] = len(citations) + 1
                c, span = by_n[n].hit.chunk, pool[key]
                citations.append(
                    Citation(numbers[key], c.source, c.title, span.text, span.start, span.end, c.date))
            if numbers[key] not in marks:
                marks.append(numbers[key])
        kept.append((claim, marks))
    if not kept:
        return _fallback(extractive, NOTICE["no_answer" if about_sources == len(claims) else "unsupported"])
    out = ""
    for i, (claim, marks) in enumerate(kept):
        sep = "" if i == 0 else ("\n" if claim.newline else " ")
        out += sep + claim.text + " " + "".join(f"[{m}]" for m in marks)
    dropped = len(claims) - len(kept)
    return Answer(
        question=extractive.question,
        text=out,
        abstained=False,
        citations=tuple(citations),
        hits=extractive.hits,
        language=extractive.language,
        mode="llm",
        notice=NOTICE["dropped"].format(count=dropped) if dropped else "",
        confidence=extractive.confidence,
    )


def _stated(source: Source) -> set[str]:
    """The numbers a source states, also as bare digit runs (so "26.10.2023" states 26 and 2023)."""
    c = source.hit.chunk
    text = " ".join([c.title, c.date or "", *(span.text for span in source.spans)])
    return _numbers(text) | set(re.findall(r"\d+", text))


_NUMBER = re.compile(r"\d+(?:[.,'’\u00a0\u202f]\d{3})*(?:[.,]\d+)?")


def _numbers(text: str) -> set[str]:
    """The numbers in `text` as digit strings, separators removed: "100'000", "100.000", "100,000" agree."""
    return {re.sub(r"\D", "", m) for m in _NUMBER.findall(text)}

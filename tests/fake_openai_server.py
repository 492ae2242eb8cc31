"""A small OpenAI-compatible chat server for tests: `POST /v1/chat/completions` streamed as SSE.

Run as `python fake_openai_server.py`; it prints `PORT <n>` once listening on 127.0.0.1 and exits when
its stdin closes (so it never outlives the test run). The model name picks the behaviour:

    echo-cited   source 2's first sentence citing [2], then source 1's citing [1] (verbatim, grounded)
    bad-cite     source 1's first sentence citing [7], which does not exist
    uncited      source 1's first sentence without any citation
    unsupported  echo-cited plus a sentence no source supports
    refuse       "The sources do not answer this question."
    slow         sleeps SLOW_SECONDS before answering
    stall        sends two deltas, then sleeps SLOW_SECONDS
    error500     HTTP 500 with an OpenAI-style error body
    garbage      HTTP 200 with malformed SSE
    empty        a well-formed stream without any content
    json         ignores `stream` and answers with one JSON completion
    <scripted>   any name registered by `POST /_fake/script {"model": ..., "reply": ...}`

`GET /_fake/requests` returns every chat request received (path, headers, body).
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SLOW_SECONDS = 3.0
UNSUPPORTED = "The Eiffel Tower was completed in 1889 and is 330 metres tall [1]."
MAX_LIFETIME = 600.0  # a last resort if neither the fixture nor stdin EOF stops us

_scripts: dict[str, str] = {}
_requests: list[dict[str, Any]] = []
_lock = threading.Lock()


def _first_sentences(messages: list[dict[str, str]]) -> dict[int, str]:
    """The first sentence of each numbered source: `[n] title`, then one sentence per line."""
    text = "\n".join(m.get("content", "") for m in messages if m.get("role") == "user")
    return {int(n): first for n, first in re.findall(r"^\[(\d+)\] .*\n(.+)$", text, re.M)}


def _reply(model: str, messages: list[dict[str, str]]) -> str | None:
    with _lock:
        if model in _scripts:
            return _scripts[model]
    src = _first_sentences(messages)
    first = src.get(1, "")
    second = src.get(2, first)
    replies = {
        "echo-cited": f"{second} [2] {first} [1]",
        "bad-cite": f"{first} [7]",
        "uncited": first,
        "unsupported": f"{second} [2] {UNSUPPORTED} {first} [1]",
        "refuse": "The sources do not answer this question.",
        "slow": f"{first} [1]",
        "stall": f"{first} [1]",
        "empty": "",
        "json": f"{first} [1]",
    }
    return replies.get(model)


def _chunk(model: str, delta: dict[str, str], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # chunked streaming like real servers, not close-delimited

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the test output clean

    def _json(self, status: int, obj: Any) -> None:
        raw = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _error(self, status: int, message: str, kind: str) -> None:
        self._json(status, {"error": {"message": message, "type": kind, "code": status}})

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _event(self, obj: Any) -> None:
        payload = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)
        self._write_chunk(f"data: {payload}\n\n".encode())

    def do_GET(self) -> None:
        if self.path == "/_fake/requests":
            with _lock:
                self._json(200, _requests)
        else:
            self._error(404, f"no route {self.path}", "not_found")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"null")
        except json.JSONDecodeError:
            self._error(400, "request body is not JSON", "invalid_request_error")
            return
        if self.path == "/_fake/script":
            with _lock:
                _scripts[body["model"]] = body["reply"]
            self._json(200, {"ok": True})
            return
        if not self.path.endswith("/chat/completions"):
            self._error(404, f"no route {self.path}", "not_found")
            return
        with _lock:
            _requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            self._error(400, "'messages' is required", "invalid_request_error")
            return
        model = str(body.get("model", ""))
        if model == "error500":
            self._error(500, "the model crashed", "server_error")
            return
        if model == "slow":
            time.sleep(SLOW_SECONDS)
        reply = "" if model == "garbage" else _reply(model, body["messages"])
        if reply is None:
            self._error(404, f"model '{model}' not found", "not_found")
            return
        if model == "json" or not body.get("stream"):
            message = {"role": "assistant", "content": reply}
            self._json(200, {"id": "chatcmpl-fake", "object": "chat.completion", "model": model,
                             "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]})
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            self._stream(model, reply)
            self._write_chunk(b"")  # the chunked-encoding terminator
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. its read timeout): nothing left to do

    def _stream(self, model: str, reply: str) -> None:
        if model == "garbage":
            self._write_chunk(b': keep-alive\n\ndata: {"choices": [{"delta": {"content": "Hal\n\n')
            self._event("[DONE]")
            return
        self._event(_chunk(model, {"role": "assistant", "content": ""}))
        pieces = re.findall(r"\S+\s*", reply)
        for i in range(0, len(pieces), 3):  # a few words per event, like a real tokenizer stream
            self._event(_chunk(model, {"content": "".join(pieces[i : i + 3])}))
            time.sleep(0.005)
            if model == "stall" and i == 3:
                time.sleep(SLOW_SECONDS)
        self._event(_chunk(model, {}, finish="stop"))
        self._event("[DONE]")


class Server(ThreadingHTTPServer):
    daemon_threads = True  # a sleeping "slow" handler must not keep the process alive

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # clients hanging up is routine here
            super().handle_error(request, client_address)


def main() -> None:
    server = Server(("127.0.0.1", 0), Handler)
    # Exit when the parent closes our stdin (or dies), and in any case after MAX_LIFETIME.
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    timer = threading.Timer(MAX_LIFETIME, lambda: os._exit(0))
    timer.daemon = True
    timer.start()
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

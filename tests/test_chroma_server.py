"""Client/server mode: a real `chroma run` on 127.0.0.1, and a clear error when it is down."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from rag import RAG, Settings, StoreUnavailableError

CHROMA = Path(sys.executable).parent / "chroma"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("chroma run did not come up within 60 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_index_and_retrieve_through_a_chroma_server(
    chroma_url: str, corpus_copy: Path, fake_embedder, tmp_path: Path
) -> None:
    # The derived files (the pages' other stories) live in the index folder in server mode too: a temporary one,
    # not the project's.
    settings = Settings.from_env(env={}, corpus_dir=corpus_copy, chroma_url=chroma_url, collection="server-test",
                                 index_dir=tmp_path / "index")
    rag = RAG(settings=settings, embedder=fake_embedder)
    first = rag.index()
    assert first.articles == 5 and first.added > 0
    again = RAG(settings=settings, embedder=fake_embedder).index()  # a second client sees the same store
    assert again.added == 0 and again.unchanged == first.added
    hits = rag.retrieve("Jurten der Unbesiegbarkeit in Butscha", k=3)
    assert hits[0].chunk.source == "003_c8df31e21304c225.txt"
    assert rag.status().location == chroma_url


def test_a_server_that_is_down_is_a_clear_error(fake_embedder) -> None:
    url = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    rag = RAG(settings=Settings.from_env(env={}, chroma_url=url), embedder=fake_embedder)
    with pytest.raises(StoreUnavailableError, match=r"127\.0\.0\.1.*chroma run"):
        rag.retrieve("Warum griff die OVKS ein?")

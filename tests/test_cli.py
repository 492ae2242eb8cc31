"""The `rag` console script, run as a user would (a subprocess), on the real model and Chroma."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

RAG_BIN = Path(sys.executable).parent / "rag"
CORPUS = Path(__file__).resolve().parent.parent / "index" / "corpus"


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(RAG_BIN), *args], capture_output=True, text=True, env=env, timeout=600)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("cli")
    shutil.copytree(CORPUS, root / "corpus")
    return {**os.environ, "RAG_CORPUS_DIR": str(root / "corpus"), "RAG_INDEX_DIR": str(root / "chroma")}


def test_help_explains_every_command(env: dict[str, str]) -> None:
    out = run("--help", env=env)
    assert out.returncode == 0
    for command in ("index", "search", "ask", "ui", "clean", "status", "eval", "model"):
        assert command in out.stdout
    assert "--rebuild" in run("index", "--help", env=env).stdout


@pytest.mark.slow
def test_index_search_ask_status_round_trip(env: dict[str, str]) -> None:
    missing = run("search", "Jurten", env=env)
    assert missing.returncode == 2 and "rag index" in missing.stderr

    built = run("index", env=env)
    assert built.returncode == 0, built.stderr
    assert "5 articles" in built.stdout and "embedded" in built.stdout
    assert "embedding" in built.stderr  # the progress bar
    again = run("index", env=env)
    assert " 0 embedded" in again.stdout.replace(",", "")

    found = run("search", "Jurten der Unbesiegbarkeit", "--k", "2", "--json", env=env)
    hits = json.loads(found.stdout)
    assert len(hits) == 2 and hits[0]["source"] == "003_c8df31e21304c225.txt"

    asked = run("ask", "Wie viele Russen flohen vor der Teilmobilisierung nach Kasachstan?", "--json", env=env)
    answer = json.loads(asked.stdout)
    assert not answer["abstained"] and "100'000" in answer["answer"]
    assert answer["citations"][0]["n"] == 1 and answer["citations"][0]["quote"] in answer["answer"]

    plain = run("ask", "Why did the CSTO intervene?", env=env)
    assert plain.returncode == 0 and "[1]" in plain.stdout and ".txt, characters" in plain.stdout

    status = run("status", env=env)
    assert "5 articles" in status.stdout and "multilingual-e5-small" in status.stdout
    assert "dictionary for English questions: /" in status.stdout
    off = run("status", env={**env, "RAG_DICTIONARY": "off"})
    assert "dictionary for English questions: none" in off.stdout


def test_bad_questions_and_files_are_clear_errors(env: dict[str, str], tmp_path: Path) -> None:
    empty = run("ask", "   ", env=env)
    assert empty.returncode == 2 and "error: the question is empty" in empty.stderr
    assert "Traceback" not in empty.stderr
    gone = run("clean", str(tmp_path / "nope.txt"), env=env)
    assert gone.returncode == 2 and "cannot read" in gone.stderr


def test_clean_show_lists_what_was_dropped(env: dict[str, str]) -> None:
    out = run("clean", str(CORPUS / "001_3b62746ebeb5636b.txt"), "--show", env=env)
    assert out.returncode == 0
    assert "title: Wie Kasachstan Russland die ganz kalte Schulter zeigt" in out.stdout
    kept, dropped = out.stdout.split("--- dropped:")
    assert "100'000 Russen" in kept and "Haaland" not in kept
    for reason in ("caption", "tweet", "link-list", "ticker"):
        assert reason in dropped

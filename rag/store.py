"""Chroma as the vector store: a local folder by default, or a `chroma run` server by URL."""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

import numpy as np

from .errors import ConfigError, IndexMissingError, ModelMismatchError, StaleIndexError, StoreUnavailableError
from .settings import Settings

Kind = Literal["article", "chunk", "sentence"]
Meta = dict[str, str | int | float | bool]
SCHEMA_VERSION = 2  # bumped whenever what is embedded for a record changes (2: chunks without title)


def derived_path(index_dir: Path, collection: str, model: str, folder: str, version: int) -> Path:
    """Where data derived from a collection for one model lives beside the index (token vectors, the pages' other
    stories), in a file whose name carries its format `version`."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{collection}.{model}").strip("-")
    return index_dir / folder / f"{slug}.v{version}.npz"


def save_arrays(path: Path, **arrays: np.ndarray) -> None:
    """Write derived data beside the index in one step (readers never see half a file)."""
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp.npz")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(tmp, **arrays)  # type: ignore[arg-type]  # numpy types the second positional, not keywords
        os.replace(tmp, path)
    except OSError:  # a read-only index folder: the data stays in memory for this run
        with contextlib.suppress(OSError):
            tmp.unlink()


@dataclass(frozen=True)
class Record:
    """One stored text (a chunk or a sentence) with its metadata."""

    id: str
    text: str
    meta: Meta


class ChromaStore:
    """One collection holds chunks and sentences (metadata `kind`); cosine space; ids are content hashes."""

    def __init__(self, settings: Settings, model_name: str) -> None:
        self.settings = settings
        self.model_name = model_name
        self._client: Any = None
        self._collection: Any = None
        self._lock = threading.Lock()

    @property
    def location(self) -> str:
        """Where the index lives, for messages."""
        return self.settings.chroma_url or str(self.settings.index_dir)

    def open(self, create: bool) -> Any:
        """The collection; creates it when `create`, else raises IndexMissingError if absent."""
        with self._lock:
            if self._collection is not None:
                return self._collection
            client = self._connect()
            name = self.settings.collection
            try:
                existing = {c.name if hasattr(c, "name") else str(c) for c in client.list_collections()}
            except Exception as exc:
                raise StoreUnavailableError(f"cannot list collections at {self.location}: {exc}") from exc
            if name not in existing:
                if not create:
                    raise IndexMissingError(
                        f"no index named {name!r} at {self.location}. Build it first: `rag index` "
                        "(or RAG().index() in Python)."
                    )
                collection = client.create_collection(
                    name,
                    embedding_function=None,  # Chroma's default downloads a model; we always pass vectors
                    metadata={"embed_model": self.model_name, "schema": SCHEMA_VERSION},
                    configuration={"hnsw": {"space": "cosine"}},
                )
            else:
                collection = client.get_collection(name, embedding_function=None)
                built_with = (collection.metadata or {}).get("embed_model")
                schema = (collection.metadata or {}).get("schema")
                if schema != SCHEMA_VERSION:
                    raise StaleIndexError(
                        f"the index {name!r} at {self.location} was built by an older version of this program "
                        f"(schema {schema}, expected {SCHEMA_VERSION}). Rebuild it: `rag index`."
                    )
                if built_with != self.model_name:
                    raise ModelMismatchError(
                        f"the index {name!r} at {self.location} was built with embedding model "
                        f"{built_with!r}, but the configured model is {self.model_name!r}. Rebuild it "
                        "with `rag index --rebuild`, or set RAG_EMBED_MODEL back to the model it was built with."
                    )
            self._collection = collection
            return collection

    def drop(self) -> None:
        """Delete the whole collection (for a rebuild)."""
        client = self._connect()
        with self._lock:
            with contextlib.suppress(Exception):
                client.delete_collection(self.settings.collection)
            self._collection = None

    def records(self, kind: Kind | None = None, source: str | None = None) -> list[Record]:
        """Every stored record (of one kind, of one article), texts and metadata, without vectors."""
        got = self.open(create=False).get(where=_where(kind, source), include=["documents", "metadatas"])
        return [
            Record(i, d or "", dict(m or {}))
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]

    def add(self, records: Sequence[Record], vectors: np.ndarray) -> None:
        """Insert or overwrite records with their vectors."""
        if not records:
            return
        self.open(create=True).upsert(
            ids=[r.id for r in records],
            embeddings=vectors.astype(np.float32),
            documents=[r.text for r in records],
            metadatas=[r.meta for r in records],
        )

    def update_meta(self, records: Sequence[Record]) -> None:
        """Refresh metadata (e.g. offsets) without touching vectors."""
        if records:
            self.open(create=True).update(ids=[r.id for r in records], metadatas=[r.meta for r in records])

    def delete(self, ids: Sequence[str]) -> None:
        """Remove records by id."""
        if ids:
            self.open(create=True).delete(ids=list(ids))

    def count(self, kind: Kind | None = None) -> int:
        """Number of stored records (of one kind), without fetching their texts."""
        collection = self.open(create=False)
        if kind is None:
            return int(collection.count())
        return len(collection.get(where=_where(kind, None), include=[])["ids"])

    def query(self, vector: np.ndarray, n: int, kind: Kind) -> list[tuple[str, float]]:
        """The `n` nearest records of `kind` as (id, cosine similarity), best first."""
        collection = self.open(create=False)
        got = collection.query(
            query_embeddings=[vector.astype(np.float32)],
            n_results=max(1, n),
            where={"kind": kind},
            include=["distances"],
        )
        return [(i, 1.0 - float(d)) for i, d in zip(got["ids"][0], got["distances"][0], strict=True)]

    def _connect(self) -> Any:
        if self._client is not None:
            return self._client
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        url = self.settings.chroma_url
        try:
            if url:
                parsed = urlparse(url if "://" in url else f"http://{url}")
                if not parsed.hostname or parsed.scheme not in ("http", "https"):
                    raise ConfigError(f"RAG_CHROMA_URL={url!r}: expected http://HOST:PORT")
                self._client = chromadb.HttpClient(
                    host=parsed.hostname,
                    port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                    ssl=parsed.scheme == "https",
                    settings=chroma_settings,
                )
                self._client.heartbeat()
            else:
                self.settings.index_dir.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=str(self.settings.index_dir), settings=chroma_settings)
        except ConfigError:
            raise
        except Exception as exc:
            self._client = None
            raise StoreUnavailableError(
                f"cannot open the Chroma store at {self.location}: {exc.__class__.__name__}: {exc}. "
                + ("Expected a running `chroma run` server at that URL." if url else "Expected a writable folder.")
            ) from exc
        return self._client


def _where(kind: Kind | None, source: str | None) -> dict[str, Any] | None:
    """A Chroma metadata filter; Chroma wants `$and` around more than one condition."""
    conditions: list[dict[str, Any]] = []
    if kind:
        conditions.append({"kind": kind})
    if source:
        conditions.append({"source": source})
    if len(conditions) > 1:
        return {"$and": conditions}
    return conditions[0] if conditions else None

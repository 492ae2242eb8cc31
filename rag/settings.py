"""One settings object: defaults in code, overridden by RAG_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "multilingual-e5-small"


def _env_name(name: str) -> str:
    return "RAG_" + name.upper()


@dataclass(frozen=True)
class Settings:
    """Every knob of the pipeline. `Settings.from_env()` reads `RAG_<FIELD>` for each field."""

    corpus_dir: Path = PROJECT_DIR / "index" / "corpus"
    index_dir: Path = PROJECT_DIR / "index" / "chroma"
    model_dir: Path = PROJECT_DIR / "models"
    embed_model: str = DEFAULT_MODEL  # the built-in e5 name, another sentence-transformers name, or a path
    embed_batch_size: int = 32
    # Ding's German-English word list (Debian package trans-de-en) translates English questions for the
    # lexical match against German articles; a missing file, or "off", means no translation.
    dictionary: str = "/usr/share/trans/de-en"
    chroma_url: str = ""  # e.g. http://127.0.0.1:8000 for a `chroma run` server; empty = local folder
    collection: str = "articles"
    chunk_tokens: int = 320
    chunk_overlap: int = 64
    k: int = 5
    max_question_chars: int = 2000
    max_file_bytes: int = 5_000_000
    llm_base_url: str = ""  # any OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1
    llm_model: str = ""
    llm_api_key: str = field(default="", repr=False)
    llm_timeout: float = 30.0
    ui_host: str = "127.0.0.1"
    ui_port: int = 7860
    ui_auth: str = field(default="", repr=False)  # "user:password"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then `RAG_*` variables, then explicit keyword overrides (None means: keep)."""
        env = dict(os.environ if env is None else env)
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(_env_name(f.name))
            if raw is not None and raw != "":
                values[f.name] = _parse(f.name, raw, type(getattr(cls(), f.name)))
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("corpus_dir", "index_dir", "model_dir"):
            if key in values:
                values[key] = Path(values[key]).expanduser()
        return replace(cls(), **values)

    def __post_init__(self) -> None:
        if self.chunk_tokens < 20:
            raise ConfigError(f"RAG_CHUNK_TOKENS={self.chunk_tokens}: expected at least 20 tokens")
        if not 0 <= self.chunk_overlap < self.chunk_tokens:
            raise ConfigError(
                f"RAG_CHUNK_OVERLAP={self.chunk_overlap}: expected 0 <= overlap < chunk_tokens "
                f"({self.chunk_tokens})"
            )
        if self.k < 1:
            raise ConfigError(f"RAG_K={self.k}: expected a positive number of passages")
        if self.ui_auth and ":" not in self.ui_auth:
            raise ConfigError("RAG_UI_AUTH: expected 'user:password'")


def _parse(name: str, raw: str, kind: type) -> Any:
    try:
        if kind is int:
            return int(raw)
        if kind is float:
            return float(raw)
    except ValueError:
        raise ConfigError(f"{_env_name(name)}={raw!r}: expected a {kind.__name__}") from None
    if issubclass(kind, Path):
        return Path(raw)
    return raw

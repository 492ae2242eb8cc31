"""Errors that name the bad value and what was expected; the UI and CLI show their message as is."""

from __future__ import annotations


class RagError(Exception):
    """Base class: every error the library raises on purpose."""


class ConfigError(RagError):
    """A setting has a value we cannot use."""


class CorpusError(RagError):
    """The corpus folder or one of its files cannot be read."""


class QuestionError(RagError):
    """The question is empty, too long or otherwise unusable."""


class IndexMissingError(RagError):
    """No index has been built yet where one was expected."""


class ModelMismatchError(RagError):
    """The index was built with another embedding model than the one configured."""


class StaleIndexError(RagError):
    """The index was built by an older version of this program; `rag index` rebuilds it."""


class EmbedderError(RagError):
    """The embedding model cannot be loaded or built."""


class StoreUnavailableError(RagError):
    """The vector store (local folder or Chroma server) cannot be reached or opened."""


class LLMError(RagError):
    """The configured LLM endpoint failed, timed out or answered nonsense."""

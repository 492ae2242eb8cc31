"""Retrieval-augmented question answering over news articles, offline, with cited sources.

    from rag import RAG
    rag = RAG()
    rag.index()
    answer = rag.ask("Why did the CSTO intervene?")
"""

from .answer import AnswerPolicy
from .api import RAG, IndexStatus
from .errors import (
    ConfigError,
    CorpusError,
    EmbedderError,
    IndexMissingError,
    LLMError,
    ModelMismatchError,
    QuestionError,
    RagError,
    StaleIndexError,
    StoreUnavailableError,
)
from .lexical import detect_language
from .schema import Answer, Chunk, Citation, Document, Hit, IndexStats, OtherStory, ScoredSentence, Span
from .settings import Settings

__all__ = [
    "RAG",
    "Answer",
    "AnswerPolicy",
    "Chunk",
    "Citation",
    "ConfigError",
    "CorpusError",
    "Document",
    "EmbedderError",
    "Hit",
    "IndexMissingError",
    "IndexStats",
    "IndexStatus",
    "LLMError",
    "ModelMismatchError",
    "OtherStory",
    "QuestionError",
    "RagError",
    "ScoredSentence",
    "Settings",
    "Span",
    "StaleIndexError",
    "StoreUnavailableError",
    "detect_language",
]

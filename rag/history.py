"""Follow-up questions ("And why did it leave?") made standalone for retrieval, from the history."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .lexical import analyze

# Words that point back into the conversation instead of naming their subject.
_ANAPHORA = re.compile(
    r"\b(it|its|they|them|their|this|that|these|those|he|she|him|her|there|then|"
    r"es|sie|ihr|ihre|ihm|ihn|er|dies|diese|dieser|dieses|das|dort|damals|dazu|darauf|deren|dessen)\b",
    re.I,
)
# A pronoun for a person: "What did he say about the yurts?" after "Who is Aibek Smadiyarov?".
_PERSON = re.compile(r"\b(he|she|him|his|her|er|ihm|ihn|sein|seine|seiner|seinem|seinen)\b", re.I)
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-ZÄÖÜ][\w'-]+")
_CONTINUATION = re.compile(r"^\s*(and|but|also|what about|und|aber|auch|was ist mit)\b", re.I)
SHORT = 2  # a question with this few content words rarely stands alone


def standalone_query(question: str, history: Sequence[str] | None) -> str:
    """The question itself, or prefixed by the previous user question when it depends on it."""
    if not history:
        return question
    previous = next((h for h in reversed(history) if h.strip()), "")
    if not previous:
        return question
    depends = (
        len(analyze(question)) <= SHORT
        or _ANAPHORA.search(question) is not None
        or _CONTINUATION.search(question) is not None
    )
    return f"{previous.strip()} {question.strip()}" if depends else question


def referents(question: str, history: Sequence[str] | None) -> list[str]:
    """The names of the previous question that a personal pronoun in this one points to: they join the
    lexical match, which otherwise uses only the question's own words."""
    if not history or not _PERSON.search(question):
        return []
    previous = next((h for h in reversed(history) if h.strip()), "")
    return _NAME.findall(previous.strip())

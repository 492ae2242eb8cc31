"""Rule-based sentence splitting with exact character offsets (German and English news prose)."""

from __future__ import annotations

import re

from .schema import Chunk, Span

# A sentence ends at . ! ? or an ellipsis, optionally followed by closing quotes/brackets,
# then whitespace and something that can start a sentence.
_END = re.compile(r"""[.!?…]+['"»«“”’)\]]*(?=\s+['"„“«»(\[]?[A-ZÄÖÜ0-9])""")
# Tokens after which a period does not end a sentence.
_ABBREV = {
    "dr", "prof", "st", "nr", "bzw", "ca", "vgl", "etc", "usw", "mr", "mrs", "ms", "jr", "sr",
    "u", "z", "b", "d", "h", "a", "s", "v", "chr", "jh", "mio", "mrd", "bspw", "inkl", "evtl",
    "no", "vs", "gen", "lt", "sog", "ggf", "abs", "art", "okt", "nov", "dez", "jan", "feb",
    "aug", "sept", "sep", "ff", "e.g", "i.e", "u.a", "z.b", "d.h", "u.s", "dt",
}


# Question words that open a (sub)question; an article's own question may also open with the rarer ones.
QUESTION_WORDS = (
    r"wie|was|wer|wen|wem|warum|wieso|weshalb|wo\w*|wann|welche[rsmn]?|why|what|who|whom|how|where|when|which"
)
_INTERROGATIVE = re.compile(
    rf"^\W*((und|doch|aber|and|but|so)\s+)?({QUESTION_WORDS}|wessen|weswegen|ob|whose|whether)\b",
    re.I,
)
_LAST_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ\"„«»“])")
_TERMINAL = re.compile(r"[.!?…][\"'»«“”’)\]]*$")

# A sentence that opens like this states a consequence of the one before it, which gives the reason: that one is
# quoted too ("Deshalb seien die Aufständischen unterstützt worden" answers "why" only with what came before).
# "Denn" gives the reason itself, so it does not count here.
CONSEQUENCE = re.compile(
    r"^\W*(deshalb|darum|daher|deswegen|dadurch|somit|folglich|infolgedessen|therefore|hence|thus|"
    # "Daraufhin hängte ein Aktivist ein Transparent auf": done in response to what the sentence before tells.
    r"daraufhin|thereupon|in\s+response|als\s+reaktion\s+darauf|"
    r"this is why|that is why|aus diesem grund|aus diesen gründen|for th(is|ese) reasons?|"
    # "Kein Wunder, dass …", "Und so kam es, dass …": what the sentence says follows from what came before.
    r"(und\s+)?so\s+kam\s+es|kein\s+wunder|(it\s+is\s+|it's\s+)?(no|small)\s+wonder|and\s+so\s+it\s+was|"
    # "Aufgrund der gleichen Prinzipien ...", "for the same reason": the reason is the one just given.
    r"(aus|auf|nach|aufgrund|wegen|mit|for|on|by|from|under)\s+((de[mnrs]|die|das)\s*(selben?|gleichen?)|the\s+same))\b",
    re.I,
)


def is_heading(text: str) -> bool:
    """Lines without sentence punctuation are headings: they count as evidence, but are not quoted."""
    return not _TERMINAL.search(text.rstrip()) and not text.rstrip().endswith(":")


def heading_in(chunk: Chunk, span: Span) -> bool:
    """`span` (article offsets) is a heading of `chunk`: unpunctuated and opening its line. The last sentence
    of a longer line is none, punctuated or not ("… in der Region" ending a paragraph)."""
    if not is_heading(span.text):
        return False
    before = chunk.text[: max(0, span.start - chunk.start)].rstrip(" \t")
    return not before or before.endswith("\n")


def is_rhetorical(text: str) -> bool:
    """An article's own question ("Und warum erhebt sich das Volk?") answers nothing; a statement that
    merely ends on a quoted or parenthetical question ('..., antwortet er mit einem "Na und?"') does."""
    if not text.rstrip("»“”\"' ").endswith("?"):
        return False
    last = _LAST_SENTENCE.split(text.strip())[-1]
    return len(last.split()) <= 8 or bool(_INTERROGATIVE.match(last))


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the period at `dot` belongs to an abbreviation, an initial or a day ordinal."""
    if text[dot] != ".":
        return False
    m = re.search(r"([\w.]+)$", text[:dot])
    if not m:
        return False
    word = m.group(1)
    if word.lower() in _ABBREV:
        return True
    if len(word) == 1 and word.isupper():  # an initial: "Daniel N. Rosenblum"
        return True
    # German day ordinals ("am 5. April", "17. Juni") - years have four digits and end sentences.
    return bool(word.isdigit() and len(word) <= 2 and re.match(r"\s+[A-ZÄÖÜ][a-zäöü]", text[dot + 1 :]))


def split_sentences(text: str, offset: int = 0) -> list[Span]:
    """Split `text` into sentences; lines are hard boundaries. Offsets are shifted by `offset`."""
    spans: list[Span] = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        body = line.group()
        cut = 0
        for m in _END.finditer(body):
            if _is_abbreviation(body, m.start()):
                continue
            _add(spans, text, start + cut, start + m.end(), offset)
            cut = m.end()
        _add(spans, text, start + cut, line.end(), offset)
    return spans


def _add(spans: list[Span], text: str, a: int, b: int, offset: int) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        spans.append(Span(a + offset, b + offset, text[a:b]))

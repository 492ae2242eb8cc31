"""Cleaning stage: turn a scraped news page into a title, a date and the article body.

Scraped pages carry navigation, captions, embeds, promos, tickers and teasers for other
stories. None of that may reach the search index, but nothing of the article may be lost
either, and every kept paragraph must be verbatim input text (after whitespace
normalisation) so that quotes can later be located in it. The rules below are generic
line/block patterns; every removed block is recorded in `Cleaned.dropped` with a reason.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date as _date
from html.parser import HTMLParser
from itertools import islice


@dataclass(frozen=True)
class Dropped:
    """A block removed from the page, where it started (1-based raw line) and why."""

    line: int
    text: str
    reason: str


# Blocks a reader of the page sees beside the article's text and may ask about: other stories (a ticker, teasers,
# link lists, promos), the author's bio, and photo captions and credits, which issue 2 keeps out of the articles.
# The answer is that the articles do not say, and where the page said it. (Navigation, metadata and embedded
# tweets are not among them: menus name no story, and a tweet is quoted as part of the article's argument.)
OTHER_STORIES = frozenset({"teaser", "promo", "link-list", "ticker", "author-bio", "caption", "credit"})


@dataclass(frozen=True)
class Cleaned:
    """The article: headline, ISO publication date if stated, body paragraphs and what was dropped."""

    title: str
    date: str | None
    text: str
    dropped: tuple[Dropped, ...]


# ---------------------------------------------------------------------------------------------
# Vocabulary. Only generic page furniture lives here; matching is on a lower-cased "key" of a
# line (punctuation removed), so quotes, colons and arrows around a label do not matter.

PHOTO_CREDIT_LABELS = ("Bild", "Bilder", "Foto", "Fotos", "Photo", "Photos", "Image", "Images", "Picture",
                       "Grafik", "Illustration", "Credit", "Credits", "Video")
SOURCE_CREDIT_LABELS = ("Quelle", "Quellen", "Source", "Sources")
COMMENT_LINES = ("kommentare", "kommentar", "kommentar verfassen", "kommentar schreiben", "kommentieren",
                 "kommentare anzeigen", "kommentare lesen", "zu den kommentaren", "diskutieren sie mit",
                 "comments", "comment", "leave a comment", "add a comment", "post a comment", "show comments",
                 "view comments", "join the conversation", "join the discussion")
UI_LINES = ("zurück zum anfang", "zurück nach oben", "nach oben", "back to top", "to top", "top",
            "teilen", "artikel teilen", "share", "share this article", "share this", "drucken", "print",
            "merken", "bookmark", "weiterlesen", "continue reading", "startseite", "zur startseite", "home",
            "menü", "menu", "suche", "search", "anmelden", "login", "log in", "sign in", "abonnieren",
            "subscribe", "zur übersicht", "alle artikel", "skip to content", "zum inhalt springen")
UI_PREFIXES = ("schaltfläche", "button", "link")  # screen-reader labels scraped along with the button
AD_LINES = ("anzeige", "werbung", "advertisement", "sponsored", "gesponsert", "promotion")
TEASER_LINKS = ("zur story", "zum artikel", "zum beitrag", "mehr lesen", "artikel lesen", "mehr erfahren",
                "ganzen artikel lesen", "read more", "read the full story", "read the story", "full story",
                "view story", "read full article")
RELATED_LABELS = ("auch interessant", "ähnliche artikel", "ähnliche themen", "verwandte artikel",
                  "mehr zum thema", "lesen sie auch", "lies auch", "weitere artikel", "weitere nachrichten",
                  "das könnte sie auch interessieren", "das könnte dich auch interessieren",
                  "das könnte sie interessieren", "meistgelesen", "meistgelesene artikel", "empfohlen",
                  "empfehlungen", "neueste artikel", "top themen", "topthemen", "related", "related articles",
                  "related stories", "related content", "more stories", "more on this story",
                  "you may also like", "you might also like", "recommended", "recommended for you",
                  "most read", "most popular", "top stories", "latest news", "latest stories", "see also")
# A line starting with one of these and then a headline is an inline link to another story.
LINK_PREFIXES = ("siehe auch", "lesen sie auch", "lies auch", "see also", "read also", "also read",
                 "mehr zum thema", "weiterlesen")
LINK_PREFIXES_WITH_COLON = ("read more", "more", "mehr", "mehr dazu", "zum thema", "auch interessant",
                            "related")
# Nouns that make a short "X news:" line the heading of a list of other stories.
LIST_HEADING_NOUNS = ("news", "nachrichten", "headlines", "schlagzeilen", "meldungen", "ticker", "updates",
                      "stories", "artikel")
PLATFORMS = ("whatsapp", "instagram", "telegram", "facebook", "tiktok", "youtube", "twitter", "threads",
             "linkedin", "mastodon", "snapchat", "google news", "newsletter", "podcast")
CALLS_TO_ACTION = ("folge", "folgen", "folgt", "abonniere", "abonnieren", "abonniert", "melde dich",
                   "hol dir", "holen sie sich", "follow", "subscribe", "sign up", "join", "download",
                   "herunterladen", "registrieren", "anmelden")
# The publisher speaking ("follow us"): a body sentence about someone's Instagram does not do that.
PUBLISHER_WORDS = ("uns", "unser", "unsere", "unseren", "unserem", "unserer", "wir", "us", "our", "we")
READER_WORDS = ("dich", "dein", "deine", "deinen", "euch", "you", "your")
METADATA_LABELS = ("erstellt", "aktualisiert", "veröffentlicht", "zuletzt aktualisiert", "stand", "datum",
                   "von", "autor", "autorin", "autoren", "text", "published", "updated", "last updated",
                   "posted", "date", "by", "author", "authors", "tags", "themen", "schlagworte", "topics",
                   "lesezeit", "reading time")
BYLINE_LABELS = ("von", "by", "autor", "autorin", "author", "text", "written by", "geschrieben von",
                 "reporting by", "ein kommentar von", "eine analyse von")
AUTHOR_LABELS = ("über den autor", "über die autorin", "zur person", "about the author", "about the authors")
BIO_VERBS = ("ist", "war", "arbeitet", "schreibt", "lebt", "berichtet", "leitet", "studierte", "hat",
             "is", "was", "works", "writes", "lives", "reports", "covers", "has", "joined")
DATE_WORDS = ("erstellt", "aktualisiert", "veröffentlicht", "zuletzt", "stand", "am", "um", "uhr", "datum",
              "published", "updated", "last", "posted", "on", "at", "date", "mez", "mesz", "cet", "cest",
              "utc", "gmt", "am", "pm", "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag",
              "sonntag", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = {"januar": 1, "jänner": 1, "january": 1, "jan": 1, "februar": 2, "february": 2, "feb": 2,
          "märz": 3, "maerz": 3, "march": 3, "mär": 3, "mar": 3, "april": 4, "apr": 4, "mai": 5, "may": 5,
          "juni": 6, "june": 6, "jun": 6, "juli": 7, "july": 7, "jul": 7, "august": 8, "aug": 8,
          "september": 9, "sept": 9, "sep": 9, "oktober": 10, "october": 10, "okt": 10, "oct": 10,
          "november": 11, "nov": 11, "dezember": 12, "december": 12, "dez": 12, "dec": 12}
NAME_PARTICLES = ("von", "van", "de", "der", "den", "da", "di", "du", "le", "la", "zu", "bin", "al", "el")

# ---------------------------------------------------------------------------------------------
# Patterns.

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")  # control characters that are not whitespace
_CLOSERS = "\"'»«“”„‘’‚›‹)]}*"
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_ALNUM = re.compile(r"\w")
_LABEL_ALT = "|".join(PHOTO_CREDIT_LABELS)
# Credit glued to the caption ("…am Montag.Bild: dpa"), so the label may follow punctuation directly.
_CREDIT_TAIL = re.compile(rf"(?:^|(?<=[\s.!?»«\"“”)’]))(?:{_LABEL_ALT})\s?:\s*(?P<credit>[^:!?]{{1,100}})$")
_CREDIT_PAREN = re.compile(rf"\((?:{_LABEL_ALT})\s?:\s*(?P<credit>[^()]{{1,80}})\)$")
_COPYRIGHT_TAIL = re.compile(r"(?:©|\(c\)|Copyright)\s*(?P<credit>[^©:]{1,100})$")
# Some sites label the caption itself: "Image caption, …", "Bildunterschrift: …".
_CAPTION_PREFIX = re.compile(
    r"^(?:image (?:source|caption)|photo (?:credit|caption)|bildquelle|bildunterschrift)\s*[,:]\s*\S",
    re.IGNORECASE,
)
# A paragraph's closing agency credit, after its last sentence: "… zurück. (aka mit dpa und AFP)", "(dpa/red)".
_AGENCIES = r"dpa|afp|ap|reuters|sda|keystone-sda|apa|kna|epd|ddp|dapd|sid|ansa|efe|tass|upi|awp"
_AGENCY_CREDIT = re.compile(
    rf"(?<=[.!?…\"'»«“”’])\s*\((?=[^()]*\b(?:{_AGENCIES})\b)(?P<credit>[^().!?]{{1,60}})\)$", re.IGNORECASE
)
_SOURCE_LINE = re.compile(rf"^(?:{'|'.join(SOURCE_CREDIT_LABELS)})\s?:\s*(?P<credit>\S.{{0,100}})$")
_TWEET_LINK = re.compile(r"pic\.twitter\.com/|https?://t\.co/|(?:twitter|x)\.com/\w+/status/")
_TWEET_ATTRIBUTION = re.compile(r"^[—–-]{1,2}\s*[^()]{1,80}\(@\w{1,15}\)\s*.{0,40}$")
_INSTAGRAM_EMBED = re.compile(r"^(?:a post shared by|ein beitrag geteilt von)\b", re.IGNORECASE)
_TICKER_LINE = re.compile(r"^\d{1,2}:\d{2}(?:\s*Uhr)?\s+\S")
_BREADCRUMB = re.compile(r"^[^\s›>»/|][^›>»/|]{0,30}(?:\s+[›>»/|]\s+[^›>»/|]{1,30}){1,8}$")
_MORE_FROM = re.compile(
    r"^(?:mehr|more|alle|all|weitere)\s+(?:(?:aus|zu|zum|zur|von|from|on|about|in)\s+)?"
    r"(?:[«\"„“‹'](?P<quoted>[^«»\"„“”‹›]{1,30})[»\"“”›']"
    r"|(?:news|artikel|nachrichten|stories|beiträge|videos)\b.{0,30})$",
    re.IGNORECASE,
)
_MORE_FROM_SECTION = re.compile(r"^(?:mehr aus|more from|mehr von|more on)\s+\S.{0,30}$", re.IGNORECASE)
_NAME = r"[A-ZÄÖÜ][\w'’.-]*(?:\s+(?:" + "|".join(NAME_PARTICLES) + r"|[A-ZÄÖÜ][\w'’.-]*)){0,3}"
_BYLINE = re.compile(
    r"^(?i:" + "|".join(BYLINE_LABELS) + r")\s*:?\s+(?P<name>" + _NAME + r")"
    # An optional outlet or role after the names: "| dpa", "– Reuters", ", Korrespondentin"
    r"(?:\s*(?:,|und|and|&)\s*" + _NAME + r")*(?:\s*[|·–—-]\s*.{0,40}|,\s*[A-ZÄÖÜ].{0,40})?$"
)
_NAME_LINE = re.compile(r"^" + _NAME + r"$")
_READING_TIME = re.compile(r"^(?:lesezeit:?\s*)?\d+\s*(?:min\.?|minuten|minutes)(?:\s+(?:lesezeit|read))?$",
                           re.IGNORECASE)
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE_YMD = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_DATE_DMY = re.compile(r"(?<!\d)(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?!\d)")
_DATE_D_MONTH_Y = re.compile(rf"(?<!\d)(\d{{1,2}})\.?\s+({_MONTH_ALT})\.?\s+(\d{{4}})(?!\d)", re.IGNORECASE)
_DATE_MONTH_D_Y = re.compile(rf"\b({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)",
                             re.IGNORECASE)
_YEAR = re.compile(r"\d{4}")
_TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_HTML_START = re.compile(r"^\s*<(?:!doctype|html)\b", re.IGNORECASE)
_HTML_BLOCK_TAG = re.compile(r"<(?:p|div|br|h[1-6]|li|ul|ol|article|section|table|tr|blockquote)\b[^>]*>",
                             re.IGNORECASE)


def clean(raw: str) -> Cleaned:
    """Clean one raw article (plain text, Markdown or HTML) into title, date, body and dropped blocks."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.translate(_ZERO_WIDTH).strip():
        return Cleaned(title="", date=None, text="", dropped=())
    page = _html_to_page(text) if _looks_like_html(text) else _text_to_page(text)
    if not page.lines:
        # All of it was page chrome (e.g. an HTML page whose content sits in <nav>): nothing to keep.
        date = _parse_date(page.date_hint) if page.date_hint else None
        return Cleaned(title=page.title_hint or "", date=date, text="", dropped=tuple(page.dropped))
    return _Cleaner(page).run()


# ---------------------------------------------------------------------------------------------
# Input normalisation.


@dataclass
class _Line:
    no: int  # 1-based line in the raw input
    text: str
    block: int  # lines in one block were not separated by a blank line / block element
    heading: bool = False  # marked up as a heading (Markdown '#', HTML <h1>-<h6>)


@dataclass
class _Page:
    lines: list[_Line]
    title_hint: str | None = None
    date_hint: str | None = None
    dropped: list[Dropped] = field(default_factory=list)  # removed before line rules (HTML page chrome)


def _normalise_line(s: str) -> str:
    """One line as the cleaner sees it: NFC, no zero-width or control characters, single plain spaces."""
    s = _CONTROL.sub("", unicodedata.normalize("NFC", s.translate(_ZERO_WIDTH)))
    return " ".join(s.split())  # str.split() also splits on no-break, thin, ideographic … spaces


def _text_to_page(text: str) -> _Page:
    lines: list[_Line] = []
    title_hint: str | None = None
    block = 0
    for no, raw_line in enumerate(text.split("\n"), 1):
        s = _normalise_line(raw_line)
        if not s:
            block += 1
            continue
        heading = False
        m = _MD_HEADING.match(s)
        if m and m.group(2):
            s, heading = m.group(2), True
            if len(m.group(1)) == 1 and title_hint is None:
                title_hint = s
        lines.append(_Line(no, s, block, heading))
    return _Page(lines, title_hint=title_hint)


def _looks_like_html(text: str) -> bool:
    return bool(_HTML_START.match(text)) or len(_HTML_BLOCK_TAG.findall(text, 0, 200_000)) >= 3


class _HTMLToLines(HTMLParser):
    """Block elements become lines; page chrome (scripts, nav, header, footer, asides) is skipped."""

    SKIP = frozenset({"script", "style", "nav", "header", "footer", "aside", "noscript", "template", "svg",
                      "head", "iframe", "form", "button", "select", "canvas", "object"})
    BLOCK = frozenset({"address", "article", "blockquote", "caption", "dd", "details", "div", "dl", "dt",
                       "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "main", "ol", "p",
                       "pre", "section", "summary", "table", "tbody", "thead", "tfoot", "ul", "body"})
    INVISIBLE = frozenset({"script", "style", "head", "template", "svg"})  # code, not page text: not recorded
    LINE = frozenset({"br", "li", "tr", "td", "th"})  # breaks inside one block (list items, table cells)
    DATE_META = frozenset({"article:published_time", "og:published_time", "datepublished", "date", "pubdate",
                           "publishdate", "dc.date", "dc.date.issued", "dcterms.created", "parsely-pub-date",
                           "sailthru.date"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[_Line] = []
        self._buf: list[str] = []
        self._buf_line = 0
        self._block = 0
        self._skip: list[str] = []
        self._skipped_parts: list[str] = []
        self._skipped_line = 0
        self.dropped: list[Dropped] = []
        self._heading: str | None = None
        self._h1_parts: list[str] | None = None
        self.h1: str | None = None
        self.h1_in_chrome: str | None = None
        self._title_parts: list[str] | None = None
        self.doc_title: str | None = None
        self.meta_date: str | None = None
        self.time_date: str | None = None

    def _flush(self, new_block: bool) -> None:
        text = _normalise_line("".join(self._buf))
        if text:
            self.lines.append(_Line(self._buf_line or 1, text, self._block, self._heading is not None))
        self._buf = []
        self._buf_line = 0
        if new_block:
            self._block += 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key in self.DATE_META and self.meta_date is None and a.get("content"):
                self.meta_date = a["content"]
            return
        if tag == "time" and self.time_date is None and a.get("datetime"):
            self.time_date = a["datetime"]
        if tag == "title":
            self._title_parts = []
        if tag == "h1":
            self._h1_parts = []
        if tag in self.SKIP:
            if not self._skip:
                self._skipped_parts, self._skipped_line = [], self.getpos()[0]
            self._skip.append(tag)
            return
        if self._skip:
            if tag in self.BLOCK or tag in self.LINE:
                self._skipped_parts.append("\n")
            return
        if tag in self.BLOCK:
            self._flush(new_block=True)
            if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
                self._heading = tag
        elif tag in self.LINE:
            self._flush(new_block=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            return  # a self-closed <nav/> has no content to skip
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._title_parts is not None:
            self.doc_title = _normalise_line("".join(self._title_parts)) or None
            self._title_parts = None
        if tag == "h1" and self._h1_parts is not None:
            text = _normalise_line("".join(self._h1_parts))
            if text:
                if self._skip and self.h1_in_chrome is None:
                    self.h1_in_chrome = text
                elif not self._skip and self.h1 is None:
                    self.h1 = text
            self._h1_parts = None
        if tag in self.SKIP:
            # Unbalanced markup: close up to the matching open element, if there is one.
            if tag in self._skip:
                outer = self._skip[0]
                while self._skip and self._skip.pop() != tag:
                    pass
                if not self._skip:
                    self._record_skipped(outer)
            return
        if self._skip:
            return
        if tag in self.BLOCK:
            self._flush(new_block=True)
            if tag == self._heading:
                self._heading = None
        elif tag in self.LINE:
            self._flush(new_block=False)

    def _record_skipped(self, tag: str) -> None:
        if tag in self.INVISIBLE:
            return
        parts = [_normalise_line(p) for p in "".join(self._skipped_parts).split("\n")]
        text = "\n".join(p for p in parts if p)
        if text:
            self.dropped.append(Dropped(self._skipped_line, text, f"html-{tag}"))

    def handle_data(self, data: str) -> None:
        if self._title_parts is not None:
            self._title_parts.append(data)
        if self._h1_parts is not None:
            self._h1_parts.append(data)
        if self._skip:
            self._skipped_parts.append(data)
            return
        if not self._buf_line and data.strip():
            # getpos() is where the data starts; its text may start a few newlines later.
            self._buf_line = self.getpos()[0] + data[: len(data) - len(data.lstrip())].count("\n")
        self._buf.append(data)


def _html_to_page(text: str) -> _Page:
    parser = _HTMLToLines()
    parser.feed(text)
    parser.close()
    parser._flush(new_block=True)
    if parser._skip:
        parser._record_skipped(parser._skip[0])  # an element left open until the end of the page
    title = parser.h1 or parser.h1_in_chrome
    if title is None and parser.doc_title:
        # "<title>Headline | Site</title>": the site name is not part of the headline.
        title = re.split(r"\s+[|–—]\s+|\s+-\s+", parser.doc_title)[0].strip() or None
    return _Page(parser.lines, title, parser.meta_date or parser.time_date, parser.dropped)


# ---------------------------------------------------------------------------------------------
# Line predicates.


def _key(s: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", s.lower()).split())


def _nwords(s: str) -> int:
    return len(s.split())


def _core(s: str) -> str:
    return s.rstrip(_CLOSERS + " ")


def _last_char(s: str) -> str:
    c = _core(s)
    return c[-1] if c else ""


def _is_heading_like(s: str, max_words: int = 20) -> bool:
    """Short and without closing sentence punctuation: a headline, heading, label or link."""
    return 0 < _nwords(s) <= max_words and _last_char(s) not in ".:;,…"


def _is_body_paragraph(s: str) -> bool:
    """Unmistakably running text, which ends the page header."""
    n, end = _nwords(s), _last_char(s)
    return n >= 20 or (n >= 8 and end in ".…") or (n >= 15 and end in "!?")


def _looks_truncated(s: str) -> bool:
    """A scrap like "Berlin, Pr": a few words cut off mid-phrase."""
    if _nwords(s) > 4 or _last_char(s) in ".!?…":
        return False
    last = s.split()[-1]
    return "," in s or bool(re.fullmatch(r"[A-ZÄÖÜ][a-zäöüß]?", last))


def _any_word(words: Iterable[str]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)")


def _is_ticker_line(s: str) -> bool:
    return bool(_TICKER_LINE.match(s)) and _nwords(s) <= 40


_PLATFORM = _any_word(PLATFORMS)
_CALL_TO_ACTION = _any_word(CALLS_TO_ACTION)
_PUBLISHER = _any_word(PUBLISHER_WORDS)
_READER = _any_word(READER_WORDS)


def _is_list_item(s: str) -> bool:
    return _is_heading_like(s, max_words=40)


def _tokens(s: str) -> set[str]:
    return {t for t in _WORD.findall(s.lower()) if len(t) > 2}


def _near_duplicate(a: str, b: str) -> bool:
    ta, tb = _tokens(a), _tokens(b)
    if len(ta) < 3 or len(tb) < 3:
        return False
    return len(ta & tb) / min(len(ta), len(tb)) >= 0.6


def _caption_reason(s: str) -> str | None:
    """'caption' for a photo caption or credit line, 'credit' for a bare source line."""
    if _CAPTION_PREFIX.match(s):
        return "caption"
    for pattern in (_CREDIT_TAIL, _CREDIT_PAREN, _COPYRIGHT_TAIL):
        m = pattern.search(s)
        if not m or not 0 < _nwords(m.group("credit")) <= 10:
            continue
        # A credit stands alone or after a caption; "Das Bild: ein Land im Umbruch" is neither.
        before = _nwords(s[: m.start()])
        if before == 0 or before >= 3:
            return "caption"
    m = _SOURCE_LINE.match(s)
    if m and _nwords(m.group("credit")) <= 8 and _last_char(s) not in "!?":
        return "credit"
    return None


def _parse_date(s: str) -> str | None:
    """The first valid calendar date in `s`, as YYYY-MM-DD."""
    if not _YEAR.search(s):
        return None  # cheap exit: every accepted format has a four-digit year
    found: list[tuple[int, int, int, int]] = []  # (position, year, month, day)
    for m in _DATE_YMD.finditer(s):
        found.append((m.start(), int(m.group(1)), int(m.group(2)), int(m.group(3))))
    for m in _DATE_DMY.finditer(s):
        found.append((m.start(), int(m.group(3)), int(m.group(2)), int(m.group(1))))
    for m in _DATE_D_MONTH_Y.finditer(s):
        found.append((m.start(), int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1))))
    for m in _DATE_MONTH_D_Y.finditer(s):
        found.append((m.start(), int(m.group(3)), MONTHS[m.group(1).lower()], int(m.group(2))))
    for _, y, mo, d in sorted(found):
        try:
            return _date(y, mo, d).isoformat()
        except ValueError:
            continue
    return None


def _date_line(s: str) -> str | None:
    """The date of a line that is only a dateline ("26.10.2023, 17:05", "Published 5 May 2024")."""
    if _nwords(s) > 15:
        return None
    found = _parse_date(s)
    if found is None:
        return None
    rest = _TIME.sub(" ", s)  # times first: they may be glued to a following date
    for pattern in (_DATE_YMD, _DATE_DMY, _DATE_D_MONTH_Y, _DATE_MONTH_D_Y):
        rest = pattern.sub(" ", rest)
    rest_words = [w for w in _key(rest).split() if w not in DATE_WORDS and w not in METADATA_LABELS]
    return found if len(rest_words) <= 3 else None


def _first_sentence(s: str) -> str:
    for m in re.finditer(r"[.!?…][\"'»«“”‘’)]*(?=\s+[\"'«»„“‚‘(]*[A-ZÄÖÜ0-9])", s):
        before = s[: m.start()].split()
        last = before[-1] if before else ""
        # Ordinals ("25. Oktober") and abbreviations ("Dr. Müller") do not end a sentence.
        if s[m.start()] == "." and (last.isdigit() or re.fullmatch(r"[A-ZÄÖÜ][a-zäöü]{0,2}|\w", last)):
            continue
        return s[: m.end()].strip()
    return s


# ---------------------------------------------------------------------------------------------
# The cleaner: marks lines with a reason; the first rule to mark a line wins.


class _Cleaner:
    """Marks lines with a reason and a group; the first rule to claim a line wins."""

    def __init__(self, page: _Page) -> None:
        self.lines = page.lines
        self.n = len(page.lines)
        self.title_hint = page.title_hint
        self.date_hint = _parse_date(page.date_hint) if page.date_hint else None
        self.flags: list[tuple[str, int] | None] = [None] * self.n
        self.pre_dropped = page.dropped
        self.cut: list[Dropped] = []  # tails cut off lines that are kept (credit_rule)
        self.groups = 0
        self.title_idx: int | None = None
        self.title = ""
        self.date: str | None = None
        self.author_names: list[str] = []

    # -- bookkeeping -------------------------------------------------------------------------

    def free(self, i: int) -> bool:
        return self.flags[i] is None and i != self.title_idx

    def mark(self, idxs: Iterable[int], reason: str) -> None:
        self.groups += 1
        for i in idxs:
            if self.free(i):
                self.flags[i] = (reason, self.groups)

    def reason_at(self, i: int) -> str | None:
        flag = self.flags[i]
        return flag[0] if flag is not None else None

    def text(self, i: int) -> str:
        return self.lines[i].text

    def same_block(self, i: int, j: int) -> bool:
        return 0 <= i < self.n and 0 <= j < self.n and self.lines[i].block == self.lines[j].block

    def run(self) -> Cleaned:
        self.line_rules()
        self.credit_rule()
        self.ticker_rule()
        self.list_rules()
        self.header_rules()
        self.teaser_rule()
        self.author_rules()
        self.duplicate_rules()
        return self.result()

    # -- rules that look at one line (and its immediate neighbours) -------------------------------

    def line_rules(self) -> None:
        for i in range(self.n):
            if not self.free(i):
                continue
            s = self.text(i)
            key = _key(s)
            if not _ALNUM.search(s):
                self.mark([i], "markup")  # "***", "---", "|": separators and Markdown rules
            elif _TWEET_LINK.search(s) or _INSTAGRAM_EMBED.match(s):
                has_attribution = i + 1 < self.n and bool(_TWEET_ATTRIBUTION.match(self.text(i + 1)))
                self.mark([i, i + 1] if has_attribution else [i], "tweet")
            elif _TWEET_ATTRIBUTION.match(s):
                group = [i]
                # The embed's text precedes its "— Name (@handle) Date" line; tweets are <= 280 characters.
                if i > 0 and self.free(i - 1) and len(self.text(i - 1)) <= 320:
                    group.insert(0, i - 1)
                self.mark(group, "tweet")
            elif reason := _caption_reason(s):
                group = [i]
                # Captions are sometimes scraped twice: once bare (from alt text), once with the credit.
                if self.same_block(i, i - 1) and self.free(i - 1) and len(self.text(i - 1)) >= 15 and \
                        s.startswith(self.text(i - 1)):
                    group.insert(0, i - 1)
                self.mark(group, reason)
            elif key in COMMENT_LINES or re.fullmatch(r"\d+ (?:kommentare?|comments?)", key):
                self.mark([i], "comments")
            elif self._is_ui(key) or _BREADCRUMB.match(s) or self._is_more_from(s):
                self.mark([i], "navigation")
            elif key in AD_LINES:
                self.mark([i], "promo")
            elif self._is_promo_heading(s, key):
                group = [i]
                # The promo's blurb follows in the same block, names the platform and talks to the reader.
                for j in (i + 1, i + 2):
                    if not (self.same_block(i, j) and self.free(j) and self._is_promo_blurb(self.text(j))):
                        break
                    group.append(j)
                self.mark(group, "promo")
            elif self._is_metadata(s, key):
                self.mark([i], "metadata")
            elif self._is_inline_link(s):
                self.mark([i], "link-list")

    def credit_rule(self) -> None:
        """A credit closing a paragraph's last sentence is cut off it (its sentence stays)."""
        for i in range(self.n):
            m = _AGENCY_CREDIT.search(self.text(i)) if self.free(i) else None
            if m and len(m.group("credit").split()) <= 8:
                line = self.lines[i]
                self.cut.append(Dropped(line.no, m.group(0).strip(), "credit"))
                line.text = line.text[: m.start()].rstrip()

    @staticmethod
    def _is_ui(key: str) -> bool:
        words = key.split()
        while words and words[0] in UI_PREFIXES and len(words) > 1:
            words = words[1:]
        return " ".join(words) in UI_LINES

    @staticmethod
    def _is_more_from(s: str) -> bool:
        if s.endswith(":"):
            return False  # "Weitere Nachrichten:" heads a list of other stories: list_rules takes both
        return bool(_MORE_FROM.match(s)) or (bool(_MORE_FROM_SECTION.match(s)) and _is_heading_like(s, 5))

    @staticmethod
    def _is_promo_heading(s: str, key: str) -> bool:
        if _nwords(s) > 15 or not _PLATFORM.search(key):
            return False
        if re.search(rf"\b(?:jetzt|now|auch)\s+(?:auf|bei|on)\s+(?:{'|'.join(PLATFORMS)})$", key):
            return True  # "X ist jetzt auf Whatsapp", "We're now on Telegram"
        return bool(_CALL_TO_ACTION.search(key)) and bool(_PUBLISHER.search(key))

    @staticmethod
    def _is_promo_blurb(s: str) -> bool:
        key = _key(s)
        addressed = any(p.search(key) for p in (_CALL_TO_ACTION, _PUBLISHER, _READER))
        return bool(_PLATFORM.search(key)) and addressed

    def _is_metadata(self, s: str, key: str) -> bool:
        if s.endswith(":") and key in METADATA_LABELS:
            return True  # an empty "Erstellt:" whose value the scraper lost
        m = _BYLINE.match(s)
        if m and _nwords(s) <= 12 and _last_char(s) not in ".!?":
            self.author_names.append(m.group("name"))
            return True
        if _READING_TIME.match(s):
            return True
        found = _date_line(s)
        if found:
            if self.date is None:
                self.date = found
            return True
        return False

    @staticmethod
    def _is_inline_link(s: str) -> bool:
        low = s.lower()
        for prefix in LINK_PREFIXES + LINK_PREFIXES_WITH_COLON:
            if not low.startswith(prefix):
                continue
            rest = s[len(prefix):]
            sep = re.match(r"\s*([:\-–—»›|>]*)\s+", rest)
            if not sep:
                continue
            if prefix in LINK_PREFIXES_WITH_COLON and ":" not in sep.group(1):
                continue
            headline = rest[sep.end():]
            if headline and _is_heading_like(headline, max_words=25):
                return True
        return False

    # -- rules over runs of lines ---------------------------------------------------------------

    def ticker_rule(self) -> None:
        """Three or more "HH:MM headline" lines in a row are a news ticker from another part of the page."""
        i = 0
        while i < self.n:
            j = i
            while j < self.n and self.free(j) and _is_ticker_line(self.text(j)):
                j += 1
            if j - i >= 3:
                self.mark(range(i, j), "ticker")
            i = max(j, i + 1)

    def list_rules(self) -> None:
        """A "related"/"X news:" heading and the headline list after it."""
        for i in range(self.n):
            if not self.free(i):
                continue
            s, key = self.text(i), _key(self.text(i))
            news_heading = _nwords(s) <= 4 and _last_char(s) not in ".!?" and bool(
                re.search(rf"\b(?:{'|'.join(LIST_HEADING_NOUNS)})$", key))
            if key not in RELATED_LABELS and not news_heading:
                continue
            items: list[int] = []
            j = i + 1
            while self.same_block(i, j) and self.free(j) and _is_list_item(self.text(j)):
                items.append(j)
                j += 1
            if not items and j < self.n:
                # The list may be the next block on its own: take it only if every line is a headline.
                block = [k for k in range(j, self.n) if self.lines[k].block == self.lines[j].block]
                if len(block) >= 2 and all(self.free(k) and _is_list_item(self.text(k)) for k in block):
                    items = block
            if items or key in RELATED_LABELS or s.endswith(":"):
                self.mark([i, *items], "link-list")

    def header_rules(self) -> None:
        """Before the first body paragraph: find the title; short lines there are navigation."""
        free = [i for i in range(self.n) if self.free(i)]
        body_start = next((i for i in free if _is_body_paragraph(self.text(i))), None)
        header = [i for i in range(body_start or 0) if self.free(i)]
        if self.title_hint:
            hint = _key(self.title_hint)
            self.title_idx = next((i for i in free if _key(self.text(i)) == hint), None)
            self.title = self.title_hint
        else:
            for i in header:
                s = self.text(i)
                long_enough = _nwords(s) >= 4 or self.lines[i].heading
                if _is_heading_like(s, 30) and long_enough and not _looks_truncated(s):
                    self.title_idx, self.title = i, s
                    break
        for i in header:
            if not self.free(i):
                continue
            s = self.text(i)
            if _looks_truncated(s):
                self.mark([i], "fragment")
            elif _is_heading_like(s) and _nwords(s) <= 3 and len(s) <= 40 and not self.lines[i].heading:
                self.mark([i], "navigation")  # section names and breadcrumbs around the headline
            elif self.title and _is_heading_like(s, 30) and _near_duplicate(s, self.title):
                self.mark([i], "duplicate-title")  # the same headline in another wording (SEO/og title)

    def teaser_rule(self) -> None:
        """A headline + blurb ending in a "Zur Story"-style link promotes another article."""
        for i in range(self.n):
            if not self.free(i) or _key(self.text(i)) not in TEASER_LINKS:
                continue
            group = [i]
            # Walk back over at most three blurb paragraphs to the teaser's headline; without a headline
            # close by, the lines before the link may be the article itself, so only the link goes.
            back = list(islice((j for j in range(i - 1, -1, -1) if self.free(j)), 4))
            for pos, j in enumerate(back):
                if _is_heading_like(self.text(j)):
                    group = [*back[: pos + 1], i]
                    break
            self.mark(sorted(group), "teaser")

    def author_rules(self) -> None:
        """A name line followed by "<name> ist/is …" is an author bio, as is an 'About the author' box."""
        verbs = "|".join(BIO_VERBS)
        bylined = [name for name in self.author_names if " " in name]
        # Author boxes come after the article: a "name + ist" paragraph followed by more article text is
        # the article talking about someone, not a bio.
        body = [i for i in range(self.n) if self.free(i) and _is_body_paragraph(self.text(i))]
        last_body = body[-1] if body else -1
        for i in range(max(last_body - 1, 0), self.n):
            if not self.free(i):
                continue
            s = self.text(i)
            nxt = i + 1 if i + 1 < self.n and self.free(i + 1) else None
            if _key(s) in AUTHOR_LABELS:
                self.mark([i] if nxt is None else [i, nxt], "author-bio")
            elif nxt is not None and _NAME_LINE.match(s) and 2 <= _nwords(s) <= 4 and re.match(
                rf"{re.escape(s)}\s+(?:{verbs})\b", self.text(nxt)
            ):
                self.mark([i, nxt], "author-bio")
            elif i == last_body and any(re.match(rf"{re.escape(n)}\s+(?:{verbs})\b", s) for n in bylined):
                self.mark([i], "author-bio")  # bio of the author named in the byline

    def duplicate_rules(self) -> None:
        """Repeated boilerplate: the title again inside the body, or any longer line seen before."""
        title_key = _key(self.title)
        seen: set[str] = {title_key} if title_key else set()
        for i in range(self.n):
            key = _key(self.text(i))
            if not self.free(i):
                continue
            if key == title_key:
                self.mark([i], "duplicate-title")
            elif key in seen and _nwords(self.text(i)) >= 4:
                self.mark([i], "duplicate")
            elif _looks_truncated(self.text(i)) and any(
                self.same_block(i, j) and self.reason_at(j) == "caption" for j in (i - 1, i + 1)
            ):
                self.mark([i], "fragment")  # scraps of a caption or credit
            seen.add(key)

    # -- result -------------------------------------------------------------------------------

    def result(self) -> Cleaned:
        kept = [self.text(i) for i in range(self.n) if self.free(i)]
        if not self.title:
            source = kept[0] if kept else self.text(0)
            self.title = _first_sentence(source)[:200].strip()
            if self.title.endswith(".") and not self.title.endswith("..."):
                self.title = self.title[:-1]
        return Cleaned(
            title=self.title,
            date=self.date_hint or self.date,
            text="\n\n".join(kept),
            dropped=tuple(sorted([*self.pre_dropped, *self.cut, *self._dropped()], key=lambda d: d.line)),
        )

    def _dropped(self) -> list[Dropped]:
        groups: dict[int, list[int]] = {}
        for i, flag in enumerate(self.flags):
            if flag is not None:
                groups.setdefault(flag[1], []).append(i)
        ordered = sorted(groups.values(), key=lambda idxs: idxs[0])
        merged: list[list[int]] = []
        for idxs in ordered:
            prev = merged[-1] if merged else None
            # Neighbouring single-rule hits of the same kind in one block read as one block.
            if prev is not None and self._reason(prev) == self._reason(idxs) and idxs[0] == prev[-1] + 1 and \
                    self.same_block(prev[-1], idxs[0]):
                prev.extend(idxs)
            else:
                merged.append(list(idxs))
        return [Dropped(self.lines[g[0]].no, "\n".join(map(self.text, g)), self._reason(g)) for g in merged]

    def _reason(self, idxs: Sequence[int]) -> str:
        flag = self.flags[idxs[0]]
        assert flag is not None
        return flag[0]

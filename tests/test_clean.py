"""The cleaning stage on the five real scraped articles and on made-up pages of other layouts."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from rag.clean import Cleaned, Dropped, clean

PROJECT = Path(__file__).resolve().parent.parent
CORPUS_DIRS = (
    PROJECT / "index" / "corpus",
    PROJECT.parent / "shared" / "corpus",
    Path("/work/shared/corpus"),
)
CORPUS = next((d for d in CORPUS_DIRS if d.is_dir() and any(d.glob("00[0-4]_*.txt"))), None)
needs_corpus = pytest.mark.skipif(CORPUS is None, reason="the five sample articles are not on this machine")


def _norm(s: str) -> str:
    """Whitespace-normalised text, independent of the module under test."""
    s = unicodedata.normalize("NFC", s.replace("\ufeff", "").replace("\u200b", ""))
    return " ".join(s.split())


def _raw(prefix: str) -> str:
    assert CORPUS is not None
    (path,) = CORPUS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


_CACHE: dict[str, Cleaned] = {}


def _article(prefix: str) -> Cleaned:
    if prefix not in _CACHE:
        _CACHE[prefix] = clean(_raw(prefix))
    return _CACHE[prefix]


def _paragraphs(c: Cleaned) -> list[str]:
    return c.text.split("\n\n") if c.text else []


def _check_invariants(raw: str, c: Cleaned) -> None:
    """Kept text is verbatim input; every input line is kept, the title, or recorded as dropped."""
    flat = _norm(raw)
    assert c.text == c.text.strip()
    for p in _paragraphs(c):
        assert p and p == p.strip()
        assert _norm(p) in flat, f"kept paragraph not found in the input: {p[:80]!r}"
    for d in c.dropped:
        assert d.reason and re.fullmatch(r"[a-z][a-z-]*", d.reason)
        assert d.text
        for line in d.text.split("\n"):
            assert _norm(line) in flat, f"dropped text not found in the input: {line[:80]!r}"
    raw_lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for d in c.dropped:
        first = _norm(d.text.split("\n")[0])
        assert first in _norm(raw_lines[d.line - 1]), (
            f"line {d.line} does not start the dropped block {first!r}"
        )
    accounted = set(_paragraphs(c)) | {c.title} | {ln for d in c.dropped for ln in d.text.split("\n")}
    for line in raw_lines:
        if _norm(line):
            # A credit cut off a paragraph's end is dropped, the rest of its line kept.
            rest = next((_norm(line)[: -len(d.text)].rstrip() for d in c.dropped
                         if d.reason == "credit" and _norm(line).endswith(d.text)), None)
            assert _norm(line) in accounted or rest in accounted, f"input line neither kept nor dropped: {line[:80]!r}"


# --------------------------------------------------------------------------------------------
# The five real articles.

FORBIDDEN = {
    "000": [
        "Whatsapp",
        "Habeck",
        "Söder",
        "Zur Story",
        "Kasachstan, Pr",
        "Mehr «Politik»",
        "Bild:",
        "26.10.2023",
        "Zentralasien: Eine",
    ],
    "001": [
        "Football news",
        "Hattrick",
        "Haaland",
        "Mobilité",
        "pic.twitter.com",
        "@turgutalpboyraz",
        "Business Ukraine mag",
        "Bild:",
        "Erol Sander",
    ],
    "002": [
        "Startseite",
        "Erstellt:",
        "Von: Anna-Katharina",
        "Kommentare",
        "Auch interessant",
        "© Russian Defence Ministry",
        "Ahnefeld",
        "(aka mit dpa und AFP)",
    ],
    "003": ["Bild:", "Mikhail Klimentyev", "IMAGO", "Eine ältere Frau steht vor den Trümmern"],
    "004": [
        "Welt Nachrichten",
        "Siehe auch",
        "Olympialeiter",
        "Sophie Müller",
        "Stuttgart",
        "Ähnliche Artikel",
        "Kommentar verfassen",
        "Zurück zum Anfang",
        "Quelle: The Telegraph",
    ],
}

KEPT = {
    "000": [
        "Der US-Botschafter steht gemeinsam mit Männern in Uniform vor einem Gebäude.",
        'Russische Medien sprechen von "Nato-Einrichtung" in Almaty',
        'Kreml-Freunde sprechen schon von "Befreiung" Kasachstans',
        'die "Bereitschaft Moskaus, die Souveränität und territoriale Integrität Kasachstans zu schützen".',
    ],
    "001": [
        "100'000 Russen flüchteten",
        "«Nordkasachstan ist russisches Land.»",
        "Aber von vorn:",
        "«Die Ukraine ist nicht einmal ein Staat!»",
        "Seit 2014: «Kasachstan hat keine Staatlichkeit»",
        "An der zweitlängsten Grenze der Welt.",
    ],
    "002": [
        "Das Bündnis sprach von insgesamt etwa 2500 ausländischen Soldaten",
        "Die Situation in Kasachstan eskaliert.",
        "Kasachstan: Putin demonstriert dem Westen seine Macht",
        "weist der Kreml allerdings immer wieder kategorisch zurück.",
    ],
    "003": [
        "Jurten der Unbesiegbarkeit",
        "Kasachstan lehnt sich gegen Russland auf",
        'Kasachstans antwortet auf Russlands Empörung: "Na und?"',
        "Smadiyarov sagt weiter:",
    ],
    "004": [
        "3,5 Millionen",
        "„Wir wären Russland nicht gewachsen“",
        "Russland hat Kasachstan beschuldigt, „russophobische Aktivitäten“ zu ignorieren",
        "Städten im nur wenige Autostunden entfernten Ural fliehen.",
    ],
}

TITLES = {
    "000": 'Russland: "Nato-Einrichtung" in Kasachstan? Kreml-Anhänger schäumen vor Wut',
    "001": "Wie Kasachstan Russland die ganz kalte Schulter zeigt",
    "002": "Kasachstan: Warum Russland bei den Ausschreitungen eingreift – und die Rolle der „Mini-Nato“",
    # No headline on the page (it starts with a caption and a genre label): the lead's first sentence.
    "003": "Kasachstan hilft mit einer besonderen Aktion den Menschen auf ukrainischem Boden",
    "004": "Es wächst die Befürchtung, Russland könnte sich bald gegen Kasachstan wenden",
}


@needs_corpus
@pytest.mark.parametrize("prefix", sorted(FORBIDDEN))
def test_noise_is_gone(prefix: str) -> None:
    c = _article(prefix)
    for noise in FORBIDDEN[prefix]:
        assert noise not in c.text, f"{prefix}: {noise!r} should have been dropped"
    assert not re.search(r"^\d{1,2}:\d{2}\s", c.text, re.MULTILINE)
    assert "pic.twitter.com" not in c.text and "Kommentar verfassen" not in c.text


@needs_corpus
@pytest.mark.parametrize("prefix", sorted(KEPT))
def test_article_content_is_kept(prefix: str) -> None:
    c = _article(prefix)
    for content in KEPT[prefix]:
        assert content in c.text, f"{prefix}: lost {content!r}"


@needs_corpus
@pytest.mark.parametrize("prefix", sorted(TITLES))
def test_titles_and_title_not_repeated(prefix: str) -> None:
    c = _article(prefix)
    assert c.title == TITLES[prefix]
    if prefix != "003":  # a real headline line is taken out of the body, every time it occurs
        assert c.title not in c.text


@needs_corpus
def test_dates() -> None:
    assert _article("000").date == "2023-10-26"
    # 001 has dates only inside captions and the ticker; 002's "Erstellt:" lost its value.
    assert [_article(p).date for p in ("001", "002", "003", "004")] == [None, None, None, None]


@needs_corpus
@pytest.mark.parametrize("prefix", sorted(TITLES))
def test_invariants_on_real_articles(prefix: str) -> None:
    _check_invariants(_raw(prefix), _article(prefix))


@needs_corpus
def test_leads_open_the_body() -> None:
    assert _article("000").text.startswith("Der US-Botschafter steht")
    assert _article("001").text.startswith("Die ehemalige Sowjet-Republik Kasachstan")
    assert _article("002").text.startswith("Die Situation in Kasachstan eskaliert.")
    assert _article("003").text.startswith("Kasachstan hilft mit einer besonderen Aktion")
    assert _article("004").text.startswith("Russland hat Kasachstan beschuldigt")


@needs_corpus
def test_dropped_blocks_on_real_articles() -> None:
    def reasons(prefix: str) -> Counter[str]:
        return Counter(d.reason for d in _article(prefix).dropped)

    def block(prefix: str, line: int) -> Dropped:
        (d,) = [d for d in _article(prefix).dropped if d.line == line]
        return d

    assert reasons("000") == Counter(
        {
            "navigation": 3,
            "fragment": 1,
            "caption": 1,
            "duplicate-title": 1,
            "metadata": 1,
            "promo": 1,
            "teaser": 1,
        }
    )
    assert block("000", 1).text == "Politik\nInternational"
    assert block("000", 19).reason == "promo" and block("000", 19).text.count("\n") == 1
    teaser = block("000", 54)
    assert (
        teaser.reason == "teaser"
        and teaser.text.startswith("Robert Habeck")
        and teaser.text.endswith("Zur Story")
    )

    assert reasons("001") == Counter({"caption": 9, "tweet": 2, "link-list": 1, "ticker": 1})
    assert block("001", 21).reason == "tweet" and "(@turgutalpboyraz)" in block("001", 21).text
    assert block("001", 124).text.startswith("Football news:") and block("001", 124).text.count("\n") == 7
    assert block("001", 134).reason == "ticker" and block("001", 134).text.count("\n") == 99

    assert reasons("002") == Counter(
        {"metadata": 2, "comments": 2, "navigation": 1, "duplicate-title": 1, "caption": 1, "link-list": 1,
         "credit": 1}
    )
    (credit,) = [d for d in _article("002").dropped if d.reason == "credit"]
    assert credit.text == "(aka mit dpa und AFP)"
    assert _article("002").text.endswith("weist der Kreml allerdings immer wieder kategorisch zurück.")
    caption = block("002", 26)  # the bare caption and the same caption with its credit: one block
    assert caption.reason == "caption" and caption.text.endswith("© Russian Defence Ministry/dpa")
    assert block("002", 20).reason == "duplicate-title"

    assert reasons("003") == Counter({"caption": 4, "navigation": 1})

    assert reasons("004") == Counter(
        {"navigation": 2, "link-list": 2, "credit": 1, "author-bio": 1, "comments": 1}
    )
    bio = block("004", 33)
    assert bio.reason == "author-bio" and bio.text.startswith("Sophie Müller\nSophie Müller ist")


# --------------------------------------------------------------------------------------------
# Made-up pages with other layouts: every rule fires, and the body comes through whole.

EN_BODY = [
    "Heavy rain caused rivers to burst their banks across northern Italy on Tuesday, forcing thousands of "
    "people to leave their homes.",
    "The regional government said more than 20,000 people had been evacuated.",
    "Rescue efforts",
    '"We have never seen anything like this," said the mayor.',
    "Climate scientists say such extreme rainfall events are becoming more frequent as the sea warms.",
]
EN_PAGE = f"""Home > World > Europe
World
Floods hit northern Italy as rivers burst their banks
By Jane Doe
Published 12 May 2024, 09:30 BST

Rescue workers carry a child through a flooded street in Faenza on Tuesday. Photo: Reuters

{EN_BODY[0]}

{EN_BODY[1]}

{EN_BODY[2]}

Drone footage shows the scale of the flooding pic.twitter.com/AbC123xyz
— Italy News (@italynews) May 12, 2024

{EN_BODY[3]}

Follow us on WhatsApp
Get the latest news straight to your phone on our WhatsApp channel.

{EN_BODY[4]}

Jane Doe
Jane Doe is a correspondent based in Rome. She has covered Italian politics since 2010.

Election turnout hits record low
Voters stayed at home in large numbers in Sunday's local elections, official figures show.
Read more

Latest news:
09:12 Stocks fall in Tokyo after weak data
09:05 Heatwave grips Spain as temperatures reach 44C
08:58 Tennis star withdraws from Rome Open

Comments
Back to top
"""


def test_english_page_every_rule_fires() -> None:
    c = clean(EN_PAGE)
    assert c.title == "Floods hit northern Italy as rivers burst their banks"
    assert c.date == "2024-05-12"
    assert _paragraphs(c) == EN_BODY
    got = {(d.line, d.reason) for d in c.dropped}
    assert got == {
        (1, "navigation"),
        (4, "metadata"),
        (7, "caption"),
        (15, "tweet"),
        (20, "promo"),
        (25, "author-bio"),
        (28, "teaser"),
        (32, "link-list"),
        (33, "ticker"),
        (37, "comments"),
        (38, "navigation"),
    }
    _check_invariants(EN_PAGE, c)


DE_BODY = [
    "Nach tagelangem Starkregen sind in Bayern und Baden-Württemberg Tausende Menschen vor dem Hochwasser "
    "in Sicherheit gebracht worden.",
    "Die Feuerwehr war mit mehr als 3000 Kräften im Einsatz, wie ein Sprecher am Sonntag mitteilte.",
    "»Wir haben so etwas noch nie erlebt«, sagte eine Anwohnerin.",
    "Pegel steigen weiter",
    "Der Deutsche Wetterdienst erwartet für die kommenden Tage weitere Niederschläge im Süden.",
]
DE_PAGE = "\n".join(
    [
        "Startseite › Panorama › Unwetter",
        "Panorama",
        "",
        "Hochwasser in Süddeutschland: Tausende Menschen in Sicherheit gebracht",
        "Stand: 03.06.2024, 14:20 Uhr",
        "Von Max Mustermann",
        "",
        "Helfer der Feuerwehr sichern einen Damm in Reichertshofen. Foto: dpa",
        "",
        DE_BODY[0],
        "",
        "Lesen Sie auch: Wie sich Städte gegen Starkregen wappnen",
        "",
        DE_BODY[1],
        "Das THW hilft in Reichertshofen https://t.co/xYz123",
        "— THW (@THW) June 3, 2024",
        DE_BODY[2],
        "",
        "Folge uns auf Instagram",
        "",
        DE_BODY[3],
        DE_BODY[4],
        "",
        "Hitzewelle: Was Sie jetzt wissen müssen",
        "Die Temperaturen steigen in dieser Woche auf über 35 Grad.",
        "Zur Story",
        "",
        "Weitere Nachrichten:",
        "Bahn streicht Verbindungen im Süden",
        "Zwei Vermisste nach Erdrutsch gefunden",
        "",
        "14:02 Bundestag debattiert Haushalt",
        "13:55 DAX schließt im Plus",
        "13:40 Neuer Trainer für den FC",
        "",
        "Max Mustermann",
        "Max Mustermann ist Redakteur im Ressort Panorama und schreibt über Wetter und Klima.",
        "",
        "Kommentare",
    ]
)


def test_german_page_every_rule_fires() -> None:
    c = clean(DE_PAGE)
    assert c.title == "Hochwasser in Süddeutschland: Tausende Menschen in Sicherheit gebracht"
    assert c.date == "2024-06-03"
    assert _paragraphs(c) == DE_BODY
    got = {(d.line, d.reason) for d in c.dropped}
    assert got == {
        (1, "navigation"),
        (5, "metadata"),
        (8, "caption"),
        (12, "link-list"),
        (15, "tweet"),
        (19, "promo"),
        (24, "teaser"),
        (28, "link-list"),
        (32, "ticker"),
        (36, "author-bio"),
        (39, "comments"),
    }
    _check_invariants(DE_PAGE, c)


HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <title>Storm &amp; floods hit the coast | Example News</title>
  <meta property="article:published_time" content="2024-03-05T08:00:00Z">
  <script>var label = "Kommentare"; if (1 < 2) { track(); }</script>
  <style>p { color: red; }</style>
</head>
<body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<header><p>Example News, the site header</p></header>
<article>
  <h1>Storm &amp; floods hit the coast</h1>
  <p class="byline">By Jane Doe</p>
  <p>Heavy rain&nbsp;caused flooding along the east coast on Monday, and
     thousands of homes lost power overnight.</p>
  <figure><img src="x.jpg" alt=""><figcaption>A flooded street in Hull. Photo: Reuters</figcaption></figure>
  <h2>Warnings remain in place</h2>
  <p>The Met Office said its amber warning would remain in place &ndash; until Wednesday.</p>
  <script>document.write("advert")</script>
  <ul><li>Rail services were suspended.</li><li>Schools stayed closed.</li></ul>
</article>
<aside><h3>Most read</h3><ul><li>Other story one</li><li>Other story two</li></ul></aside>
<footer>&copy; 2024 Example News</footer>
</body>
</html>
"""


def test_html_page() -> None:
    c = clean(HTML_PAGE)
    assert c.title == "Storm & floods hit the coast"
    assert c.date == "2024-03-05"
    assert _paragraphs(c) == [
        "Heavy rain caused flooding along the east coast on Monday, and thousands of homes lost power "
        "overnight.",
        "Warnings remain in place",
        "The Met Office said its amber warning would remain in place – until Wednesday.",
        "Rail services were suspended.",
        "Schools stayed closed.",
    ]
    for chrome in (
        "track()",
        "color: red",
        "advert",
        "Home",
        "site header",
        "Most read",
        "Other story",
        "©",
        "<",
    ):
        assert chrome not in c.text
    reasons = {d.reason: d for d in c.dropped}
    assert set(reasons) == {"html-nav", "html-header", "metadata", "caption", "html-aside", "html-footer"}
    assert reasons["html-nav"].line == 10 and reasons["html-aside"].text.startswith("Most read")
    assert reasons["caption"].line == 17 and reasons["metadata"].text == "By Jane Doe"


def test_html_without_doctype_is_detected_by_block_tags() -> None:
    c = clean(
        "<div><h2>Markets calm</h2><p>Shares rose slightly on Friday in quiet trading across Europe.</p>"
        "<p>Analysts expect a calm week ahead.</p></div>"
    )
    assert c.title == "Markets calm"
    assert _paragraphs(c) == [
        "Shares rose slightly on Friday in quiet trading across Europe.",
        "Analysts expect a calm week ahead.",
    ]


def test_whitespace_and_encoding_artefacts_are_normalised() -> None:
    lead = "Die Regierung hat am Montag neue Regeln für den Klimaschutz beschlossen."
    raw = (
        "\ufeffKlima\u00adschutz: Neue Regeln beschlossen\r\n\r\n"
        "Die\u00a0Regierung hat am\u2009Montag neue\u200b Regeln\tfür den Klimaschutz beschlossen.\r"
        "Kritik kam von der Opposition.\r\n"
        + unicodedata.normalize("NFD", "Grüne fordern Änderungen.")
        + "\n"
    )
    c = clean(raw)
    assert c.title == "Klimaschutz: Neue Regeln beschlossen"
    assert _paragraphs(c) == [lead, "Kritik kam von der Opposition.", "Grüne fordern Änderungen."]
    assert unicodedata.is_normalized("NFC", c.text)
    assert not re.search(r"[\u00a0\u2009\u200b\u00ad\t\r\ufeff]", c.text + c.title)


def test_line_numbers_count_crlf_and_lone_cr_as_one_break() -> None:
    raw = (
        "Politik\r\nEin ausreichend langer Titel für den Test\rKommentare\r\n\r\n"
        "Der Text des Artikels ist hier, und er ist lang genug."
    )
    c = clean(raw)
    assert {(d.line, d.reason) for d in c.dropped} == {(1, "navigation"), (3, "comments")}
    assert c.title == "Ein ausreichend langer Titel für den Test"


def test_markdown_headings_lose_their_markers_only() -> None:
    raw = (
        "# Storm warning for the north coast\n\n"
        "The weather service warned of gusts of up to 120 km/h on Friday.\n\n"
        "## What to do now\n\nStay indoors.\n\n---\n"
    )
    c = clean(raw)
    assert c.title == "Storm warning for the north coast"
    assert _paragraphs(c) == [
        "The weather service warned of gusts of up to 120 km/h on Friday.",
        "What to do now",
        "Stay indoors.",
    ]
    assert [d.reason for d in c.dropped] == ["markup"]


@pytest.mark.parametrize("raw", ["", "   ", "\n\r\n\t", "\ufeff", "\u200b\u00a0\n"])
def test_empty_input(raw: str) -> None:
    assert clean(raw) == Cleaned(title="", date=None, text="", dropped=())


def test_single_sentence_keeps_its_text_and_titles_it() -> None:
    c = clean("Just one sentence about the budget.")
    assert c.text == "Just one sentence about the budget."
    assert c.title == "Just one sentence about the budget"


BODY_LINES_THAT_LOOK_LIKE_NOISE = [
    "By Monday, the water had receded from most streets, officials said.",
    "Viele Fans folgen ihr auf Instagram und TikTok, wo sie täglich neue Videos zeigt.",
    "Von drei möglichen Verbündeten wählt Kasachstan nicht seine Nachbarn, sagt er.",
    "Das Bild: ein Land im Umbruch",
    "Mehr Geld für Schulen",
    "Mehr als 500 Menschen mussten ihre Häuser verlassen, teilte die Polizei mit.",
    "14:05 Uhr: Die Polizei meldet, dass alle Straßen wieder frei sind und der Verkehr wieder fließt.",
    "Weiterlesen lohnt sich nicht, sagte der Kritiker über den Roman.",
    "Angela Merkel",
    "Angela Merkel ist seit Jahren eine der einflussreichsten Politikerinnen der Welt, schreibt die Zeitung.",
    "Die Kanzlerin reiste danach weiter nach Paris, wo sie am Abend Präsident Macron traf.",
]


def test_body_lines_resembling_noise_are_kept() -> None:
    raw = "Ein langer Titel für einen Testartikel\n\n" + "\n\n".join(BODY_LINES_THAT_LOOK_LIKE_NOISE)
    c = clean(raw)
    assert c.title == "Ein langer Titel für einen Testartikel"
    assert _paragraphs(c) == BODY_LINES_THAT_LOOK_LIKE_NOISE
    assert c.dropped == ()


@pytest.mark.parametrize(
    "caption",
    [
        "Image caption, Rescue teams worked through the night",
        "Image source, Getty Images",
        "Foto: picture alliance / dpa | Kay Nietfeld",
        "Ein Polizist sichert den Tatort in der Innenstadt. (Foto: AP)",
        "Bild: Keystone",
        "© dpa",
    ],
)
def test_caption_styles(caption: str) -> None:
    body = "The council said repairs to the bridge would begin next spring and take two years."
    c = clean(f"Bridge to close for two years of repairs\n\n{caption}\n\n{body}")
    assert c.text == body
    assert [(d.line, d.reason, d.text) for d in c.dropped] == [(3, "caption", caption)]


def test_a_paragraphs_closing_agency_credit_is_cut_and_its_sentence_kept() -> None:
    body = "Der Kreml weist das zurück."
    for credit in ("(aka mit dpa und AFP)", "(dpa/red)", "(Reuters)"):
        c = clean(f"Titel der Meldung\n\nErster Absatz mit Inhalt.\n\n{body} {credit}\n")
        assert c.text.endswith(body) and credit not in c.text, c.text
        assert [d.text for d in c.dropped if d.reason == "credit"] == [credit]
    # Inside a sentence, or without a news agency, a parenthesis is the article's own.
    for kept in ("Er sagte das (laut AFP) gestern.", "Das Bündnis griff ein. (Siehe unten)"):
        assert clean(f"Titel der Meldung\n\n{kept}\n").text.endswith(kept)


def test_ticker_needs_a_run_of_timestamped_lines() -> None:
    body = "Der Tag begann ruhig, doch am Nachmittag spitzte sich die Lage im Regierungsviertel zu."
    c = clean(
        f"Liveblog zur Lage in der Hauptstadt heute\n\n{body}\n\n14:05 Erste Demonstranten treffen ein\n\n"
        f"{body.replace('Tag', 'Morgen')}\n\n15:10 Polizei sperrt Straßen"
    )
    assert "14:05 Erste Demonstranten treffen ein" in _paragraphs(c)
    assert "15:10 Polizei sperrt Straßen" in _paragraphs(c)


def test_results_are_frozen() -> None:
    c = clean(EN_PAGE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.title = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.dropped[0].reason = "x"  # type: ignore[misc]
    assert isinstance(c.dropped, tuple)

"""The extractive answerer on hand-made hits: what it quotes, how it frames, when it declines."""

from __future__ import annotations

from dataclasses import replace

from rag.answer import AnswerPolicy, SubQuestion, compose, question_parts
from rag.checks import (
    Lexicon,
    Translate,
    about_something_else,
    asks_for_a_place,
    counts_no_deaths,
    counts_other_things,
    generic_mention,
    measures_something_else,
    missing_answer_type,
    names_the_asked,
)
from rag.lexical import analyze, detect_language
from rag.schema import Chunk, CorpusProfile, Hit, ScoredSentence, Span
from rag.sentences import heading_in

TEXT = (
    "Unruhen in Almaty\n\n"
    "Das Bündnis schickte rund 2500 Soldaten nach Kasachstan. Denn die Regierung bat um Hilfe.\n\n"
    "Die Lage ist ernst. Im Jahr 2022 protestierten viele Menschen gegen hohe Preise."
)


SENTENCES = (
    "Unruhen in Almaty", "Das Bündnis schickte rund 2500 Soldaten nach Kasachstan.",
    "Denn die Regierung bat um Hilfe.", "Die Lage ist ernst.",
    "Im Jahr 2022 protestierten viele Menschen gegen hohe Preise.",
)


def _hit(scores: dict[str, float], rank: int = 1, text: str = TEXT, sentences: tuple[str, ...] = SENTENCES) -> Hit:
    spans = []
    for sentence in sentences:
        start = text.index(sentence)
        spans.append(Span(start, start + len(sentence), sentence))
    chunk = Chunk("c1", "a.txt", "Unruhen", "2022-01-07", text, 0, len(text), 0, tuple(spans))
    scored = tuple(
        sorted((ScoredSentence(s, _score(scores, s.text)) for s in spans), key=lambda s: -s.score)
    )
    return Hit(chunk, 0.1, rank, scored)


def _translator(german: dict[str, str]) -> Translate:
    """A dictionary of a few English words: their German, analysed."""
    return lambda words: [t for w in words.split() for t in analyze(german.get(w, ""))]


def _without(hit: Hit, marker: str) -> Hit:
    """The hit with every sentence containing `marker` gone from its chunk too."""
    keep = [s for s in hit.sentences if marker not in s.span.text]
    chunk = replace(hit.chunk, sentences=tuple(s for s in hit.chunk.sentences if marker not in s.text))
    return Hit(chunk, hit.score, hit.rank, tuple(keep))


def _score(scores: dict[str, float], text: str) -> float:
    return next((v for prefix, v in scores.items() if text.startswith(prefix)), 0.0)


def _profile(text: str) -> CorpusProfile:
    """A German corpus of about 400 sentences whose vocabulary is the words of `text`."""
    return CorpusProfile(frozenset(analyze(text)), "de", 400)


PROFILE = _profile(TEXT)


def _first_quote(question: str, text: str, sentences: tuple[str, ...], best: str,
                 policy: AnswerPolicy | None = None) -> str:
    """The first quote of the German answer to `question` when the sentence opening with `best` scores highest."""
    hit = _hit({best: 6.0}, text=text, sentences=sentences)
    return compose(question, [hit], "de", policy or AnswerPolicy(), _profile(text)).citations[0].quote


def test_language_of_the_question() -> None:
    assert detect_language("Why did the alliance send soldiers?") == "en"
    assert detect_language("Warum schickte das Bündnis Soldaten?") == "de"
    assert detect_language("Wie viele Soldaten?") == "de"
    # No umlaut and no word of the shorter list: "welches", "um", "nach" are German too.
    assert detect_language("Welches Dokument brauchen Russen, um nach Kasachstan einzureisen?") == "de"
    assert detect_language("What document do Russians need to enter Kazakhstan?") == "en"
    # "Was" is English too: a separable verb's particle or a preposition tells German questions from English ones.
    assert detect_language("Was warf Russlands Generalstaatsanwalt Krasnow Kasachstan vor?") == "de"
    assert detect_language("Gegen wen spielte Borussia Dortmund am Dienstag?") == "de"
    assert detect_language("Was it about the alliance or against it?") == "en"
    # A name's umlaut does not make an English question German; a German word's still counts.
    assert detect_language("Where was Sophie Müller born?") == "en"
    assert detect_language("Who is Müller?") == "en"
    assert detect_language("Wer ist Müller?") == "de"
    assert detect_language("Was für Jurten?") == "de"


def test_quotes_are_verbatim_spans_with_numbered_citations_and_a_frame() -> None:
    hit = _hit({"Das Bündnis": 6.0, "Die Lage ist": 1.0})
    answer = compose("How many soldiers did the alliance send?", [hit], "en", profile=PROFILE)
    assert not answer.abstained
    assert answer.text.startswith("According to the articles: “Das Bündnis schickte rund 2500 Soldaten")
    c = answer.citations[0]
    assert (c.n, c.source, c.title, c.date) == (1, "a.txt", "Unruhen", "2022-01-07")
    assert TEXT[c.start : c.end] == c.quote and f"{c.quote}” [1]" in answer.text
    german = compose("Wie viele Soldaten schickte das Bündnis?", [hit], "de", profile=PROFILE)
    assert german.text.startswith("Laut den Artikeln: „Das Bündnis")


def test_a_sentence_that_leans_on_the_previous_one_is_quoted_with_it() -> None:
    hit = _hit({"Das Bündnis": 6.0})
    answer = compose("Why did the alliance send soldiers?", [hit], "en", profile=PROFILE)
    assert answer.citations[0].quote.endswith("Denn die Regierung bat um Hilfe.")
    assert TEXT[answer.citations[0].start : answer.citations[0].end] == answer.citations[0].quote


def test_a_consequence_is_quoted_with_the_sentence_that_gives_its_reason() -> None:
    text = (
        "Die Preise stiegen.\n\n"
        "Der Weltmarkt zahlte mehr, im Land entstand ein Mangel. Deshalb protestierten viele Menschen. Das dauerte.\n\n"
        "Dann kamen Soldaten."
    )
    sentences = (
        "Die Preise stiegen.", "Der Weltmarkt zahlte mehr, im Land entstand ein Mangel.",
        "Deshalb protestierten viele Menschen.", "Das dauerte.", "Dann kamen Soldaten.",
    )
    profile = _profile(text)
    hit = _hit({"Deshalb": 6.0}, text=text, sentences=sentences)
    quote = compose("Warum protestierten viele Menschen?", [hit], "de", profile=profile).citations[0]
    reason = "Der Weltmarkt zahlte mehr, im Land entstand ein Mangel."
    assert quote.quote == f"{reason} Deshalb protestierten viele Menschen. Das dauerte."
    assert text[quote.start : quote.end] == quote.quote
    # Only within its paragraph: the sentence before a paragraph break is another thought.
    first = _hit({"Der Weltmarkt": 6.0}, text=text, sentences=sentences)
    alone = compose("Was zahlte der Weltmarkt?", [first], "de", profile=profile)
    assert alone.citations[0].quote.startswith("Der Weltmarkt")
    # "Denn" gives the reason itself: the sentence it explains is not needed to answer.
    denn = _hit({"Denn die": 6.0})
    because = compose("Warum bat die Regierung um Hilfe?", [denn], "de", profile=PROFILE)
    assert because.citations[0].quote.startswith("Denn")


def test_a_sentence_that_refers_to_the_reason_just_given_is_quoted_with_it() -> None:
    reason = "Wir erkennen Taiwan aus völkerrechtlichen Gründen nicht an."
    for opener in ("Aufgrund der gleichen Prinzipien", "Aus demselben Grund", "Aus diesem Grund"):
        same = f"{opener} erkennen wir Donezk nicht an."
        text = f"Die Preise stiegen.\n\n{reason} {same}"
        sentences = ("Die Preise stiegen.", reason, same)
        profile = _profile(text)
        hit = _hit({opener: 6.0}, text=text, sentences=sentences)
        quote = compose("Warum erkennt Kasachstan Donezk nicht an?", [hit], "de", profile=profile).citations[0]
        assert quote.quote == f"{reason} {same}", opener
    # Only as its opening: the same words inside a sentence are no reference back.
    inside = "Donezk erkennen wir aus dem gleichen Grund nicht an."
    text = f"{reason} {inside}"
    hit = _hit({"Donezk": 6.0}, text=text, sentences=(reason, inside))
    profile = _profile(text)
    quote = compose("Warum erkennt Kasachstan Donezk nicht an?", [hit], "de", profile=profile).citations[0]
    assert quote.quote == inside


def test_headings_are_not_answers() -> None:
    hit = _hit({"Unruhen in A": 6.0, "Im Jahr 2022": 5.0})
    answer = compose("Was geschah in Almaty?", [hit], "de", profile=PROFILE)
    assert "Unruhen in Almaty" not in [c.quote for c in answer.citations]


def test_a_paragraphs_last_sentence_without_a_full_stop_is_no_heading() -> None:
    text = "Unruhen in Almaty\n\nDie Lage ist ernst. Das Land gilt neben Belarus als wichtigster Verbündeter Russlands"
    sentences = ("Unruhen in Almaty", "Die Lage ist ernst.",
                 "Das Land gilt neben Belarus als wichtigster Verbündeter Russlands")
    hit = _hit({"Das Land": 6.0, "Die Lage": 2.0}, text=text, sentences=sentences)
    answer = compose("Welches Land gilt neben Kasachstan als Verbündeter Russlands?", [hit], "de",
                     profile=_profile(text))
    assert [c.quote[:8] for c in answer.citations] == ["Das Land"], answer.text
    assert heading_in(hit.chunk, hit.chunk.sentences[0])

def test_weak_evidence_is_declined() -> None:
    hit = _hit({"Das Bündnis": 0.5})
    answer = compose("What did the alliance do?", [hit], "en", AnswerPolicy(rank_bonus=0.0), profile=PROFILE)
    assert answer.abstained and not answer.citations
    assert answer.text.startswith("The articles don't answer this question.")


def test_how_many_needs_a_new_number_and_when_needs_a_date() -> None:
    hit = _hit({"Die Lage ist": 6.0, "Das Bündnis": 5.5})
    typed = compose("Wie viele Soldaten kamen?", [hit], "de", profile=PROFILE)
    assert not typed.abstained
    assert typed.citations[0].quote.startswith("Das Bündnis"), "a quote with a number beats a slightly better one"
    year_only = _without(_hit({"Im Jahr 2022": 6.0}), "2500")
    assert compose("Wie viele Menschen protestierten?", [year_only], "de", profile=PROFILE).abstained, (
        "a year is no count"
    )
    assert not compose("How long has the alliance existed?", [year_only], "en", profile=PROFILE).abstained, (
        "how long is answered by when it began"
    )
    assert not compose("Wie lange protestierten viele Menschen?", [year_only], "de", profile=PROFILE).abstained
    for day in ("Am 5. April protestierten viele Menschen.", "On April 5, 2022, many people protested."):
        assert missing_answer_type("How many people protested?", [day]), f"a day is no count: {day}"
    assert not missing_answer_type("How many people protested?", ["Am 5. April kamen 300 Menschen."])
    no_numbers = _without(_hit({"Die Lage ist": 6.0}), "2")
    assert compose("How long did the protests last?", [no_numbers], "en", profile=PROFILE).abstained
    assert compose("Wie viele Menschen wurden verletzt?", [no_numbers], "de", profile=PROFILE).abstained
    assert compose("When did the protests happen?", [no_numbers], "en", profile=PROFILE).abstained
    assert compose("An welchem Tag war die Lage ernst?", [no_numbers], "de", profile=PROFILE).abstained
    assert compose("Welchen Anteil machen die Soldaten aus?", [no_numbers], "de", profile=PROFILE).abstained
    # "when" as a conjunction asks for no date: "... respond when Moscow demanded ...".
    assert not compose("How did the people react when prices rose?", [no_numbers], "en", profile=PROFILE).abstained


def test_a_date_with_the_questions_own_verb_may_be_further_behind_the_best_quote() -> None:
    hit = _hit({"Das Bündnis": 6.0, "Im Jahr 2022": 4.0})
    policy = AnswerPolicy(rank_bonus=0.0)
    answer = compose("Wann protestierten die Menschen?", [hit], "de", policy, profile=PROFILE)
    assert not answer.abstained and answer.citations[0].quote.startswith("Im Jahr 2022"), answer.text
    narrow = replace(policy, type_window_asked=policy.type_window)
    assert compose("Wann protestierten die Menschen?", [hit], "de", narrow, profile=PROFILE).abstained
    # Without the question's verb in it, the date is too far behind: it may date something else.
    assert compose("Wann kamen die Menschen?", [hit], "de", policy, profile=PROFILE).abstained


def test_an_english_question_is_about_something_else_when_its_words_are_unknown_in_any_language() -> None:
    policy = AnswerPolicy()
    vocabulary = frozenset(analyze("Das Bündnis schickte Soldaten nach Almaty, sagte Tokajew. Gas kostet."))
    dictionary = {"alliance": analyze("Bündnis"), "soldiers": analyze("Soldaten"), "match": analyze("Spiel"),
                  "price": analyze("kostet"), "gas": analyze("Gas")}

    def translate(word: str) -> list[str]:
        return [t for t in dictionary.get(word.lower(), []) if t in vocabulary]

    def off_topic(question: str, with_dictionary: bool = True) -> bool:
        return about_something_else(question, False, vocabulary, policy,
                                    Lexicon(translate=translate if with_dictionary else None))

    assert off_topic("qwertzuiop?"), "not one word known"
    assert off_topic("Who won the football match yesterday?"), "three of four words unknown"
    assert not off_topic("Why did the alliance send soldiers?"), "translated"
    assert not off_topic("What did Tokayev say?"), "a name the articles spell otherwise"
    # Words of one or two letters are translated only in phrases ("go up"): alone they are neither known nor not.
    assert not off_topic("How much did the price of liquefied gas go up?"), "two of three words known"
    assert off_topic("How much did the price of the football match go?"), "three of four words unknown"
    assert not off_topic("Who won the football match yesterday?", with_dictionary=False), "nothing to tell by"


def test_an_acronym_the_articles_use_under_their_own_letters_is_no_unknown_name() -> None:
    policy = AnswerPolicy()
    vocabulary = frozenset(analyze("Die OVKS schickte Soldaten."))
    theirs = {"CSTO": analyze("OVKS"), "soldiers": analyze("Soldaten")}  # the acronym as the dictionary matches it

    def translate(word: str) -> list[str]:
        return theirs.get(word, [])

    def off_topic(question: str) -> bool:
        return about_something_else(question, False, vocabulary, policy, Lexicon(translate=translate))

    # Two capitalised words unknown in any spelling make a question about something else; the CSTO is the OVKS.
    assert not off_topic("Did the CSTO send soldiers to Quandtmann?")

def test_whose_account_it_is_says_nothing_about_what_a_question_asks() -> None:
    policy = AnswerPolicy()
    vocabulary = frozenset(analyze("Laut dem Bericht traf der Sturm die Stadt teilweise. Es gab Kurzmeldungen."))
    common = frozenset(analyze("Hurrikan Kurzmeldungen Sturm Bericht Stadt"))  # German nouns: not names

    def off_topic(question: str) -> bool:
        return about_something_else(question, True, vocabulary, policy, Lexicon(common))

    # One unknown name (Acapulco) is not enough. Known from "Laut dem Bericht", "laut" made three unknown words
    # of six only half, not "mostly".
    assert off_topic("Welcher Hurrikan hat laut den Kurzmeldungen Acapulco teilweise verwüstet?")
    assert off_topic("Welcher Hurrikan hat den Kurzmeldungen zufolge Acapulco teilweise verwüstet?")
    assert not off_topic("Welchen Sturm nennt der Bericht laut den Kurzmeldungen?")


def test_a_place_is_one_name_not_a_compound_of_the_word_it_starts_with() -> None:
    policy = AnswerPolicy()
    vocabulary = frozenset(analyze("Dort gewann das Team gegen viele. Ein Teil traf erst spät ein."))
    places = frozenset(analyze("Dortmund"))

    def off_topic(question: str, known_places: frozenset[str] = places) -> bool:
        # The dictionary's German words hold its places too: a place is still a name.
        common = frozenset(analyze("Dortmund Team Mund"))
        return about_something_else(question, True, vocabulary, policy, Lexicon(common, known_places))

    # Two unknown names: "Dortmund" is a city, not "dort" + "Mund".
    assert off_topic("Wo gewann das Team gegen Borussia Dortmund?")
    assert not off_topic("Wo gewann das Team gegen Borussia Dortmund?", frozenset()), "else a compound of 'dort'"
    # A compound of a word the articles use is still known ("Teil" in "Teilmobilmachung").
    assert not off_topic("Wen traf die Teilmobilmachung von Quandtmann?")
    assert off_topic("Did the XYZW send soldiers to Quandtmann?")


def test_the_second_part_of_a_question_about_something_else_is_not_answered_either() -> None:
    question = "Who scored for Gustav Mahlerberg against Roswitha Quandtmann, and which soldiers did the alliance send?"
    first, second = question_parts(question)
    hit = _hit({"Das Bündnis": 6.0})
    assert not compose(second, [hit], "en", profile=PROFILE).abstained, "alone, the second part is answered"
    parts = [SubQuestion(first, (hit,)), SubQuestion(second, (hit,))]
    answer = compose(question, [hit], "en", profile=PROFILE, parts=parts)
    assert answer.abstained and not answer.citations, answer.text
    # A second part that names what it asks about stands alone.
    question = "Who scored for Gustav Mahlerberg against Roswitha Quandtmann, and how many soldiers came to Almaty?"
    first, second = question_parts(question)
    parts = [SubQuestion(first, (hit,)), SubQuestion(second, (hit,))]
    answer = compose(question, [hit], "en", profile=PROFILE, parts=parts)
    assert [c.quote[:11] for c in answer.citations] == ["Das Bündnis"], answer.text


def test_a_question_that_asks_two_things_is_split_where_a_new_interrogative_begins() -> None:
    assert question_parts("When did Kazakhstan declare sovereignty, and which group made up the majority?") == [
        "When did Kazakhstan declare sovereignty?", "which group made up the majority?"]
    assert question_parts("Was sagte er zu den Referenden, und wie reagierte er auf die Forderung?") == [
        "Was sagte er zu den Referenden?", "wie reagierte er auf die Forderung?"]
    assert question_parts("Who said it, and on which principles does the country base its position?")[1] == (
        "on which principles does the country base its position?")
    assert question_parts("Which countries besides Russia and Kazakhstan belong to the alliance?") == []
    assert question_parts("Why did the CSTO intervene?") == []
    assert question_parts("Russia and which others?") == [], "too short to be two questions"


def test_two_interrogatives_sharing_one_predicate_each_get_it() -> None:
    # Split where "und wann" begins, the first part would be "In welcher Stadt?" and ask nothing.
    assert question_parts("In welcher Stadt und wann soll die nächste Jurte aufgestellt werden?") == [
        "In welcher Stadt soll die nächste Jurte aufgestellt werden?",
        "wann soll die nächste Jurte aufgestellt werden?",
    ]
    assert question_parts("Where and when did the protests start?") == [
        "Where did the protests start?", "when did the protests start?"]
    # "how" may open "how many": its predicate is not what follows it.
    assert question_parts("Who and how many came?") == []


def test_each_part_of_a_two_part_question_gets_its_own_quote() -> None:
    question = "Wie viele Soldaten schickte das Bündnis, und wann protestierten die Menschen?"
    whole = _hit({"Das Bündnis": 6.0, "Im Jahr 2022": 2.0})
    alone = compose(question, [whole], "de", profile=PROFILE)
    assert [c.quote[:11] for c in alone.citations] == ["Das Bündnis"], "the weaker sentence alone is not quoted"
    first, second = question_parts(question)
    parts = [SubQuestion(first, (whole,)), SubQuestion(second, (_hit({"Im Jahr 2022": 6.0}),))]
    answer = compose(question, [whole], "de", profile=PROFILE, parts=parts)
    assert [c.quote[:12] for c in answer.citations] == ["Das Bündnis ", "Im Jahr 2022"]
    unanswered = [SubQuestion(first, (whole,)), SubQuestion(second, (_without(_hit({"Die Lage": 6.0}), "2022"),))]
    answer = compose(question, [whole], "de", profile=PROFILE, parts=unanswered)
    assert [c.quote[:11] for c in answer.citations] == ["Das Bündnis"], "a part without a date adds nothing"
    assert answer.text.endswith("Keine Antwort geben die Artikel auf: „Wann protestierten die Menschen?“"), answer.text
    assert "Keine Antwort" not in compose(question, [whole], "de", profile=PROFILE, parts=parts).text
    # A part whose best quote is already quoted for the whole question gets its next one.
    question = "Wie viele Soldaten schickte das Bündnis, und was taten die Menschen?"
    first, second = question_parts(question)
    shared = _hit({"Das Bündnis": 6.0, "Im Jahr 2022": 5.0})
    parts = [SubQuestion(first, (whole,)), SubQuestion(second, (shared,))]
    answer = compose(question, [whole], "de", profile=PROFILE, parts=parts)
    assert [c.quote[:12] for c in answer.citations] == ["Das Bündnis ", "Im Jahr 2022"], answer.text


def test_a_part_that_asks_a_number_the_quotes_already_hold_is_answered_by_them() -> None:
    whole = _hit({"Das Bündnis": 6.0})
    weak = _without(_without(_hit({"Die Lage": 6.0}), "2022"), "2500")  # the part's own passages: no number, date
    for question, answered in (
        ("Was schickte das Bündnis, und wie viele waren es?", True),  # "rund 2500 Soldaten"
        ("Was schickte das Bündnis, und wann kamen sie?", False),  # the quotes hold no date
    ):
        first, second = question_parts(question)
        parts = [SubQuestion(first, (whole,)), SubQuestion(second, (weak,))]
        answer = compose(question, [whole], "de", profile=PROFILE, parts=parts)
        assert [c.quote[:11] for c in answer.citations] == ["Das Bündnis"], answer.text
        assert ("Keine Antwort" not in answer.text) == answered, answer.text


def test_questions_about_things_the_articles_never_mention_are_declined() -> None:
    hit = _hit({"Das Bündnis": 6.0})
    for question in (
        "Wie viele Soldaten schickte das Bündnis im Jahr 2031?",  # a year the articles never name
        "What did Gustav Mahlerberg tell Roswitha Quandtmann?",  # names they never name
        "Welche Tore schoss der Stürmer im Pokalfinale?",  # German words they never use
    ):
        assert compose(question, [hit], detect_language(question), profile=PROFILE).abstained, question
    assert not compose("Wie viele Soldaten schickte das Bündnis?", [hit], "de", profile=PROFILE).abstained
    # One unknown name said twice ("Russian", "Russians") beside a known one is not "mostly unknown names".
    repeated = "How many soldiers came to Kasachstan from Russian units, as Russians say?"
    assert not compose(repeated, [hit], "en", profile=PROFILE).abstained


def test_words_the_articles_language_knows_are_not_unknown_names() -> None:
    hit = _hit({"Das Bündnis": 6.0})
    # German capitalises nouns: "Kameras" and "Türen" are common words (the dictionary's), not names.
    german = "Wie protestierten viele gegen hohe Preise vor den Kameras und hinter den Türen?"
    common = frozenset(analyze("Kameras Türen"))
    assert compose(german, [hit], "de", profile=PROFILE).abstained
    assert not compose(german, [hit], "de", profile=PROFILE, lexicon=Lexicon(common)).abstained

    # "Alliance" and "Allied" are English spellings of a word the articles use ("Allianz").
    english = "Why did the Alliance and its Allied states send soldiers to Kasachstan?"
    allianz = frozenset(analyze("Allianz Soldaten"))
    profile = replace(PROFILE, vocabulary=PROFILE.vocabulary | allianz)

    def translate(word: str) -> list[str]:
        german = {"alliance": "Allianz", "allied": "verbündet", "soldiers": "Soldaten"}.get(word.lower(), "")
        return [t for t in analyze(german) if t in allianz]

    assert compose(english, [hit], "en", profile=profile).abstained
    assert not compose(english, [hit], "en", profile=profile, lexicon=Lexicon(translate=translate)).abstained

    # Only a translation spelled alike counts: a name rendered as some other word is no sign the articles name it.
    def unlike(word: str) -> list[str]:
        return analyze("Soldaten")

    assert compose(english, [hit], "en", profile=profile, lexicon=Lexicon(translate=unlike)).abstained


def test_half_the_words_unknown_is_not_yet_mostly_unknown() -> None:
    hit = _hit({"Das Bündnis": 6.0})
    # Four content words, two of them unknown ("Aufmarsch", "duldete"): half, not most.
    assert not compose("Duldete Kasachstan den Aufmarsch der Soldaten?", [hit], "de", profile=PROFILE).abstained
    assert compose("Duldete Kasachstan den Aufmarsch der Reiterstaffel?", [hit], "de", profile=PROFILE).abstained


def test_a_toll_or_the_number_of_something_asks_for_a_count() -> None:
    hit = _hit({"Die Lage ist": 6.0, "Denn die": 5.0})  # quotes without a number
    counted = _hit({"Das Bündnis": 6.0})
    for question in ("Wie hoch war die Zahl der Soldaten?", "What was the total number of soldiers?"):
        assert compose(question, [hit], detect_language(question), profile=PROFILE).abstained, question
        assert not compose(question, [counted], detect_language(question), profile=PROFILE).abstained, question
    # "a number of" means "several": nothing is counted.
    assert not compose("Why did a number of soldiers come?", [counted], "en", profile=PROFILE).abstained
    # A toll counts the dead: neither no number nor a number of soldiers answers it.
    for h in (hit, counted):
        assert compose("What was the death toll in Almaty?", [h], "en", profile=PROFILE).abstained


def test_a_count_of_deaths_needs_a_number_of_the_dead() -> None:
    for question in ("What was the death toll of the unrest?", "How many people were killed?",
                     "Wie viele Menschen kamen ums Leben?", "Wie viele Tote gab es?"):
        for quote in ("Mehr als 1000 Verletzte, zahlreiche tote Protestierende.",
                      "Das Land hat 3,5 Millionen Menschen und 60.000 Kasachen."):
            assert counts_no_deaths(question, quote), (question, quote)
        for quote in ("Es gab 225 Tote.", "Bei den Unruhen wurden 225 Menschen getötet.",
                      "Die Zahl der Todesopfer stieg auf 225.", "225 people died."):
            assert not counts_no_deaths(question, quote), (question, quote)
    assert not counts_no_deaths("How many people were injured?", "Mehr als 1000 Verletzte."), "not about deaths"


def test_the_threshold_shrinks_for_a_tiny_corpus() -> None:
    hit = _hit({"Das Bündnis": 1.0})
    policy = AnswerPolicy(rank_bonus=0.0)
    assert compose("What did the alliance do?", [hit], "en", policy, PROFILE).abstained
    tiny = CorpusProfile(PROFILE.vocabulary, "de", 5)  # z-scores over 5 sentences never exceed 2
    assert not compose("What did the alliance do?", [hit], "en", policy, tiny).abstained


def test_the_sentence_after_the_best_match_is_quoted_with_it() -> None:
    hit = _hit({"Die Lage ist": 6.0})
    answer = compose("Wie ist die Lage?", [hit], "de", profile=PROFILE)
    quote = answer.citations[0].quote
    assert quote == "Die Lage ist ernst. Im Jahr 2022 protestierten viele Menschen gegen hohe Preise."
    assert TEXT[answer.citations[0].start : answer.citations[0].end] == quote
    alone = compose("Wie ist die Lage?", [hit], "de", AnswerPolicy(quote_next=False), PROFILE)
    assert alone.citations[0].quote == "Die Lage ist ernst."


def test_how_much_money_needs_a_currency() -> None:
    hit = _hit({"Das Bündnis": 6.0})
    assert compose("How much money did the alliance spend?", [hit], "en", profile=PROFILE).abstained
    assert not compose("How many soldiers did the alliance send?", [hit], "en", profile=PROFILE).abstained
    # Any tense asks for money too; a share does not.
    for question in ("Wie viel hat der Einsatz des Bündnisses gekostet?", "Was kostet der Einsatz der Soldaten?",
                     "How much does the alliance's mission cost?", "Wie teuer war der Einsatz?"):
        assert compose(question, [hit], detect_language(question), profile=PROFILE).abstained, question
    priced = TEXT.replace("2500 Soldaten", "2500 Soldaten für 40 Millionen Euro")
    paid = _hit({"Das Bündnis": 6.0}, text=priced,
                sentences=tuple(x.replace("2500 Soldaten", "2500 Soldaten für 40 Millionen Euro") for x in SENTENCES))
    asked = "Wie viel haben die Soldaten des Bündnisses gekostet?"
    assert not compose(asked, [paid], "de", profile=_profile(priced)).abstained
    assert compose(asked, [hit], "de", profile=_profile(priced)).abstained


def test_asked_for_a_name_or_who_holds_a_role_the_quote_must_name_someone_the_question_does_not() -> None:
    # The language's common words, as a dictionary gives them: Almaty and Tokajew are not among them.
    common = analyze("Unruhen Bündnis Soldaten Kasachstan Regierung Hilfe Lage Jahr Menschen Präsident Chef")
    lexicon = Lexicon(frozenset(common))
    sentences = ("Das Bündnis schickte 2500 Soldaten nach Kasachstan.", "Der Präsident Tokajew bat um Hilfe.")
    named = _hit({"Das Bündnis": 6.0}, text=" ".join(sentences), sentences=sentences)
    unnamed = _hit({"Das Bündnis": 6.0})
    profile = _profile(TEXT + " ".join(sentences) + " heißt")
    asks = ("Wie heißt der Präsident, der um Hilfe bat?", "What is the name of the president who asked for help?",
            "Who is the president who asked for help?", "Wer ist Kasachstans Präsident?",
            "Wer war 2022 Chef des Bündnisses?")
    for question in asks:
        answer = compose(question, [named], detect_language(question), profile=profile, lexicon=lexicon)
        assert not answer.abstained and "Tokajew" in answer.citations[0].quote, question
        assert compose(question, [unnamed], detect_language(question), profile=profile, lexicon=lexicon).abstained
    # A name the question itself gives is no answer; without a dictionary there is no telling, so no check.
    asked = "What is the name of the alliance Tokajew called?"
    assert compose(asked, [named], "en", profile=profile, lexicon=lexicon).abstained
    assert not compose("Wie heißt der Präsident?", [unnamed], "de", profile=profile).abstained
    assert not compose("Was schickte das Bündnis?", [unnamed], "de", profile=profile, lexicon=lexicon).abstained
    # Asked who did something (an institution answers that as often), no name is needed.
    for question in ("Wer schickte die Soldaten?", "Who sent the soldiers?", "Wer sind die Soldaten des Bündnisses?"):
        assert not compose(question, [unnamed], detect_language(question), profile=profile, lexicon=lexicon).abstained


def test_asked_what_a_named_person_is_the_quote_must_name_them() -> None:
    sentences = ("Das Bündnis schickte 2500 Soldaten nach Kasachstan.", "Die Lage ist ernst.",
                 "Der Präsident Tokajew bat um Hilfe.")
    text = " ".join(sentences[:2]) + "\n\n" + sentences[2]  # the first quote runs on, not into his paragraph
    profile = _profile(TEXT + text)
    # The best sentence is about someone else; the one that names him is close enough behind to be quoted.
    close = _hit({"Das Bündnis": 6.0, "Der Präsident": 5.5}, text=text, sentences=sentences)
    for question in ("Wer ist Tokajew?", "Who is Tokayev?", "Who was Kassym Tokajew?"):
        answer = compose(question, [close], detect_language(question), profile=profile)
        assert not answer.abstained and "Tokajew" in answer.text, question
    # No quote near the best names him: what the articles say about others does not say who he is.
    far = _hit({"Das Bündnis": 6.0, "Der Präsident": 3.0}, text=text, sentences=sentences)
    assert compose("Who is Tokayev?", [far], "en", profile=profile).abstained
    assert not compose("Who is the president?", [far], "en", profile=profile).abstained
    # A role is no name: "Who is the president?" is answered by a new name (see above), not by the word "president".
    assert names_the_asked("Who is the president?", "Tokajew bat um Hilfe.")
    assert names_the_asked("Wer ist Zakharova?", "Er antwortet auf Zakharovas Worte.")


# A line that introduces the paragraph after it, between two plain paragraphs.
BANNER = "Das Bündnis schickte 2500 Soldaten. Auf dem Transparent stand:\n\n«Wir bleiben hier.»\n\nDie Polizei kam."
BANNER_SENTENCES = ("Das Bündnis schickte 2500 Soldaten.", "Auf dem Transparent stand:", "«Wir bleiben hier.»",
                    "Die Polizei kam.")


def test_a_colon_carries_the_quote_into_the_next_paragraph() -> None:
    quote = _first_quote("Was stand auf dem Transparent?", BANNER, BANNER_SENTENCES, "Auf dem")
    assert quote == "Auf dem Transparent stand:\n\n«Wir bleiben hier.»"
    # Without the colon a paragraph break still ends the quote of a paragraph's last sentence.
    text = "Die Lage ist ernst. Viele protestierten.\n\nDie Polizei kam."
    sentences = ("Die Lage ist ernst.", "Viele protestierten.", "Die Polizei kam.")
    assert _first_quote("Wer protestierte?", text, sentences, "Viele") == "Viele protestierten."


def test_a_quote_never_stops_on_the_colon_of_its_joined_sentence() -> None:
    quote = _first_quote("Wie viele Soldaten schickte das Bündnis?", BANNER, BANNER_SENTENCES, "Das Bündnis")
    assert quote == "Das Bündnis schickte 2500 Soldaten. Auf dem Transparent stand:\n\n«Wir bleiben hier.»"
    # Only what fits: past the quote length the colon stays the end.
    short = AnswerPolicy(max_quote_chars=len("Das Bündnis schickte 2500 Soldaten. Auf dem Transparent stand:"))
    cut = _first_quote("Wie viele Soldaten schickte das Bündnis?", BANNER, BANNER_SENTENCES, "Das Bündnis", short)
    assert cut.endswith("stand:")


def test_a_paragraph_opening_on_a_consequence_is_quoted_with_the_reason_before_it() -> None:
    text = ("Der Präsident rief das Bündnis zu Hilfe.\n\nUnd so kam es, dass fremde Soldaten im Land waren.\n\n"
            "Kein Wunder, dass viele protestierten.")
    sentences = ("Der Präsident rief das Bündnis zu Hilfe.", "Und so kam es, dass fremde Soldaten im Land waren.",
                 "Kein Wunder, dass viele protestierten.")
    quote = _first_quote("Wie kam es, dass Soldaten im Land waren?", text, sentences, "Und so")
    assert quote == "Der Präsident rief das Bündnis zu Hilfe.\n\nUnd so kam es, dass fremde Soldaten im Land waren."
    # One paragraph break only: the reason of "Kein Wunder" is the paragraph just before it, not two back.
    quote = _first_quote("Warum protestierten viele?", text, sentences, "Kein Wunder")
    assert quote == "Und so kam es, dass fremde Soldaten im Land waren.\n\nKein Wunder, dass viele protestierten."
    # "Daraufhin" (in response to that) takes the sentence it responds to, also across one paragraph break.
    response = text.replace("Und so kam es, dass fremde Soldaten im Land waren.", "Daraufhin kamen fremde Soldaten.")
    quote = _first_quote("Was war der Anlass?", response, (sentences[0], "Daraufhin kamen fremde Soldaten.",
                                                         sentences[2]), "Daraufhin")
    assert quote == "Der Präsident rief das Bündnis zu Hilfe.\n\nDaraufhin kamen fremde Soldaten."
    # A paragraph that opens on anything else does not take the one before it.
    plain = text.replace("Und so kam es, dass", "Dann")
    quote = _first_quote("Wer war im Land?", plain, (sentences[0], "Dann fremde Soldaten im Land waren.",
                                                      sentences[2]), "Dann")
    assert quote.startswith("Dann fremde Soldaten"), quote


def test_a_paragraph_telling_what_happened_next_is_quoted_with_the_event_before_it() -> None:
    text = ("Die Forderung kam am Morgen. Der Präsident lehnte sie ab.\n\n"
            "Zwanzig Minuten später warnte der Nachbar das Land. Er drohte.\n\n"
            "Darauf folgte eine Antwort. Sie war kurz.")
    sentences = ("Die Forderung kam am Morgen.", "Der Präsident lehnte sie ab.",
                 "Zwanzig Minuten später warnte der Nachbar das Land.", "Er drohte.", "Darauf folgte eine Antwort.",
                 "Sie war kurz.")
    quote = _first_quote("Wovor warnte der Nachbar, nachdem der Präsident ablehnte?", text, sentences, "Der Präsident")
    assert quote == "Der Präsident lehnte sie ab.\n\nZwanzig Minuten später warnte der Nachbar das Land."
    # Only a time phrase points back: a bare "Darauf" announces (or is an object, "Darauf hoffen viele").
    assert _first_quote("Wer drohte?", text, sentences, "Er drohte") == "Er drohte."


def test_a_paragraph_of_one_sentence_is_quoted_with_the_next_paragraph() -> None:
    text = ("Das Land wurde beschuldigt, Proteste zu dulden.\n\nDer Chefankläger Igor Krasnow erhob den Vorwurf.\n\n"
            "Die Regierung schwieg. Sie sagte nichts.\n\nDie Polizei kam.\n\nWeitere Vorwürfe\n\nDer Streit wuchs.")
    sentences = ("Das Land wurde beschuldigt, Proteste zu dulden.", "Der Chefankläger Igor Krasnow erhob den Vorwurf.",
                 "Die Regierung schwieg.", "Sie sagte nichts.", "Die Polizei kam.", "Weitere Vorwürfe",
                 "Der Streit wuchs.")
    # Wire style: a paragraph of one sentence goes on in the next one, as a longer paragraph's next sentence does.
    quote = _first_quote("Wer beschuldigte das Land?", text, sentences, "Das Land")
    assert quote == f"{sentences[0]}\n\n{sentences[1]}"
    # Only one paragraph on, and not from the last sentence of a longer paragraph, nor into a heading.
    assert _first_quote("Was tat die Regierung?", text, sentences, "Sie sagte") == "Sie sagte nichts."
    assert _first_quote("Wer kam?", text, sentences, "Die Polizei") == "Die Polizei kam."
    # Not with quote_next off: it extends that policy.
    alone = AnswerPolicy(quote_next=False)
    assert _first_quote("Wer beschuldigte das Land?", text, sentences, "Das Land", alone) == sentences[0]


def test_a_quote_goes_on_with_a_sentence_that_leans_back_on_it() -> None:
    text = ("Eine Bäuerin sagte dem Sender:\n\n«Wir unterstützen den Präsidenten sehr! Weil wir auf Arbeit hoffen. "
            "Wir träumen davon.»")
    sentences = ("Eine Bäuerin sagte dem Sender:", "«Wir unterstützen den Präsidenten sehr!",
                 "Weil wir auf Arbeit hoffen.", "Wir träumen davon.»")
    quote = _first_quote("Was sagte die Bäuerin?", text, sentences, "Eine Bäuerin")
    said = "Eine Bäuerin sagte dem Sender:\n\n«Wir unterstützen den Präsidenten sehr!"
    assert quote == said + " Weil wir auf Arbeit hoffen."
    # Once, and only a sentence that leans back: the third one here opens on nothing of the kind.
    quote = _first_quote("Wen unterstützen sie?", text, sentences, "«Wir")
    assert quote == "«Wir unterstützen den Präsidenten sehr! Weil wir auf Arbeit hoffen."
    # Only what fits.
    short = AnswerPolicy(max_quote_chars=len(said))
    assert _first_quote("Was sagte die Bäuerin?", text, sentences, "Eine Bäuerin", short).endswith("sehr!")


def test_the_articles_own_questions_are_not_answers_but_statements_ending_on_one_are() -> None:
    text = ("Und warum erhebt sich das Volk? Die Regierung antwortete auf die Forderung nur mit einem kurzen "
            "\"Na und?\"\n\nDie Preise stiegen.")
    sentences = ("Und warum erhebt sich das Volk?",
                 "Die Regierung antwortete auf die Forderung nur mit einem kurzen \"Na und?\"", "Die Preise stiegen.")
    profile = _profile(text)
    one = AnswerPolicy(quote_next=False, max_quotes=1)
    rhetorical = _hit({"Und warum": 6.0, "Die Preise": 5.0}, text=text, sentences=sentences)
    answer = compose("Warum erhebt sich das Volk?", [rhetorical], "de", one, profile)
    assert answer.citations[0].quote == "Die Preise stiegen."
    statement = _hit({"Die Regierung": 6.0, "Die Preise": 5.5}, text=text, sentences=sentences)
    answer = compose("Wie antwortete die Regierung?", [statement], "de", one, profile)
    assert answer.citations[0].quote.startswith("Die Regierung antwortete")
    # Even when it scores best after its penalty, the article's question is not quoted beside the answer.
    close = _hit({"Und warum": 7.0, "Die Preise": 5.4}, text=text, sentences=sentences)
    answer = compose("Warum erhebt sich das Volk?", [close], "de", AnswerPolicy(quote_next=False), profile)
    assert [c.quote for c in answer.citations] == ["Die Preise stiegen."], answer.text
    # A statement quoted with the question that follows it reports what was asked, and stays.
    said, asked = "Die Bauern schäumten vor Wut.", "Wie könnte die Regierung das wagen?"
    reported = f"{said} {asked}"
    hit = _hit({"Die Bauern": 6.0}, text=reported, sentences=(said, asked))
    own_profile = _profile(reported)
    answer = compose("Warum schäumten die Bauern vor Wut?", [hit], "de", AnswerPolicy(), own_profile)
    assert answer.citations[0].quote == reported, answer.text


def test_a_when_clause_that_sets_the_scene_does_not_make_a_count_question_ask_for_a_date() -> None:
    hit = _hit({"Das Bündnis": 6.0})
    scene = compose("When the unrest began, how many soldiers did the alliance send?", [hit], "en", profile=PROFILE)
    assert not scene.abstained and "2500" in scene.citations[0].quote


def test_the_focus_of_a_question_leaves_out_its_that_clauses() -> None:
    from rag.answer import question_focus

    assert question_focus("Which diplomat cut the ribbon that Russian media showed as evidence?") == (
        "Which diplomat cut the ribbon?"
    )
    assert question_focus("Why did he warn Russia in 2014 that Kazakhstan might leave the union, and why?") == (
        "Why did he warn Russia in 2014, and why?"
    )
    # Nothing to leave out, or too little left to ask anything: the question stays whole.
    assert question_focus("Who cut the ribbon?") == "Who cut the ribbon?"
    assert question_focus("Is it true that Russia sent troops?") == "Is it true that Russia sent troops?"


def test_the_focus_of_a_question_leaves_out_which_article_it_means() -> None:
    from rag.answer import question_focus

    # Which article the asker means is not what they ask: its words would find the article's lead, not the answer.
    cases = {
        "Welche Stadt wird im Bericht über die Angst, Russland könnte angreifen, als Hauptstadt genannt?": (
            "Welche Stadt wird als Hauptstadt genannt?"
        ),
        "Warum will Putin laut dem Bericht über die Unruhen in Kasachstan unbedingt einen Sturz verhindern?": (
            "Warum will Putin unbedingt einen Sturz verhindern?"
        ),
        "How many Ukrainians lived there in the 1920s, according to the article on the yurts?": (
            "How many Ukrainians lived there in the 1920s?"
        ),
        "In the story about the fake NATO centre, who cut the ribbon?": "who cut the ribbon?",
        # A source named without a topic ("laut dem Telegraph-Bericht") describes no article: it stays.
        "Wie viele Russen flohen laut dem Telegraph-Bericht?": "Wie viele Russen flohen laut dem Telegraph-Bericht?",
    }
    for question, focus in cases.items():
        assert question_focus(question) == focus


def test_how_many_x_is_not_answered_by_a_number_that_counts_something_else() -> None:
    alliance = "Das Bündnis schickte rund 2500 Soldaten. Es besteht aus sechs ehemaligen Republiken."
    assert counts_other_things("Wie viele der rund 2500 Soldaten waren Russen?", alliance), (
        "the asked number is no answer, and six republics are no soldiers"
    )
    assert not counts_other_things("Wie viele Soldaten schickte das Bündnis?", alliance)
    assert not counts_other_things("Wie viele OVKS-Soldaten kamen?", alliance), "a compound counts its head"
    # A number that counts no noun, or people in general, may count what is asked.
    assert not counts_other_things("Wie viele Einwohner hat das Land?", "Es hat eine Bevölkerung von 19 Millionen.")
    assert not counts_other_things("Wie viele Russen leben dort?", "Dort leben 3,5 Millionen Menschen.")
    assert counts_other_things("Wie viele Tote gab es?", "Heute stellen 20 Prozent der Bevölkerung die Minderheit.")
    assert not counts_other_things("How many soldiers came?", alliance), "English nouns are not capitalised"
    hit = _hit({"Das Bündnis": 6.0})
    assert compose("Wie viele Panzer schickte das Bündnis?", [hit], "de", profile=PROFILE).abstained
    assert not compose("Wie viele Soldaten schickte das Bündnis?", [hit], "de", profile=PROFILE).abstained
    assert compose("Aus wie vielen Panzern bestand es?", [hit], "de", profile=PROFILE).abstained, "dative 'wie vielen'"
    # "Die Zahl der X" counts X as "wie viele X" does.
    assert counts_other_things("Wie hoch war die Zahl der Panzer?", alliance)
    assert not counts_other_things("Wie hoch war die Anzahl der ausländischen Soldaten?", alliance)


def test_how_many_more_x_needs_a_number_of_more_x() -> None:
    built = "Kasachstan errichtete zwei Jurten in Kiew. Es sollen weitere Zelte folgen."
    assert counts_other_things("Wie viele weitere Jurten sollen aufgestellt werden?", built), (
        "the two that stand are not the ones still to come"
    )
    assert not counts_other_things("Wie viele Jurten stehen in Kiew?", built)
    assert counts_other_things("Wie viele weitere Jurten sollen folgen?", "Es stehen zwei Jurten und weitere Zelte.")
    for more in ("Es sollen zwei weitere Jurten folgen.", "Es sollen noch zwei Jurten folgen."):
        assert not counts_other_things("Wie viele weitere Jurten sollen aufgestellt werden?", more), more
    assert not counts_other_things("Wie viele Soldaten kamen, wie viele weitere Jurten?", "Es kamen 2500 Soldaten.")


def test_a_close_quote_that_counts_the_asked_noun_answers_first() -> None:
    text = ("Viele kamen als Bauern. Im Land leben 60.000 Kasachen und 300.000 Ukrainer.\n\n"
            "Kasachstan errichtete zwei Jurten in Kiew.")
    sentences = ("Viele kamen als Bauern.", "Im Land leben 60.000 Kasachen und 300.000 Ukrainer.",
                 "Kasachstan errichtete zwei Jurten in Kiew.")
    profile = _profile(text)
    hit = _hit({"Im Land": 6.0, "Kasachstan": 5.2}, text=text, sentences=sentences)
    one = AnswerPolicy(max_quotes=1)
    answer = compose("Wie viele Jurten stehen in Kiew?", [hit], "de", one, profile)
    assert not answer.abstained and answer.citations[0].quote.startswith("Kasachstan errichtete zwei"), answer.text
    far = _hit({"Im Land": 6.0, "Kasachstan": 3.0}, text=text, sentences=sentences)
    assert compose("Wie viele Jurten stehen in Kiew?", [far], "de", one, profile).abstained, "too weak to answer"


def test_an_english_how_many_finds_the_counted_noun_through_its_translation() -> None:
    text = "Es gab 1000 Verletzte. Die Lage blieb ernst.\n\nDas Bündnis schickte 2500 Soldaten."
    sentences = ("Es gab 1000 Verletzte.", "Die Lage blieb ernst.", "Das Bündnis schickte 2500 Soldaten.")
    # The question's other words count as used in the articles, so that the question is about them.
    profile = _profile(text + " alliance send troops came")
    hit = _hit({"Es gab": 6.0, "Die Lage": 5.6, "Das Bündnis": 5.2}, text=text, sentences=sentences)
    translate = _translator({"soldiers": "Soldaten"})
    question = "How many soldiers did the alliance send?"
    plain = compose(question, [hit], "en", AnswerPolicy(max_quotes=1), profile)
    assert "1000 Verletzte" in plain.citations[0].quote, "without a dictionary, English marks no noun"
    answer = compose(question, [hit], "en", AnswerPolicy(max_quotes=1), profile, Lexicon(translate=translate))
    assert not answer.abstained and "2500 Soldaten" in answer.citations[0].quote, answer.text
    # A count of something else is not declined in English: "troops" may be the articles' "Soldaten".
    assert not compose("How many troops came?", [hit], "en", AnswerPolicy(max_quotes=1), profile,
                       Lexicon(translate=translate)).abstained


def test_a_count_in_words_answers_how_many_and_counts_a_compound_of_a_short_noun() -> None:
    sentences = (
        "Tausende Antikriegsrussen haben sich in Almaty niedergelassen.",
        "Rund 100.000 Russen flohen vor dem Krieg.",
    )
    text = "\n\n".join(sentences)
    profile = _profile(text + " settled")
    hit = _hit({"Tausende": 6.0, "Rund": 5.5}, text=text, sentences=sentences)
    one = AnswerPolicy(max_quotes=1)
    # "Tausende" is a count without digits; without it the question was declined for want of a number.
    german = compose("Wie viele Antikriegsrussen haben sich in Almaty niedergelassen?", [hit], "de", one, profile)
    assert not german.abstained and german.citations[0].quote.startswith("Tausende"), german.text
    translate = _translator({"Russians": "Russen"})
    # English names the head of the compound: "Russians" (Russen, three letters analysed) are counted by
    # "Tausende Antikriegsrussen", so the close quote about the 100,000 who fled does not answer first.
    english = compose("How many Russians settled in Almaty?", [hit], "en", one, profile, Lexicon(translate=translate))
    assert not english.abstained and english.citations[0].quote.startswith("Tausende"), english.text


def test_how_much_of_a_thing_needs_a_quote_that_names_it() -> None:
    sentences = (
        "Rund 100.000 Russen flohen vor dem Krieg.",
        "Kasachstan fördert täglich 1,8 Millionen Barrel Rohöl.",
    )
    text = "\n\n".join(sentences)
    profile = _profile(text + " Öl")
    one = AnswerPolicy(max_quotes=1)
    refugees = _hit({"Rund": 6.0}, text=sentences[0], sentences=sentences[:1])
    both = _hit({"Rund": 6.0, "Kasachstan": 5.5}, text=text, sentences=sentences)
    # An amount is counted in units, not in what is measured: a quote that never names it is no answer.
    assert compose("Wie viel Öl fördert Kasachstan pro Tag?", [refugees], "de", one, profile).abstained
    answer = compose("Wie viel Öl fördert Kasachstan pro Tag?", [both], "de", one, profile)
    assert not answer.abstained and "Rohöl" in answer.citations[0].quote, answer.text
    assert not compose("Wie viel mehr Russen flohen?", [refugees], "de", one, profile).abstained, "no noun: no check"
    translate = _translator({"oil": "Öl"})
    lexicon = Lexicon(translate=translate)
    assert compose("How much oil does Kazakhstan produce a day?", [refugees], "en", one, profile, lexicon).abstained
    english = compose("How much oil does Kazakhstan produce a day?", [both], "en", one, profile, lexicon)
    assert not english.abstained and "Rohöl" in english.citations[0].quote, english.text
    assert not measures_something_else("How much longer did they stay?", "Sie blieben 2 Wochen.", translate)


def test_how_much_a_thing_changed_is_answered_by_a_factor() -> None:
    sentence = "Der Ärger über die Verdopplung der Preise für Flüssiggas war groß."
    profile = _profile(sentence + " Autogas gestiegen")
    hit = _hit({"Der Ärger": 6.0}, text=sentence, sentences=(sentence,))
    one = AnswerPolicy(max_quotes=1)
    for question in ("Um wie viel war der Preis für Autogas gestiegen?", "By how much did the gas price rise?"):
        answer = compose(question, [hit], detect_language(question), one, profile)
        assert not answer.abstained and "Verdopplung" in answer.citations[0].quote, question
    # A count is not a factor: "how many" still needs a number.
    assert compose("Wie viele Preise sind gestiegen?", [hit], "de", one, profile).abstained


def test_which_described_x_needs_a_quote_that_says_which() -> None:
    lexicon = frozenset(analyze("April General Armee Grenze"))
    question = "Welche russischen Generäle sagten im April, sie würden bis zur Grenze kämpfen?"
    generic = "Im April sagten russische Generäle, ihre Armeen würden bis zur Grenze kämpfen."
    assert generic_mention(question, generic, lexicon)
    named = "Im April sagten die russischen Generäle Gerassimow und Surowikin das."
    assert not generic_mention(question, named, lexicon)
    assert not generic_mention("Welche Generäle sagten das?", generic, lexicon), "no description to repeat"
    assert not generic_mention(question, generic, frozenset()), "without the language's words, names are unknown"


def test_asked_for_a_kind_of_place_place_names_answer() -> None:
    kinds = frozenset(analyze("Stadt Republik Land"))
    assert asks_for_a_place("Welche ehemaligen Sowjetrepubliken gehören dazu?", kinds), "a compound of a kind"
    assert asks_for_a_place("In welcher ukrainischen Stadt steht die Jurte?", kinds)
    assert asks_for_a_place("Welche Länder gründeten sie?", kinds)
    assert not asks_for_a_place("Welche russischen Generäle sagten das?", kinds)
    assert not asks_for_a_place("Wo steht die Jurte?", kinds)


def test_what_an_acronym_stands_for_is_where_the_articles_define_it() -> None:
    text = ("Es gibt sie seit 2002. Die OVKS ist ein Bündnis aus sechs Staaten.\n\n"
            "Das Bündnis „Organisation des Vertrags über kollektive Sicherheit“ (OVKS) schickte Soldaten.")
    sentences = ("Es gibt sie seit 2002.", "Die OVKS ist ein Bündnis aus sechs Staaten.",
                 "Das Bündnis „Organisation des Vertrags über kollektive Sicherheit“ (OVKS) schickte Soldaten.")
    hit = _hit({"Die OVKS": 6.0, "Das Bündnis": 4.0}, text=text, sentences=sentences)
    profile = replace(_profile(text + " Abkürzung steht Nato"),
                      acronyms=(("OVKS", "Organisation des Vertrags über kollektive Sicherheit"),))
    answer = compose("Wofür steht die Abkürzung OVKS?", [hit], "de", profile=profile)
    assert [c.quote for c in answer.citations] == [sentences[2]], answer.text
    # Asked about it otherwise, the best sentence leads as before.
    assert compose("Was ist die OVKS?", [hit], "de", profile=profile).citations[0].quote == sentences[1]
    # An acronym the articles never define is not answered by sentences that use it.
    assert compose("Wofür steht die Abkürzung NATO?", [hit], "de", profile=profile).abstained

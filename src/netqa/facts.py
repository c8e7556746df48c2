"""Sentence + question -> the short answer: the span of the asked shape bound to the question's own words.

Shapes are patterns over the quoted sentence (a percent, a count, a date, a time span, a condition, a
person, an organisation, a role, ...); the question type's row (message.question_types) lists which shapes
answer it. Of several spans, the one nearest the question's rarest words, in the same clause, wins.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from netqa import lexical
from netqa.lang import en
from netqa.message import Question, types_by_name
from netqa.text import content_words, stem, undotted, words


def _alternatives(name: str) -> str:
    return "|".join(re.escape(w) for w in en.ordered_words(name))


_MONTH = f"(?:{_alternatives('months.txt')})"
_NUMBER_WORD = f"(?:{_alternatives('number_words.txt')})"
_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?"
_TIME = r"\b(?:[01]?\d|2[0-3])(?::[0-5]\d(?:\s?[ap]\.?m\.?)?|\s?[ap]\.?m\.?)"
_WEEKDAY = f"(?:{_alternatives('weekdays.txt')})"
_ORG_WORD = f"(?:{_alternatives('organisation_words.txt')})"
_CAPITALISED_RUN = r"[A-Z][\w-]*(?:\s+(?:(?:of|for|and|the|in|at|&)\s+)*[A-Z][\w-]*)*"
_TIME_UNIT = r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)"
_TIME_SPAN = rf"{_TIME}(?:\s?(?:-|to|and|until|till)\s?{_TIME})?"
_DAY_SPAN = rf"{_WEEKDAY}s?(?:\s?(?:-|to|through|thru|until|and)\s?{_WEEKDAY}s?)?"

# The shapes of fact a question can ask for, as patterns over the quoted sentence.
SHAPES: dict[str, re.Pattern] = {
    "percent": re.compile(rf"(?:{_NUMBER})(?:\s*(?:-|to)\s*(?:{_NUMBER}))?\s?(?:%|percent\b)"),
    # A number word inside a compound ("five-year") describes something; it counts nothing.
    "count": re.compile(rf"\b(?:(?:a |the )(?:majority|minority)(?= of)|(?<!first )(?<!second )(?:half|most|all|none)"
                        rf"(?= of)|(?<!:)(?:{_NUMBER})(?:\s*(?:-|to)\s*(?:{_NUMBER}))?(?![\d%])(?!-\d)(?!-[a-z])(?!:\d)"
                        rf"(?!\s*(?:%|percent))|{_NUMBER_WORD} or (?:more|fewer|less)"
                        rf"|{_NUMBER_WORD}(?! of\b)(?! or\b)(?!-))\b",
                        re.IGNORECASE),
    "date": re.compile(rf"\b(?:(?:the )?(?:first|second|third|fourth) (?:half|quarter) of |(?:early|late|mid-?) ?)?"
                       rf"(?:{_MONTH} (?:\d{{1,2}}, )?)?(?:19|20)\d{{2}}\b"
                       rf"|\b(?:(?:on|from) )?{_DAY_SPAN}\b(?:,?\s(?:from\s)?{_TIME_SPAN})?"
                       rf"|(?:between )?{_TIME_SPAN}|\b{_MONTH} \d{{1,2}}\b"),
    # "When does the licence terminate?" is answered by what makes it happen.
    "condition": re.compile(r"\b(?:if|unless|until|upon|once|whenever|as soon as|within \w+ \w+ (?:of|after)|"
                            r"after|before)\b[^.;:!?]{3,120}", re.IGNORECASE),
    "duration": re.compile(rf"\b(?:{_NUMBER}|{_NUMBER_WORD})[ -]{_TIME_UNIT}\b", re.IGNORECASE),
    "person": re.compile(r"\b(?:Dr\.? )?[A-Z][a-z]+(?: [A-Z]\.)? [A-Z][a-z]+(?:-[A-Z][a-z]+)?\b"),
    "place": re.compile(rf"\b{_CAPITALISED_RUN}"),
    "organisation": re.compile(rf"\b{_CAPITALISED_RUN}"),
    "role": re.compile(rf"\b(?:the|any|each|every|a|an|your|its)\s+(?:[\w-]+\s+){{0,2}}?"
                       rf"(?:{_alternatives('role_words.txt')})\b", re.IGNORECASE),
    "amount": re.compile(rf"(?:[$€£]\s?(?:{_NUMBER})|(?:{_NUMBER})\s?(?:mg|mcg|µg|g|ml|mL|milligrams?|grams?|"
                         rf"tablets?|pills?|capsules?|doses?|dollars|euros|pounds)\b)"
                         rf"(?:\s(?:daily|a day|per day|twice daily))?"),
    "frequency": re.compile(
        r"\b(?:daily|weekly|monthly|yearly|annually|nightly|hourly|once|twice|three times|every (?:day|week|month|"
        r"year|morning|night|\d+ \w+)|(?:once|twice|\d+ times) (?:a|per|each) \w+|(?:a|per|each) day)\b",
        re.IGNORECASE),
    # "1.2.3", "2.6", "1.2.x", "version 3": a release, never a figure that merely has a decimal point
    "version": re.compile(r"\b(?:[vV]\s?)?\d+(?:\.(?:\d+|[xX]))+[a-z]?\b(?!\.\d|\s?(?:%|[kKMGT]i?B\b|[kMG]?Hz\b|m?s\b"
                          r"|mg\b|ml\b|percent\b|seconds?\b|minutes?\b|hours?\b|times\b))|\b[Vv]ersion\s+\d+(?:\.\d+)*\b"),
    "ratio": re.compile(r"\b\d+(?:\.\d+)?\s?:\s?\d+(?:\.\d+)?\b"),
    "money": re.compile(rf"[$€£]\s?(?:{_NUMBER})|(?:{_NUMBER})\s?(?:dollars|euros|pounds|pence|cents|USD|EUR|GBP)\b"),
}
_MONEY_QUESTION = re.compile(r"\b(cost|costs|price|prices|pay|paid|charge|charges|fee|fees|expensive|cheap)\b",
                             re.IGNORECASE)
_PAST_QUESTION = re.compile(r"\b(did|was|were|had)\b", re.IGNORECASE)  # a past event is dated, not conditioned
_TIME_UNITS = ("months", "weeks", "days", "years", "hours")
_YEAR = re.compile(r"^(?:19|20)\d{2}$")
_NAMED_KIND = re.compile(r"\b(?:which|what) (\w+)", re.IGNORECASE)
_ORG = re.compile(rf"\b{_ORG_WORD}\b")
_ORG_WORDS = {w.lower() for w in en.ordered_words("organisation_words.txt")}
_OPEN_TYPES = ("definition", "other")
NUMERIC_SHAPES = ("percent", "count", "duration", "amount", "money", "ratio", "frequency")
_ONE_THING = re.compile(r"^\W*(?:so |and |ok )?what(?:'s| is| was)\b", re.IGNORECASE)  # not "what are the side effects"
_LABEL_BEFORE = re.compile(rf"(?:[A-Za-z]-|\b(?:{_alternatives('label_words.txt')}) )$", re.IGNORECASE)
_PARTITIVE = re.compile(r"\bhow many of\b", re.IGNORECASE)
FACT_REACH = 12  # words between a figure and the nearest question word, at most
NAME_PART_WEIGHT = 0.2  # a question word the sentence has inside a name it does not name ("... Cancer Network")
# A run of capitalised words (linked by "of", "for", "and", ...): a name, whose words say nothing on their own
_NAME_RUN = re.compile(r"\b[A-Z][\w-]*(?:\s+(?:(?:of|for|and|the|in|on|&)\s+)*[A-Z][\w-]*)+")
MODIFIER_WEIGHT = 3.0  # "pNET" in "how many pNET patients": the word that says which figure is meant
# Clause boundaries: a figure belongs to the clause it stands in ("5% ..., while thrombotic ... 1-2%").
_CLAUSE_BREAK = re.compile(r"[;—]|(?<=[.!?])\s+(?=[A-Z])|,\s+(?:while|whereas|but|and|compared)\b"
                           r"|\s+compared (?:to|with)\b|\bwhile\b")


def wanted_shapes(question: Question) -> tuple[str, ...]:
    """The shapes of fact that answer the question, in order of preference; () when any sentence may."""
    if question.type == "amount" and _MONEY_QUESTION.search(question.normalised):
        return ("money",)
    if question.unit:
        return ("duration",) if question.unit in _TIME_UNITS else ("count",)
    shapes = types_by_name()[question.type].shapes
    if not shapes and _place_kind(question):
        return ("place",)  # "which state's law ...": needs_fact asks for a place of that kind, so this looks for one
    if "condition" in shapes and _PAST_QUESTION.search(question.normalised):
        shapes = tuple(s for s in shapes if s != "condition")
    return shapes


def money_words(question: Question) -> frozenset[str]:
    """The words a question asking for a price is recognised by ("cost" in "how much does parking cost?"):
    a sum of money in the text answers them."""
    if wanted_shapes(question) != ("money",):
        return frozenset()
    return frozenset(w.lower() for w in _MONEY_QUESTION.findall(question.normalised))


def needs_fact(question: Question) -> bool:
    return bool(question.unit) or types_by_name()[question.type].required or _place_kind(question) is not None


def _place_kind(question: Question) -> str | None:
    """"city" in "in which city ...": the answer must be a place of that kind, not an organisation."""
    named = _NAMED_KIND.search(question.normalised)
    kind = named.group(1).lower() if named else None
    return kind if kind in en.word_list("place_kinds.txt") else None


def needs_nearby_word(question: Question) -> bool:
    return bool(question.unit) or types_by_name()[question.type].near


def extract_fact(sentence: str, question: Question, query: dict[str, float], idf,
                 synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> str | None:
    """The span of the asked shape nearest the question's own words (weighted by rarity), in the same clause.

    closeness(span) = sum over question words w in the span's clause of m(w) * idf(w) * exp(-distance / 5),
    where m weighs up the words that say which of several figures is meant ("pNET patients") and down a
    word that stands after another figure (it describes that one). A figure with no question word within
    FACT_REACH words belongs to something else and is not taken.
    """
    shapes = wanted_shapes(question)
    if not shapes and question.type in _OPEN_TYPES and _ONE_THING.match(question.normalised):
        shapes = ("percent",)  # "what is the five-year survival?" asks for a rate without saying so
    spans: list[tuple[int, int]] = []
    for shape in shapes:
        spans = _fact_spans(sentence, shape, question, synonyms)
        if spans:
            break
    if not spans:
        return None
    tokens = []
    parts: set[tuple[int, str]] = set()  # (position, stem) of a compound's parts ("extra-pancreatic")
    for m in re.finditer(r"[^\W_]+(?:[-'][^\W_]+)*", undotted(sentence)):
        tokens.append((m.start(), m.end(), stem(m.group().lower())))
        if "-" in m.group():  # "extra-pancreatic" is also "extra" and "pancreatic", though less so
            split = [(m.start(), m.end(), stem(part.lower())) for part in m.group().split("-") if part]
            tokens.extend(split)
            parts.update((a, token) for a, _, token in split)
    counted = _stems_with_synonyms((question.counted,) if question.counted else (), synonyms)
    named = _inside_names(undotted(sentence), question.normalised)
    # The words that say which figure is meant: "pNET" in "how many pNET patients" (not "trial" in "how many
    # of the trial participants ...": the whole they are taken from)
    modifiers = set() if _PARTITIVE.search(question.normalised) else _stems_with_synonyms(question.modifiers, synonyms)
    clauses = [0] + [m.end() for m in _CLAUSE_BREAK.finditer(sentence)] + [len(sentence)]

    def clause_of(position: int) -> int:
        return next(i for i, end in enumerate(clauses[1:]) if position < end)

    # A question word found in the clause of every figure does not tell them apart ("events" in
    # "hemorrhagic events ... 5%, while thrombotic events ... 1-2%"): it counts for little.
    figure_clauses = {clause_of(a) for a, _ in spans}
    clauses_with: dict[str, set[int]] = {}
    for position, _, token in tokens:
        clauses_with.setdefault(token, set()).add(clause_of(position))

    def owner_of(position: int) -> tuple[int, int]:
        before = [sp for sp in spans if sp[1] <= position and clause_of(sp[0]) == clause_of(position)]
        after = [sp for sp in spans if sp[0] >= position]
        return max(before) if before else min(after) if after else spans[0]

    owner = {position: owner_of(position) for position, _, _ in tokens}
    # Before every figure, when they stand in different clauses, is what the sentence is about: "The five-year
    # survival ...: 23% for pancreatic cases compared to 55% for lung-derived" - it tells the figures apart little.
    subject_end = min(a for a, _ in spans) if len(figure_clauses) > 1 else -1

    numeric = shape in NUMERIC_SHAPES  # names are introduced by the words before them ("conducted through")
    # Whether the question's own words other than the counted noun stand in the sentence (they, not the noun, then
    # bind a figure); a word only a synonym brought ("this drug" -> "cabozantinib") binds none.
    others_here = any(query.get(token, 0.0) >= 1.0 and token not in counted for _, _, token in tokens)

    def closeness(span: tuple[int, int]) -> tuple[float, int]:
        total, nearest = 0.0, 10**6
        for position, token_end, token in tokens:
            # Words inside any candidate are part of an answer, not context for one.
            if token in query and not any(a <= position < b for a, b in spans) \
                    and clause_of(position) == clause_of(span[0]):
                between = sentence[token_end:span[0]] if position < span[0] else sentence[span[1]:position]
                distance = len(between.split())
                weight = (0.5 if token in counted else 1.0) * max(idf(token), 1.0) * query[token]
                if token in modifiers:
                    weight *= MODIFIER_WEIGHT
                if len(figure_clauses) > 1 and figure_clauses <= clauses_with[token] or position < subject_end:
                    weight *= 0.25
                if (position, token) in parts:
                    weight *= 0.5
                if position in named:
                    weight *= NAME_PART_WEIGHT
                # A word describes the figure it follows ("99 with pNET and 199 with epNET"), or, before
                # any figure, the first one after it.
                if numeric and owner[position] != span:
                    weight *= 0.3
                # At equal distance the word before wins ("... Congress and published in the Journal").
                total += weight * math.exp(-distance / 5) * (1.0 if position < span[0] else 0.97)
                # "how many patients got placebo?": placebo must be near, not patients; but when no other
                # question word is in the sentence, "298 patients" counts what is asked
                if (token not in counted or not others_here and position > span[0] and distance <= 2) \
                        and position not in named:  # nor does a word inside a name bind a figure to the question
                    nearest = min(nearest, distance)
        return total, nearest

    scored = [(closeness(span), span) for span in spans]
    if needs_nearby_word(question):
        scored = [item for item in scored if item[0][1] <= FACT_REACH]
        if not scored:
            return None
    (_, nearest), (start, end) = max(scored, key=lambda item: item[0][0])
    return sentence[start:end].strip(" ,.;")


def _inside_names(sentence: str, question: str) -> set[int]:
    """Where the sentence has a word inside a name of several words the question does not name: "Cancer" in
    "National Comprehensive Cancer Network" says nothing of "cancer" in the question, unless the question has
    another word of the name too, or writes the word as the name does ("GNU" in "the GNU GPL")."""
    asked = set(words(question))
    written = set(re.findall(r"[^\W_]+", question))  # as the question writes them: "GNU" names a name, "cancer" not
    stop = en.word_list("stopwords.txt")
    inside: set[int] = set()
    for run in _NAME_RUN.finditer(sentence):
        parts = [(m.start(), m.group()) for m in re.finditer(r"[^\W_]+", run.group())]
        content = {w.lower() for _, w in parts if w.lower() not in stop}
        if len(content) < 2:
            continue
        inside |= {run.start() + offset for offset, w in parts if w.lower() not in stop and w not in written
                   and not (content - {w.lower()}) & asked}
    return inside


def _stems_with_synonyms(phrase_words: tuple[str, ...], synonyms) -> set[str]:
    """Stems of the words, and of the document words a lay word among them stands for."""
    out = {stem(w.lower()) for w in phrase_words}
    wanted = {w.lower() for w in phrase_words}
    out |= {stem(w) for phrase, document_words in synonyms if phrase in wanted
            for dw in document_words for w in content_words(dw.lower())}
    return out


def _counts(after: str, counted: set[str]) -> bool:
    """Whether a number counts the asked thing: the words right after it (up to a function word) name it,
    or there are none ("99 with pancreatic NET")."""
    stop = en.word_list("stopwords.txt")
    following: list[str] = []
    for m in re.finditer(r"[^\W\d_][\w'-]*|[^\w\s]", after):
        word = m.group().lower()
        if word in stop or not word[:1].isalpha() or len(following) == 3:
            break
        following.append(word)
    return not following or any(stem(w) in counted or stem(w.split("-")[-1]) in counted for w in following)


def _fact_spans(sentence: str, wanted: str, question: Question,
                synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> list[tuple[int, int]]:
    pattern = SHAPES.get(wanted)
    if pattern is None:
        return []
    asked = {stem(w) for w in content_words(question.normalised)}
    names = [m.span() for m in SHAPES["place"].finditer(sentence)]
    spans = []
    counted = _stems_with_synonyms((question.counted,), synonyms) if question.counted and \
        question.counted.lower() not in en.word_list("generic_words.txt") else set()
    for m in pattern.finditer(sentence):
        text = m.group()
        if wanted == "count" and (_YEAR.match(text) or _is_label_number(sentence, m)):
            continue
        if wanted == "count" and counted and not _counts(sentence[m.end():], counted):
            continue  # "how many hospitals?" is not answered by "298 patients"
        if wanted == "duration" and question.unit and not re.search(question.unit.rstrip("s"), text, re.I):
            continue
        if wanted == "duration" and "-" in text and re.match(r"\s+[a-z]", sentence[m.end():]):
            continue  # "five-year survival": a span of time that describes a noun is not one asked for
        if wanted == "condition" and not (asked & {stem(w) for w in content_words(
                sentence[max(0, m.start() - 80):m.end()])}):
            continue
        if wanted in ("person", "place", "organisation"):
            # The answer to "where is Dana-Farber?" is not Dana-Farber itself.
            candidate = {stem(w) for w in content_words(text)}
            if len(text) <= 2 and not text.isupper():
                continue  # a name this short is written in capitals ("UK"); "Cc" is no place
            if candidate <= asked or wanted == "place" and candidate & asked - _ORG_WORDS:
                continue
            if _names_what_is_asked_about(text, asked, question):
                continue  # "who looks after the project?" is not answered by "Translation Project"
            # A person's name never sits inside an organisation's ("Dana-Farber Cancer Institute").
            run = next((sentence[a:b] for a, b in names if a <= m.start() < b), text)
            if wanted == "person" and (_ORG.search(run) or sentence[m.start() - 1:m.start()] == "-"
                                       or not _looks_like_a_name(text)):
                continue
            if wanted == "organisation" and not _ORG.search(text):
                continue
            if wanted == "place" and bool(_ORG.search(text)) == (_place_kind(question) is not None):
                continue  # a place is an organisation's name, unless a city or a country is asked for
            if wanted == "place" and _place_kind(question) and not _known_place(text) and not (
                    question.type == "place" and _looks_like_a_name(text)):
                continue  # "Final" opening a sentence is no city; in "which state ...?" a place WordNet knows
        spans.append(m.span())
    named = _NAMED_KIND.search(question.normalised)
    if named and wanted in ("organisation", "place"):
        # "what journal ...": a name holding "Journal" beats a nearer congress or institute
        kind = stem(named.group(1).lower())
        of_kind = [(a, b) for a, b in spans if kind in {stem(w) for w in words(sentence[a:b])}]
        spans = of_kind or spans
    return spans


def _names_what_is_asked_about(name: str, asked: set[str], question: Question) -> bool:
    """Whether a name's head word (its last) is a word of the question other than the kind of name asked for
    ("which journal ...?"): then the name is what the question is about, not who or where."""
    head = words(name)[-1:]
    named = _NAMED_KIND.search(question.normalised)
    kind = stem(named.group(1).lower()) if named else ""
    return bool(head) and stem(head[0]) in asked and stem(head[0]) != kind


@lru_cache(maxsize=4096)
def _known_place(text: str) -> bool:
    """Whether WordNet knows a word of the name as a place: defined by a kind of place ("California": "American
    state"; "France": "European country")."""
    kinds = en.word_list("place_kinds.txt")
    return any(lexical.is_name(w) and any(d.split()[-1] in kinds for d in lexical.defining(w) if d)
               for w in words(text.lower()))


def _looks_like_a_name(text: str) -> bool:
    """Names are rarer as English words than titles are: "Margaret Osei", not "Patient Experience"."""
    from wordfreq import zipf_frequency

    frequencies = [zipf_frequency(w, "en") for w in words(text) if w != "dr" and len(w) > 1]  # not "L." of a name
    return bool(frequencies) and max(frequencies) < 5.0 and sum(frequencies) / len(frequencies) < 4.6


def _is_label_number(sentence: str, match: re.Match) -> bool:
    """A number that is part of a name ("STELLAR-311", "phase 3", "Grade 3-5"), not a quantity."""
    before = sentence[max(0, match.start() - 12):match.start()]
    return bool(_LABEL_BEFORE.search(before))


def people_in(text: str) -> tuple[str, ...]:
    """Names of people in a text (for "she" and "he" in the next question)."""
    return tuple(m.group() for m in SHAPES["person"].finditer(text) if _looks_like_a_name(m.group()))


def verdict(question: Question, quote: str, query: dict[str, float], slot_changed: bool,
            synonyms: tuple[tuple[str, tuple[str, ...]], ...] = (), answers_question: bool = False) -> str | None:
    """"Yes" or "No" for a yes/no question, only when the quoted sentence says so plainly; else None.

    No: the text fills the question's slot with something else ("published in the Lancet?" - in the New
    England Journal), or a negation stands right before the question's own words. Yes: every word of the
    question is in the quote and nothing in it negates or hedges. And when the quote answers a question of
    the text's own (`answers_question`: an FAQ), the Yes or No it opens with.
    """
    if question.type != "yesno":
        return None
    words_ = en.table("yes_no_words.txt")
    negations, hedges = set(words_["negations"].split()), set(words_["hedges"].split())
    asked = _word_tokens(question.normalised)
    if set(asked) & negations:
        return None  # "isn't it ...?": a plain yes or no would be read two ways
    if "or" in asked:
        return None  # "is it brand new or has it been approved before?": it asks which one, the quote says it
    if slot_changed:
        return "No"
    opening = re.match(r"(Yes|No)\b[.,!]", quote)
    if answers_question and opening:
        return opening.group(1)
    tokens = _word_tokens(quote)
    for i, token in enumerate(tokens):
        denied = {stem(t) for t in tokens[i + 1:i + 4]} & set(query) if token in negations else set()
        if denied:
            # "You may charge any fee you choose for support. You may not charge a fee for this Package itself.":
            # the quote says it both ways, each for its own case, so neither Yes nor No stands alone
            return None if _also_affirmed(quote, denied, negations) else "No"
    if set(tokens) & hedges or any(token in negations and _negates_the_question(tokens[i + 1:], query)
                                   for i, token in enumerate(tokens)):
        return None
    # "common" is not stated by "most commonly originating in ...": an adverb made from the word says
    # something of another word
    quoted = {stem(w) for w in content_words(quote)
              if w in asked or not (w.endswith("ly") and stem(w[:-2]) == stem(w))}

    def stated(word: str) -> bool:
        return stem(word) in quoted or any(
            word in phrase.split() and any({stem(w) for w in content_words(d)} <= quoted for d in document_words)
            for phrase, document_words in synonyms)

    generic = en.word_list("generic_words.txt")
    wanted = [w for w in content_words(question.normalised) if w not in generic]
    return "Yes" if wanted and all(stated(w) for w in wanted) else None


def _negates_the_question(after: list[str], query: dict[str, float]) -> bool:
    """Whether a negation followed by `after` may deny what is asked: its scope, the words up to the end of its
    clause, holds a word of the question. "The library has no global variables and is therefore thread-safe": "no"
    denies only "global variables"; a clause starts at a mark or at a joining word followed by a verb ("and is").
    Without a word of the question in reach (a negation ending the quote) it may still deny the whole: it does."""
    scope = []
    for k, token in enumerate(after):
        if token in _CLAUSE_MARKS or token in _joining_words() and k + 1 < len(after) \
                and "v" in lexical.parts_of_speech(after[k + 1]):
            break
        scope.append(token)
    return not scope or bool({stem(t) for t in scope} & set(query))


_CLAUSE_MARKS = frozenset((".", ",", ";", ":", "!", "?", "—", "–"))


@lru_cache(maxsize=1)
def _joining_words() -> frozenset[str]:
    return frozenset(en.table_words("yes_no_words.txt", "joining"))


def _also_affirmed(quote: str, denied: set[str], negations: set[str]) -> bool:
    """Whether a sentence of the quote without any negation uses one of the `denied` stems."""
    for sentence in re.split(r"(?<=[.!?;])\s+", quote):
        tokens = _word_tokens(sentence)
        if not set(tokens) & negations and {stem(t) for t in tokens} & denied:
            return True
    return False


def _word_tokens(text: str) -> list[str]:
    """Lower-case words and the marks that end a clause, a typographic apostrophe read as a plain one ("won’t" is
    "won't", a negation)."""
    return re.findall(r"[\w']+|[.,;:!?—–]", text.replace("’", "'").lower())


"""Hits + question -> reply: the sentence to quote, the short answer in it, the confidence, the text."""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources

import uuid_utils
from jinja2 import Environment, PackageLoader, StrictUndefined

from netqa.corpus import Passage
from netqa.index import Hit, SentenceHit
from netqa.question import Question
from netqa.terms import Expansion, generic_words
from netqa.text import content_words, normalise, stem, undotted, words


_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_NUMBER_WORD = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundred|dozen)"
_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?"
_TIME = r"\b(?:[01]?\d|2[0-3])(?::[0-5]\d(?:\s?[ap]\.?m\.?)?|\s?[ap]\.?m\.?)"
_WEEKDAY = r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|weekend|weekday"
_ORG_WORD = (r"(?:Institute|Center|Centre|Foundation|Network|Society|University|Hospital|Clinic|Alliance|"
             r"Administration|Journal|Congress|Association|Agency|Department|College|Company|Inc|Council|"
             r"Medicine|Oncology|Group|Organization|Organisation|Program|Programme)")
_CAPITALISED_RUN = r"[A-Z][\w-]*(?:\s+(?:(?:of|for|and|the|in|at|&)\s+)*[A-Z][\w-]*)*"

# The kind of fact each question type asks for, as patterns over the quoted sentence.
FACT_PATTERNS: dict[str, re.Pattern] = {
    "percent": re.compile(rf"(?:{_NUMBER})(?:\s*(?:-|to)\s*(?:{_NUMBER}))?\s?(?:%|percent\b)"),
    "count": re.compile(rf"\b(?:(?:a |the )(?:majority|minority)(?= of)|(?<!first )(?<!second )(?:half|most|all|none)(?= of)|(?<!:)(?:{_NUMBER})(?:\s*(?:-|to)\s*(?:{_NUMBER}))?(?![\d%])(?!-\d)(?!:\d)(?!\s*(?:%|percent))"
                        rf"|{_NUMBER_WORD} or more|{_NUMBER_WORD}(?! of\b)(?! or\b))\b", re.IGNORECASE),
    "date": re.compile(rf"\b(?:(?:the )?(?:first|second|third|fourth) (?:half|quarter) of |(?:early|late|mid-?) ?)?"
                       rf"(?:{_MONTH} (?:\d{{1,2}}, )?)?(?:19|20)\d{{2}}\b"
                       rf"|(?:between )?{_TIME}(?:\s?(?:-|to|and|until)\s?{_TIME})?"
                       rf"|\b(?:on )?(?:{_WEEKDAY})s?\b|\b{_MONTH} \d{{1,2}}\b"),
    "duration": re.compile(rf"\b(?:{_NUMBER}|{_NUMBER_WORD})[ -](?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\b",
                           re.IGNORECASE),
    "person": re.compile(r"\b(?:Dr\.? )?[A-Z][a-z]+(?: [A-Z]\.)? [A-Z][a-z]+(?:-[A-Z][a-z]+)?\b"),
    "place": re.compile(rf"\b{_CAPITALISED_RUN}"),
    "organisation": re.compile(rf"\b{_CAPITALISED_RUN}"),
    "amount": re.compile(rf"(?:[$€£]\s?(?:{_NUMBER})|(?:{_NUMBER})\s?(?:mg|mcg|µg|g|ml|mL|milligrams?|grams?|tablets?|"
                         rf"pills?|capsules?|doses?|dollars|euros|pounds)\b)(?:\s(?:daily|a day|per day|twice daily))?"),
}
# "How long do people live?" is answered by a span of time or by a survival rate.
FACT_PATTERNS["duration_or_rate"] = re.compile(
    f"{FACT_PATTERNS['duration'].pattern}|{FACT_PATTERNS['percent'].pattern}", re.IGNORECASE)
FACT_PATTERNS["frequency"] = re.compile(
    r"\b(?:daily|weekly|monthly|nightly|hourly|once|twice|three times|every (?:day|week|month|morning|night|\d+ \w+)|"
    r"(?:once|twice|\d+ times) (?:a|per|each) \w+|(?:a|per|each) day)\b", re.IGNORECASE)
# "How often did thrombotic events occur?" is answered by a rate as well as by "daily".
FACT_PATTERNS["frequency"] = re.compile(
    f"{FACT_PATTERNS['frequency'].pattern}|{FACT_PATTERNS['percent'].pattern}", re.IGNORECASE)
FACT_PATTERNS["ratio"] = re.compile(r"\b\d+(?:\.\d+)?\s?:\s?\d+(?:\.\d+)?\b")
FACT_PATTERNS["money"] = re.compile(
    rf"[$€£]\s?(?:{_NUMBER})|(?:{_NUMBER})\s?(?:dollars|euros|pounds|pence|cents|USD|EUR|GBP)\b")
_MONEY_QUESTION = re.compile(r"\b(cost|costs|price|prices|pay|paid|charge|charges|fee|fees|expensive|cheap)\b",
                             re.IGNORECASE)
_YEAR = re.compile(r"^(?:19|20)\d{2}$")
_NAMED_KIND = re.compile(r"\b(?:which|what) (\w+)", re.IGNORECASE)
_ORG = re.compile(rf"\b{_ORG_WORD}\b")
_ORG_WORDS = {w.lower() for w in re.findall(r"\w+", _ORG_WORD)}


@dataclass(frozen=True)
class Citation:
    passage_id: str
    document: str
    section: str
    text: str
    start: int
    end: int

    @classmethod
    def of(cls, passage: Passage) -> "Citation":
        return cls(passage.id, passage.document, passage.section, passage.text, passage.start, passage.end)


@dataclass(frozen=True)
class Reply:
    id: str
    question: str
    answer: str
    kind: str
    confidence: float
    citations: tuple[Citation, ...]
    session_id: str
    short_answer: str | None = None
    quote: str | None = None
    question_type: str = "other"
    resolved_question: str = ""
    suggestions: tuple[str, ...] = field(default=())
    calls: tuple[str, ...] = field(default=())  # numbers an emergency reply says to call, first one first

    def to_dict(self) -> dict:
        data = asdict(self)
        data["citations"] = [asdict(c) for c in self.citations]
        data["suggestions"] = list(self.suggestions)
        data["calls"] = list(self.calls)
        return data


@dataclass(frozen=True)
class Evidence:
    """The best sentence found for a question and what speaks for it; the input of the confidence."""

    sentence: SentenceHit
    short_answer: str | None
    passage_score: float
    runner_up_score: float
    sentence_score: float
    coverage: float  # idf-weighted share of the question's words (or their synonyms) found in the passage
    unknown: int  # question words the corpus never uses
    focus_unknown: bool  # what the question asks about ("price", "hazard ratio") is never mentioned
    fact_found: bool  # the sentence holds a fact of the asked type (always True for open questions)
    quote: str = ""  # the sentence, and its neighbour in the passage when that matches about as well

    def features(self) -> dict[str, float]:
        """The numbers the confidence is computed from (and calibrated on)."""
        return {"passage": self.passage_score, "sentence": self.sentence_score,
                "margin": self.passage_score - self.runner_up_score, "coverage": self.coverage,
                "unknown": float(min(self.unknown, 2)), "fact": float(self.fact_found)}


# ---------------------------------------------------------------- choosing the evidence

NEEDS_FACT = ("count", "percent", "date", "amount", "money", "ratio", "frequency", "person", "organisation")
OPEN_TYPES = ("definition", "other")
# "What dose?" is answered by "at 60mg daily" without the word dose nearby, so amounts are exempt.
NEEDS_NEARBY_WORD = ("count", "percent", "date", "money", "ratio", "duration_or_rate", "frequency")
FACT_REACH = 12  # words between a figure and the nearest question word, at most
# Clause boundaries: a figure belongs to the clause it stands in ("5% ..., while thrombotic ... 1-2%").
_CLAUSE_BREAK = re.compile(r"[;—]|,\s+(?:while|whereas|but|and|compared)\b|\s+compared (?:to|with)\b|\bwhile\b")


def choose_evidence(question: Question, expansion: Expansion, hits: list[Hit],
                    sentences: list[SentenceHit], idf, context: str = "") -> Evidence | None:
    """The sentence to quote: similar to the question and, when a figure is asked, holding one."""
    if not hits or not sentences:
        return None
    passage_score = {h.passage.id: h.score for h in hits}
    best_passage = hits[0].score
    query = _query_stems(expansion, context)

    def candidate(s: SentenceHit) -> tuple[float, str | None]:
        text = s.passage.sentences[s.sentence_index].text
        short = extract_fact(text, question, query, idf, expansion.synonyms)
        relative = passage_score[s.passage.id] / best_passage if best_passage else 0.0
        # When a figure is asked for, a relevant sentence holding one beats a closer wording without.
        needs_fact = _wanted_type(question) is not None
        prefers_fact = needs_fact or question.type == "place"
        weight = 1.6 if prefers_fact and short else 0.6 if needs_fact else 1.0
        return (s.score + 0.6 * relative) * weight, short

    scored = [(candidate(s), s) for s in sentences]
    (score, short), best = max(scored, key=lambda item: item[0][0])
    passage = best.passage
    runner_up = next((h.score for h in hits if h.passage.id != passage.id), 0.0)
    wanted = _wanted_type(question)
    return Evidence(
        sentence=best, short_answer=short, quote=_quote(best, sentences),
        passage_score=passage_score[passage.id], runner_up_score=runner_up, sentence_score=best.score,
        coverage=_coverage(expansion, passage, idf), unknown=len(expansion.unknown),
        focus_unknown=any(w in expansion.unknown for w in question.focus),
        fact_found=wanted is None or short is not None,
    )


QUOTE_NEIGHBOUR_WITHIN = 0.75  # a sentence of the same passage this close to the best is quoted with it


def _quote(best: SentenceHit, sentences: list[SentenceHit]) -> str:
    """The best sentence, with the one before or after it when that matches nearly as well.

    Always a verbatim stretch of the passage, so the quote can be found in the cited text.
    """
    passage, index = best.passage, best.sentence_index
    neighbours = [s for s in sentences if s.passage.id == passage.id and abs(s.sentence_index - index) == 1
                  and s.score > 0 and s.score >= QUOTE_NEIGHBOUR_WITHIN * best.score]
    first = last = passage.sentences[index]
    if neighbours:
        other = passage.sentences[max(neighbours, key=lambda s: s.score).sentence_index]
        first, last = min(first, other, key=lambda s: s.start), max(first, other, key=lambda s: s.start)
    return passage.text[first.start - passage.start:last.end - passage.start]


def _wanted_type(question: Question) -> str | None:
    if question.type == "amount" and _MONEY_QUESTION.search(question.normalised):
        return "money"
    if question.unit:
        return "duration" if question.unit in ("months", "weeks", "days", "years", "hours") else "count"
    if question.type == "duration":
        return "duration_or_rate"
    return question.type if question.type in NEEDS_FACT else None


def _query_stems(expansion: Expansion, context: str = "") -> dict[str, float]:
    """Stems to look for near a figure: the question's own, then its synonyms', then earlier turns'."""
    stems = {stem(w): 1.0 for w in content_words(expansion.text) if w not in generic_words()}
    # Earlier turns' words weigh least: "where were they published?" is about publishing, not presenting.
    for text, weight in [(" ".join(expansion.added), 0.6), (context, 0.2)]:
        for w in content_words(text.lower()):
            stems.setdefault(stem(w), weight)
    return stems


def _coverage(expansion: Expansion, passage: Passage, idf) -> float:
    """Share of what the question mentions that the passage mentions too, each word weighted by idf.

    A lay word counts as found when one of its document words is there; a word the corpus never
    uses weighs as much as the rarest corpus word and is never found.
    """
    in_passage = {stem(w) for w in content_words(normalise(f"{passage.section} {passage.text}"))}
    rarest = max((idf(s) for s in in_passage), default=1.0)
    total = found = 0.0
    synonym_words = set()
    for phrase, document_words in dict((p.lower(), d) for p, d in expansion.synonyms).items():
        synonym_words.update(content_words(phrase))
        stems = {stem(w) for dw in document_words for w in content_words(dw.lower())}
        weight = max((idf(s) for s in stems), default=0.0) or 1.0
        total += weight
        own = {stem(w) for w in content_words(phrase)}
        found += weight if stems & in_passage or own and own <= in_passage else 0.0
    # An alternative the corpus lacks ("single-center or multicenter") is not a missing part of the answer.
    translated = {phrase for phrase, _ in expansion.synonyms}
    absent = {w for phrase in expansion.lay_phrases if phrase not in translated for w in content_words(phrase)}
    for word in dict.fromkeys(content_words(expansion.text)):
        if word in synonym_words or word in generic_words() or word in absent:
            continue
        weight = idf(stem(word)) or rarest
        total += weight
        found += weight if stem(word) in in_passage else 0.0
    return found / total if total else 0.5


def extract_fact(sentence: str, question: Question, query: dict[str, float], idf,
                 synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> str | None:
    """The span of the asked type nearest the question's own words (weighted by rarity), in the same clause.

    closeness(span) = sum over question words w in the span's clause of idf(w) * exp(-distance / 5);
    a figure with no question word within FACT_REACH words belongs to something else and is not taken
    ("When was it approved?" is not answered by the year of a congress mentioned in passing).
    """
    wanted = _wanted_type(question) or question.type
    if wanted in OPEN_TYPES:
        wanted = "percent"  # "what is the five-year survival?" asks for a rate without saying so
    spans = _fact_spans(sentence, wanted, question)
    if not spans and wanted == "count":  # "how many patients had bleeding?" -> "5% of patients"
        spans = _fact_spans(sentence, "percent", question)
    if not spans:
        return None
    tokens = [(m.start(), m.end(), stem(m.group().lower()))
              for m in re.finditer(r"[^\W_]+(?:[-'][^\W_]+)*", undotted(sentence))]
    counted = {stem(question.counted)} if question.counted else set()
    counted |= {stem(w) for phrase, document_words in synonyms if phrase == question.counted
                for dw in document_words for w in content_words(dw.lower())}
    clauses = [0] + [m.end() for m in _CLAUSE_BREAK.finditer(sentence)] + [len(sentence)]

    def clause_of(position: int) -> int:
        return next(i for i, end in enumerate(clauses[1:]) if position < end)

    # A question word found in the clause of every figure does not tell them apart ("events" in
    # "hemorrhagic events ... 5%, while thrombotic events ... 1-2%"): it counts for little.
    figure_clauses = {clause_of(a) for a, _ in spans}
    clauses_with: dict[str, set[int]] = {}
    for position, _, token in tokens:
        clauses_with.setdefault(token, set()).add(clause_of(position))

    def closeness(span: tuple[int, int]) -> tuple[float, int]:
        total, nearest = 0.0, 10**6
        for position, token_end, token in tokens:
            # Words inside any candidate are part of an answer, not context for one.
            if token in query and not any(a <= position < b for a, b in spans) \
                    and clause_of(position) == clause_of(span[0]):
                between = sentence[token_end:span[0]] if position < span[0] else sentence[span[1]:position]
                distance = len(between.split())
                weight = (0.5 if token in counted else 1.0) * max(idf(token), 1.0) * query[token]
                if len(figure_clauses) > 1 and figure_clauses <= clauses_with[token]:
                    weight *= 0.25
                # At equal distance the word before wins ("... Congress and published in the Journal").
                total += weight * math.exp(-distance / 5) * (1.0 if position < span[0] else 0.97)
                if token not in counted:  # "how many patients got placebo?": placebo must be near, not patients
                    nearest = min(nearest, distance)
        return total, nearest

    scored = [(closeness(span), span) for span in spans]
    (best, nearest), (start, end) = max(scored, key=lambda item: item[0][0])
    if wanted in NEEDS_NEARBY_WORD and nearest > FACT_REACH:
        return None
    return sentence[start:end].strip(" ,.;")


def _fact_spans(sentence: str, wanted: str, question: Question) -> list[tuple[int, int]]:
    pattern = FACT_PATTERNS.get(wanted)
    if pattern is None:
        return []
    asked = {stem(w) for w in content_words(question.normalised)}
    names = [m.span() for m in FACT_PATTERNS["place"].finditer(sentence)]
    spans = []
    for m in pattern.finditer(sentence):
        text = m.group()
        if wanted == "count" and (_YEAR.match(text) or _is_label_number(sentence, m)):
            continue
        if wanted == "duration" and question.unit and not re.search(question.unit.rstrip("s"), text, re.I):
            continue
        if wanted in ("person", "place", "organisation"):
            # The answer to "where is Dana-Farber?" is not Dana-Farber itself.
            candidate = {stem(w) for w in content_words(text)}
            if candidate <= asked or wanted == "place" and candidate & asked - _ORG_WORDS:
                continue
            # A person's name never sits inside an organisation's ("Dana-Farber Cancer Institute").
            run = next((sentence[a:b] for a, b in names if a <= m.start() < b), text)
            if wanted == "person" and (_ORG.search(run) or sentence[m.start() - 1:m.start()] == "-"
                                       or not _looks_like_a_name(text)):
                continue
            if wanted == "organisation" and not _ORG.search(text):
                continue
            if wanted == "place" and not _ORG.search(text):
                continue
        spans.append(m.span())
    if wanted == "person" and not spans:  # "who sponsored it?" is answered by an organisation
        return _fact_spans(sentence, "organisation", question)
    named = _NAMED_KIND.search(question.normalised)
    if named and wanted in ("organisation", "place"):
        # "what journal ...": a name holding "Journal" beats a nearer congress or institute
        kind = stem(named.group(1).lower())
        of_kind = [(a, b) for a, b in spans if kind in {stem(w) for w in words(sentence[a:b])}]
        spans = of_kind or spans
    return spans


def _looks_like_a_name(text: str) -> bool:
    """Names are rarer as English words than titles are: "Margaret Osei", not "Patient Experience"."""
    from wordfreq import zipf_frequency

    frequencies = [zipf_frequency(w, "en") for w in words(text) if w != "dr"]
    return bool(frequencies) and max(frequencies) < 5.0 and sum(frequencies) / len(frequencies) < 4.6


def _is_label_number(sentence: str, match: re.Match) -> bool:
    """A number that is part of a name ("STELLAR-311", "phase 3", "Grade 3-5"), not a quantity."""
    before = sentence[max(0, match.start() - 12):match.start()]
    return bool(re.search(r"(?:[A-Za-z]-|phase |grade |category |stage )$", before, re.IGNORECASE))


# ---------------------------------------------------------------- confidence


@lru_cache(maxsize=1)
def _confidence_model() -> dict:
    return json.loads(resources.files("netqa.data").joinpath("confidence.json").read_text(encoding="utf-8"))


def confidence(evidence: Evidence) -> float:
    """P(the quoted sentence answers the question) = 1 / (1 + exp(-(bias + sum w_i * feature_i))).

    The weights are a logistic regression fitted on the gold set (data/confidence.json, refitted by
    `python benchmarks/calibrate.py`). Asking about something the corpus never mentions is zero.
    """
    if evidence.focus_unknown:
        return 0.0
    model = _confidence_model()
    features = evidence.features()
    z = model["bias"] + sum(weight * features[name] for name, weight in model["weights"].items())
    return round(1.0 / (1.0 + math.exp(-z)), 3)


# ---------------------------------------------------------------- the reply text


@lru_cache(maxsize=1)
def _templates() -> Environment:
    # auto_reload off: the templates ship with the package, so no file is checked for changes on every reply.
    return Environment(loader=PackageLoader("netqa", "templates"), undefined=StrictUndefined, auto_reload=False,
                       autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)


def template_for(kind: str, question_type: str) -> str:
    """The template file of a reply: one per kind, and for answers one per question type."""
    if kind != "answer":
        return f"{kind}.j2"
    name = f"answer_{question_type}.j2"
    return name if name in _template_names() else "answer_other.j2"


@lru_cache(maxsize=1)
def _template_names() -> frozenset[str]:
    return frozenset(_templates().list_templates())  # list_templates() reads the folder each call


def render(kind: str, question_type: str, **context) -> str:
    text = _templates().get_template(template_for(kind, question_type)).render(**context)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def new_reply_id() -> str:
    """32 hex digits in time order (UUIDv7: a random counter each millisecond, then 32 random bits).

    In time order because the store logs replies by id: random ids (UUIDv4) land all over the log's
    primary-key index, and each batch of logged replies then rewrites about one index page per reply."""
    return uuid_utils.uuid7().hex

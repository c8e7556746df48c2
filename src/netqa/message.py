"""A message -> the question(s) in it, each with its type, focus and the unit it asks in.

A long message is a story around a question: it is split into sentences, the question sentences are
kept (at most three), and a frame around a question ("I really want to know ...", "does the article say
how ...") is taken off. Question types are one data table (lang/en/question_types.json): the pattern
that recognises a type, the shapes of fact that answer it, and its template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from netqa import lexical
from netqa.lang import en
from netqa.text import normalise, words

MAX_QUESTIONS = 3  # a message asking more gets the first three answered


@dataclass(frozen=True)
class QuestionType:
    name: str
    pattern: re.Pattern | None
    shapes: tuple[str, ...]  # kinds of fact that answer it (facts.py); () for any sentence that bears on it
    near: bool  # the fact must stand near the question's own words
    required: bool  # no answer without such a fact
    template: str


@lru_cache(maxsize=1)
def question_types() -> tuple[QuestionType, ...]:
    rows = en.json_table("question_types.json")["types"]
    return tuple(QuestionType(r["type"], re.compile(r["recognise"], re.IGNORECASE) if r["recognise"] else None,
                              tuple(r["shapes"]), bool(r["near"]), bool(r["required"]), r["template"]) for r in rows)


@lru_cache(maxsize=1)
def types_by_name() -> dict[str, QuestionType]:
    return {t.name: t for t in question_types()}


_UNIT = re.compile(r"\b(?:in|how many) (months|weeks|days|years|dollars|euros|mg|milligrams|hours)\b"
                   r"|\bhow many (months|weeks|days|years|hours)\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _counted() -> re.Pattern:
    """"how many X ...": X, after up to three describing words, ends at a word of lang/en/counted.txt."""
    words_of = en.table("counted.txt")
    auxiliaries = "|".join(words_of["auxiliaries"].split())
    after = "|".join(words_of["auxiliaries"].split() + words_of["after"].split())
    return re.compile(rf"\bhow many (?!(?:{auxiliaries})\b)(?P<modifiers>(?:[\w-]+ ){{0,3}}?)"
                      rf"(?P<noun>[\w-]+)(?= (?:{after})\b|\s*[?.!]*$)", re.IGNORECASE)


# "what is the X": X names the thing asked about. ("which group", "what percent" name only the answer's type.)
_FOCUS = re.compile(r"^(?:so |and |but |ok )?(?:(?:what|how much)(?:'s| is| are| was| were| does| do)\s+"
                    r"(?:the |a |an |its |their |his |her )?"
                    # "how do I sign up": the action asked about is the focus
                    r"|how (?:do|can|could|should|would|will) (?:i|we|you|one|patients|people|my \w+) )"
                    r"(?P<focus>[\w-]+(?: [\w-]+)?)", re.IGNORECASE)


@dataclass(frozen=True)
class Question:
    text: str  # as asked
    normalised: str
    type: str  # a name from question_types()
    unit: str | None  # "months" in "what is the median in months?": the answer must carry it
    counted: str | None  # "patients" in "how many patients ...": says what is counted, not which
    focus: tuple[str, ...]  # what is asked about: "price" in "what is the price of it?"
    modifiers: tuple[str, ...] = ()  # "pNET" in "how many pNET patients": which of the counted is meant
    constraints: tuple[str, ...] = ()  # "england" in "survival in England": the passage must name it too
    slots: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # see slots_of
    term: tuple[str, ...] = ()  # "larger work" in "what is a Larger Work?": the term whose definition is asked


# ---------------------------------------------------------------- chat spellings

# Initials ("U.S.", "M.D.") are kept whole: "U" is not "you" there.
_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|(?<![\w/])[A-Za-z]+/[A-Za-z]?(?![\w/])|[A-Za-z']+|\d+[A-Za-z]+\b")


def spell_out(text: str) -> str:
    """'wat dose', 'how many pts w/ pNET' -> 'what dose', 'how many patients with pNET' (lang/en/chat_spellings.txt).

    "5yr" -> "5-year": a number glued to a chat spelling of a unit.
    """
    spellings = en.table("chat_spellings.txt")

    def one(m: re.Match) -> str:
        token = m.group()
        if "." in token or (token.isupper() and len(token) > 1):
            return token  # initials and acronyms ("PT" may be a name) stay
        glued = re.fullmatch(r"(\d+)([A-Za-z]+)", token)
        if glued:
            unit = spellings.get(glued.group(2).lower())
            return f"{glued.group(1)}-{unit}" if unit and " " not in unit else token
        return spellings.get(token.lower(), token)

    return _TOKEN.sub(one, text)


# ---------------------------------------------------------------- sentences and questions of a message

# A sentence ends at . ! ? followed by a space and a capital, a digit or a quote; not after initials or titles.
_SENTENCE_END = re.compile(r"(?<!\b[A-Z])(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bvs)(?<!\be\.g)(?<!\bi\.e)"
                           r"([.!?]+)[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|([?!]+)\s+(?=\w)")
_QUESTION_START = re.compile(r"^(?:(?:so|and|but|also|ok|okay|well|then|plus|now)[,]?\s+)*"
                             r"(?:what|what's|whats|who|who's|whose|whom|when|where|why|how|which|is|are|was|were|"
                             r"do|does|did|can|could|will|would|should|has|have|had|isn't|aren't|doesn't|don't|"
                             r"didn't|whether)\b", re.IGNORECASE)
# Two questions in one sentence: "Who will test it, and when will that happen?"
_SECOND_QUESTION = re.compile(r"[,;]\s+(?:and|or|also|plus)\s+(?=(?:what|who|when|where|why|how|which)\b\s+\w+)"
                              r"|[,;]\s+(?=(?:what|who|when|where|why|how|which)\b\s+(?:is|are|was|were|do|does|did|"
                              r"can|will|would|should|has|have|many|much|long|often)\b)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _frames() -> tuple[re.Pattern, ...]:
    return tuple(re.compile(line, re.IGNORECASE) for line in en.ordered_lines("question_frames.txt"))


def _unframed(sentence: str) -> str:
    for frame in _frames():
        m = frame.match(sentence)
        if m and m.end() < len(sentence):
            rest = sentence[m.end():]
            return rest[:1].upper() + rest[1:] if sentence[:1].isupper() else rest
    return _after_colon(sentence)


def _after_colon(sentence: str) -> str:
    """"So, settle it for us: how many ...?", "I'd like to understand the format better: how does ...?": what a
    colon introduces is the question when it opens as one; what stands before it only leads up to it."""
    head, colon, rest = sentence.rpartition(":")
    rest = rest.strip()
    if not colon or not head.strip() or not rest.endswith("?") or not _QUESTION_START.match(rest):
        return sentence
    return rest[:1].upper() + rest[1:]


def sentences_of(text: str) -> list[str]:
    parts, at = [], 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end(1) if m.group(1) else m.end(2)
        parts.append(text[at:end].strip())
        at = m.end()
    parts.append(text[at:].strip())
    return [p for p in parts if p]


def _has_content(sentence: str) -> bool:
    plain = en.word_list("stopwords.txt") | en.word_list("generic_words.txt")
    return any(w not in plain for w in words(sentence))


def _is_question(sentence: str) -> bool:
    return sentence.rstrip().endswith("?") or bool(_QUESTION_START.match(sentence))


def asks_something(piece: str) -> bool:
    """Whether a piece of a message opens as a question; "In LGPLv3," before "what is ...?" only frames it."""
    return any(_QUESTION_START.match(part.strip()) for part in piece.split(","))


def questions_in(text: str) -> tuple[str, ...]:
    """The question(s) a message asks, in order, at most MAX_QUESTIONS; the message itself when it has none.

    A short message is its own question. In a longer one only sentences that ask something count,
    without the words framing them; a sentence asking two things ("who ..., and when ...?") gives two.
    """
    sentences = sentences_of(text)
    unframed = [_unframed(s) for s in sentences]
    asked = [s for s in unframed if _is_question(s)]
    # "Can you tell me?" after the sentence that says what: a question with no words of its own asks nothing
    asked = [s for s in asked if _has_content(s)] or asked
    # "When I load them back I get numbers like 19.99000002. Is there a way to ...?": where a message asks with a
    # question mark, a sentence without one that only opens like a question tells something
    asked = [s for s in asked if s.rstrip().endswith("?")] or asked
    if len(sentences) == 1:
        asked = [unframed[0]]
    if not asked:
        return (text,) if len(sentences) <= 1 else (unframed[-1],)
    split: list[str] = []
    for sentence in asked:
        pieces = [p.strip(" ,;") for p in _SECOND_QUESTION.split(sentence)]
        pieces = _framing_into_question(_topic_into_question([p for p in pieces if p]))
        if len(pieces) > 1 and all(len(p.split()) >= 2 for p in pieces):
            split.extend(p if p.endswith("?") else p + "?" for p in pieces)
        else:
            split.append(pieces[0] if len(pieces) == 1 else sentence)
    return tuple(dict.fromkeys(split))[:MAX_QUESTIONS]


_TOPIC_ONLY = re.compile(r"^(?:(?:and|so|but|ok|okay)\s+)?(?:what about|how about|as for|regarding|about)\s+"
                         r"(?P<topic>.+)$", re.IGNORECASE)
_THING_PRONOUN = re.compile(r"\b(?:it|this|that|these|those|they|them)\b(?=[\s?.!]*$)", re.IGNORECASE)


def _topic_into_question(pieces: list[str]) -> list[str]:
    """"what about clots in the blood, how often did people get those?" asks one thing: the topic goes where
    the pronoun stands."""
    out: list[str] = []
    for piece in pieces:
        topic = _TOPIC_ONLY.match(out[-1]) if out else None
        if topic and _THING_PRONOUN.search(piece):
            out[-1] = _THING_PRONOUN.sub(topic.group("topic").rstrip("?.! "), piece, count=1)
        else:
            out.append(piece)
    return out


def _framing_into_question(pieces: list[str]) -> list[str]:
    """"Under the MPL, what is a Larger Work?", "Before this approval, how many ...?": a piece that asks nothing
    frames the question after it (the document, the time, the group meant). It is not searched on its own but goes
    at the end of that question as an aside ("what is a Larger Work (under the MPL)?"), so the question still opens
    as asked and its type is told as before. (Pieces are cut before a question word, so only the first may frame.)"""
    if len(pieces) < 2 or asks_something(pieces[0]):
        return pieces
    return [_framed(pieces[1], _in_mid_sentence(pieces[0].rstrip("?"))), *pieces[2:]]


def _framed(question: str, framing: str) -> str:
    """The question with its framing after it as an aside in brackets: searched with it, yet no constraint."""
    return f"{question.rstrip('?')} ({framing})" + ("?" if question.endswith("?") else "")


def _in_mid_sentence(piece: str) -> str:
    """A sentence's opening word as it reads inside one: "Under the MPL" -> "under the MPL" (a name, an acronym
    or an abbreviation keeps its capital)."""
    first = piece.split(" ", 1)[0]
    if first[1:].islower() and first.isalpha() and not lexical.is_name(first.lower()):
        return first.lower() + piece[len(first):]
    return piece


def story_of(text: str, questions: tuple[str, ...]) -> str:
    """The sentences of a message that are not its questions (what the patient tells about themselves)."""
    return " ".join(s for s in sentences_of(text) if not any(q.rstrip("?") in _unframed(s) for q in questions))


# ---------------------------------------------------------------- one question

_PHRASE_WORD = re.compile(r"[^\W_]+(?:[-'.][^\W_]+)*\.?|[^\w\s]")
_LABEL = re.compile(rf"\b({'|'.join(en.ordered_words('label_words.txt'))})\s+(\d+(?:\s*-\s*\d+)?[a-z]?)\b",
                    re.IGNORECASE)
_PREDICATE = re.compile(r"\b(?:is|are|was|were|be|been|being|become|became|get|got)\s+(?:\w+ly\s+)?([a-z]+)"
                        r"\s*[?.!]*$", re.IGNORECASE)
_YES_NO_START = re.compile(r"^\s*(?:is|are|was|were|does|do|did|can|could|has|have|had|will|would|should)\b",
                           re.IGNORECASE)
_DETERMINERS = frozenset("the a an this that these those my your his her their its our some any each every all "
                         "both either one".split())


def slots_of(text: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(word before, preposition, phrase words) of each phrase constraint: "published in the Lancet" ->
    ("published", "in", ("lancet",)). A text that fills the same slot with something else answers a yes/no
    question about it: no, in the New England Journal of Medicine."""
    prepositions = set(en.table("constraint_words.txt")["prepositions"].split())
    tokens = _PHRASE_WORD.findall(text)
    slots = []
    for i, token in enumerate(tokens[1:], 1):
        if token.lower() in prepositions and tokens[i - 1][:1].isalpha():
            j = i + 1
            while j < len(tokens) and tokens[j].lower() in _DETERMINERS:
                j += 1
            phrase = tuple(t.lower() for t in tokens[j:j + 3] if t[:1].isalnum())
            if phrase:
                slots.append((tokens[i - 1].lower(), token.lower(), phrase))
    return tuple(slots)


def constraints_of(text: str) -> tuple[str, ...]:
    """The words a question's answer is bound by: those of a phrase after a preposition ("in England",
    "for the liver", "in children"), and names written with a capital inside the sentence.

    Up to three words after the preposition and its determiners, up to the next function word or mark.
    """
    words_ = en.table("constraint_words.txt")
    prepositions = set(words_["prepositions"].split())
    framing = set(words_["framing"].split())
    stop = en.word_list("stopwords.txt")
    generic = en.word_list("generic_words.txt")
    tokens = _PHRASE_WORD.findall(text)
    found: list[str] = []
    # "the word" after "spread to" is a constraint; after "want to", "how to" a verb follows
    for i, token in enumerate(tokens):
        lowered = token.lower().rstrip(".")
        if i > 0 and token[:1].isupper() and lowered not in stop and tokens[i - 1] not in ".?!" \
                and lowered not in generic and not (token.isupper() and len(token) <= 1):
            found.append(lowered)
        if lowered not in prepositions or i > 0 and tokens[i - 1].lower() == "or":
            continue  # "at one site or at many sites": an alternative, not a constraint
        j = i + 1
        while j < len(tokens) and tokens[j].lower() in _DETERMINERS:
            j += 1
        if lowered == "to" and j == i + 1:
            continue  # "spread to the liver" names a place; "going to test" a verb
        phrase: list[str] = []
        while j < len(tokens) and len(phrase) < 3 and tokens[j][:1].isalnum() and tokens[j].lower() not in stop:
            phrase.append(tokens[j].lower().rstrip("."))
            j += 1
        if j < len(tokens) and tokens[j].lower() == "or":
            continue
        if phrase and not set(phrase) & framing:
            # "for longer", "in detail": a describing word is no place, group or time
            found.extend(w for w in phrase if w not in generic and not lexical.is_modifier_only(w)
                         and not any(b in generic for b in lexical.base_forms(w)))
    # "how many bleeding events were fatal?", "when will the results be available?": what is said of the
    # subject is a constraint too (not in a yes/no question, whose answer may be "no")
    if not _YES_NO_START.match(text):
        for m in _PREDICATE.finditer(text):
            word = m.group(1).lower()
            if "a" in lexical.parts_of_speech(word) and word not in generic and word not in stop:
                found.append(word)
    # A numbered label is one constraint: "grade 1-2" is not "Grade 3-5" ("1-2" may stand elsewhere).
    found = [f"{label.group(1).lower()} {label.group(2)}" for label in _LABEL.finditer(text)] + found
    found = [re.sub(r"'s$", "", w) for w in found]  # "PKWare's" -> "pkware"
    # "U.S." is the word "us" to the index, a function word: no constraint
    return tuple(dict.fromkeys(w for token in found for w in ([token] if " " in token else words(token))
                               if w not in stop))

@lru_cache(maxsize=1)
def _term_questions() -> tuple[re.Pattern, ...]:
    return tuple(re.compile(line) for line in en.ordered_lines("term_questions.txt"))


def term_asked(lowered: str) -> tuple[str, ...]:
    """The words of the term a question asks the meaning of ("what is a Larger Work?" -> larger, work; at most four
    words); () when it asks something else ("what is the five-year survival for pancreatic NET?")."""
    for pattern in _term_questions():
        m = pattern.search(lowered)
        if m:
            return tuple(words(m.group("term")))
    return ()


# "what is a Larger Work (under the MPL)?": what a question says in brackets helps find the passage, and the
# document it names picks one, but a passage need not repeat it to answer.
_ASIDE = re.compile(r"\([^()]*\)")


def question_type(lowered: str) -> str:
    return next((t.name for t in question_types() if t.pattern is not None and t.pattern.search(lowered)), "other")


@lru_cache(maxsize=8192)  # a pure function of the text, and questions repeat: the web asks it every time
def understand(text: str) -> Question:
    """A question's type, unit, counted noun and focus (routing comes before: netqa.safety)."""
    normalised = spell_out(normalise(text))
    lowered = normalised.lower().replace("’", "'")
    qtype = question_type(lowered)
    unit = _UNIT.search(lowered)
    counted = _counted().search(lowered) if qtype == "count" else None
    focus = _FOCUS.search(lowered)
    modifiers = tuple(w for w in counted.group("modifiers").split() if w not in en.word_list("stopwords.txt")
                      and w not in en.word_list("generic_words.txt")) if counted else ()
    return Question(text=text, normalised=normalised, type=qtype,
                    unit=(unit.group(1) or unit.group(2)) if unit else None,
                    counted=counted.group("noun") if counted and counted.group("noun").lower() not in
                    en.word_list("stopwords.txt") else None,
                    focus=tuple(focus.group("focus").split()) if focus else (), modifiers=modifiers,
                    constraints=constraints_of(_ASIDE.sub(" ", normalised)),
                    slots=slots_of(normalised) if qtype == "yesno" else (), term=term_asked(lowered))

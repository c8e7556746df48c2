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
from netqa.text import capital_kept, normalise, words

MAX_QUESTIONS = 3  # a message asking more gets the first three answered
LONG_MESSAGE = 30  # words: a message this long is a story around its question(s), read sentence by sentence


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
        spelled = spellings.get(token.lower(), token)
        # "Wen was ...": a sentence's first word keeps its capital, or the sentence runs into the one before it
        return capital_kept(token, spelled)

    return _TOKEN.sub(one, text)



# ---------------------------------------------------------------- sentences and questions of a message

# A sentence ends at . ! ? followed by a space and a capital, a digit or a quote; not after initials or titles. (The
# look-ahead first: the look-behinds are tried only where a mark stands.)
_SENTENCE_END = re.compile(r"(?=[.!?])(?<!\b[A-Z])(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bvs)(?<!\be\.g)(?<!\bi\.e)"
                           r"([.!?]+)[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|([?!]+)\s+(?=\w)")
# A message written without capitals ("my husband has been through so much. our daughter found this") ends its
# sentences before a small letter too (after a word, not after initials such as "e.g.").
_LOWER_CASE_END = re.compile(r"(?<=[a-z]{2})[.!]+\s+(?=[a-z])")
QUESTION_WORDS = r"(?:what|what's|whats|who|who's|whose|whom|when|where|why|how|which)"
_QUESTION_AFTER_STOP = re.compile(rf"(?<=[A-Za-z]{{2}})[.!]+\s+(?=(?:{QUESTION_WORDS}|is|are|was|were|do|does|did|can|"
                                  r"could|will|would|should|has|have)\s)")
_QUESTION_START = re.compile(r"^(?:(?:so|and|but|also|ok|okay|well|then|plus|now)[,]?\s+)*"
                             rf"(?:{QUESTION_WORDS}|is|are|was|were|"
                             r"do|does|did|can|could|will|would|should|has|have|had|isn't|aren't|doesn't|don't|"
                             r"didn't|whether)\b", re.IGNORECASE)
# Two questions in one sentence: "Who will test it, and when will that happen?"; a told clause and a question:
# "I've read it is slow, but what about unpacking?"
_ASKING_VERB = r"(?:is|are|was|were|do|does|did|can|could|will|would|should|has|have|had)"
_SECOND_QUESTION = re.compile(r"[,;]\s+(?:and|or|also|plus|but|so)\s+(?=(?:what|who|when|where|why|how|which)\b\s+\w+)"
                              rf"|[,;]\s+(?=(?:what|who|when|where|why|how|which)\b\s+(?:{_ASKING_VERB}|"
                              r"many|much|long|often)\b)"
                              # without a comma only where the question word asks ("and what dose did they get?"), not
                              # where it opens a told clause ("and what the doctor said")
                              rf"|\s+(?:and|also|plus)\s+(?=(?:(?:in|for|at|on|from|with|by|to)\s+)?"
                              rf"(?:what|who|when|where|why|how|which)\s+(?:\w+\s+)?"
                              rf"(?:{_ASKING_VERB}|many|much|long|often)\b)", re.IGNORECASE)
_LEAD_IN = re.compile(r":\s+")  # "So, settle it for us: how many ...?", "My question is this: ..."


@lru_cache(maxsize=1)
def _frames() -> tuple[re.Pattern, ...]:
    return tuple(re.compile(line, re.IGNORECASE) for line in en.ordered_lines("question_frames.txt"))


@lru_cache(maxsize=1)
def _asking() -> dict[str, frozenset[str]]:
    return {key: frozenset(value.split()) for key, value in en.table("asking.txt").items()}


@lru_cache(maxsize=16)
def _alternatives(key: str) -> str:
    """The words of an asking.txt entry as regex alternatives, longest first ("such_as" is "such as")."""
    return "|".join(re.escape(w).replace("_", r"\s+") for w in sorted(_asking()[key], key=len, reverse=True))


@lru_cache(maxsize=1)
def _indirect() -> re.Pattern:
    """"I was wondering which journal ...", "we need to know what counts as ...": the writer (or the reader, asked to
    tell) and a verb of knowing, then a question word: the indirect question from that word on (lang/en/asking.txt)."""
    return re.compile(rf"^(?:[\w',]+\s+){{0,6}}?(?:{_alternatives('askers')})\s+(?:[\w']+\s+){{0,5}}?"
                      rf"(?:{_alternatives('knowing')})(?:\s+(?:out|me|us|about|on))?[,:]?\s+"
                      rf"(?=(?:{QUESTION_WORDS}|whether|if)\s)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _telling() -> re.Pattern:
    """"When my father was diagnosed ...": a question word that opens a told clause, its subject right after it."""
    return re.compile(rf"^(?:{_alternatives('subordinating')})\s+(?:{_alternatives('subjects')})\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _reason_after() -> re.Pattern:
    """", since I would like to read the paper myself": why the writer asks, after the question."""
    return re.compile(rf",\s+(?:{_alternatives('reasons')})\s+(?:{_alternatives('subjects')})\b[^?]*(?=[?.!]*$)",
                      re.IGNORECASE)


@lru_cache(maxsize=1)
def _example_after() -> re.Pattern:
    """", like phase 1, 2 or 3?", ", like did the doctors know who got the real drug?": examples of what is meant, or
    the question again in other words, after the question."""
    return re.compile(rf",\s+(?P<opening>{_alternatives('elaborating')})\s+(?P<example>[^?]+?)\s*(?=[?.!]*$)",
                      re.IGNORECASE)


def _told_after(question: str) -> str:
    """The question without the reason given after it (story) and with the examples after it as an aside: they help
    find the passage, but an answer need not name them ("which phase was it (like phase 1, 2 or 3)?"); the question
    again in other words (", like did the doctors know ...?") is story."""
    question = _reason_after().sub("", question)
    example = _example_after().search(question)
    if example is None:
        return question
    rest = question[:example.start()] + question[example.end():]
    if _opens_question(example.group("example")):
        return rest
    return _framed(rest, f"{example.group('opening').lower()} {example.group('example')}")


def _unframed(sentence: str) -> str:
    for frame in (*_frames(), _indirect()):
        m = frame.match(sentence)
        if m and m.end() < len(sentence):
            rest = sentence[m.end():]
            return rest[:1].upper() + rest[1:] if sentence[:1].isupper() else rest
    return sentence


def sentences_of(text: str) -> list[str]:
    parts, at = [], 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end(1) if m.group(1) else m.end(2)
        parts.append(text[at:end].strip())
        at = m.end()
    parts.append(text[at:].strip())
    if text[:1].islower() and len(text.split()) >= LONG_MESSAGE:
        parts = [piece for part in parts for piece in _split_after(part, _LOWER_CASE_END)]
    elif len(text.split()) >= LONG_MESSAGE:  # "... spread to his liver. how many patients had pnet": a question
        # written without its capital (in a short message the sentence before often holds what its "they" means)
        parts = [piece for part in parts for piece in _split_after(part, _QUESTION_AFTER_STOP)]
    # "how many patients had pnet He gets tired easily": a question without its mark runs into the next sentence,
    # which opens with a capitalised word of lang/en/asking.txt's run_on ("He", "My", "The"; not "I")
    return [piece for p in parts if p
            for piece in (_split_before(p, _run_on()) if "?" not in p and _opens_question(p) else [p])]


def _split_before(text: str, start: re.Pattern) -> list[str]:
    """The text cut before each match of `start` (an "I" only after a word that does not ask or join)."""
    cuts = [0, *(m.start("start") for m in start.finditer(text)
                 if not m.group("i") or m.group("before") not in _asking()["not_before_i"]), len(text)]
    return [text[a:b].strip() for a, b in zip(cuts, cuts[1:], strict=False) if text[a:b].strip()]


@lru_cache(maxsize=1)
def _run_on() -> re.Pattern:
    people = sorted(w.capitalize() for w in _asking()["run_on"])
    return re.compile(rf"\b(?P<before>[a-z]+)\s+(?P<start>{'|'.join(people)}|(?P<i>I))(?:'[a-z]{{1,2}})?\s+(?=[a-z])")


def _split_after(text: str, end: re.Pattern) -> list[str]:
    """The text cut after each match of `end` (the marks stay with the sentence they end)."""
    pieces, at = [], 0
    for m in end.finditer(text):
        pieces.append(text[at:m.end()].strip())
        at = m.end()
    return [*pieces, text[at:].strip()]


def _has_content(sentence: str) -> bool:
    plain = en.word_list("stopwords.txt") | en.word_list("generic_words.txt")
    return any(w not in plain for w in words(sentence))


def _opens_question(clause: str) -> bool:
    """Whether a clause opens as a question: a question word or an auxiliary first ("how many ...", "is it ..."),
    not a question word opening a told clause ("When my father was diagnosed ...")."""
    return bool(_QUESTION_START.match(clause)) and not _telling().match(clause)


def asks_something(piece: str) -> bool:
    """Whether a piece of a message opens as a question; "In LGPLv3," before "what is ...?" only frames it."""
    return any(_QUESTION_START.match(part.strip()) for part in piece.split(","))


@dataclass(frozen=True)
class _Asked:
    text: str  # the question, without the words framing it
    marked: bool  # a lead-in named it the question ("Here is my real question: ...")


def _asked_in(sentence: str) -> _Asked | None:
    """The question a sentence of a message asks, or None when it only tells.

    A lead-in before a colon is taken off ("So, settle it for us: how many ...?"); so are the words framing a
    question ("What I really want to know is ...", "I was wondering which ...") and the reason given after it
    (", since I would like to read the paper"). Without a question mark, a sentence asks only when it opens as a
    question or is an indirect question of the writer's ("can you tell me what ...", "I need to know what ...").
    """
    marked = False
    pieces = _LEAD_IN.split(sentence)
    for i in range(len(pieces) - 1, 0, -1):
        rest = ": ".join(pieces[i:])
        if _opens_question(_unframed(rest)):
            lead_in = ": ".join(pieces[:i])
            marked = bool(set(words(lead_in)) & _asking()["question"])
            # "sokcet howto: what does shutdown(1) tell the server": a lead-in naming no one frames the question
            rest = rest[:1].upper() + rest[1:] if sentence[:1].isupper() else rest
            sentence = rest if _told(lead_in) else _framed(rest, _in_mid_sentence(lead_in))
            break
    unframed = _unframed(sentence)
    framed = unframed != sentence
    marked = marked or framed and bool(set(words(sentence[:len(sentence) - len(unframed)])) & _asking()["question"])
    if not (unframed.rstrip().endswith("?") or framed or _opens_question(unframed) or _asks_after_comma(unframed)):
        return None
    return _Asked(_told_after(unframed), marked)


def _asks_after_comma(sentence: str) -> bool:
    """"my dad's tumor started in his lungs, what are the odds of making it five years": a clause after a comma that
    opens as a question asks, even without a question mark (not a relative clause: ", which is a pill")."""
    return any(_opens_question(clause.strip()) and not _RELATIVE.match(clause.strip())
               for clause in sentence.split(",")[1:])


_RELATIVE = re.compile(r"(?:which|who|whose|whom)\b", re.IGNORECASE)


def _told(piece: str) -> bool:
    """Whether a piece of a sentence tells of the writer ("So, settle it for us", "I've read it is slow")."""
    return bool(set(words(piece)) & _asking()["personal"])


def questions_in(text: str) -> tuple[str, ...]:
    """The question(s) a message asks, in order, at most MAX_QUESTIONS; the message itself when it has none.

    A short message is its own question. In a longer one only sentences that ask something count, without the
    words framing them; a sentence asking two things ("who ..., and when ...?") gives two. When a lead-in names
    one the question ("My real question is: ..."), what was asked before it is story ("Is it normal to be scared?").
    """
    sentences = sentences_of(text)
    found = [a for a in (_asked_in(s) for s in sentences) if a is not None]
    first_marked = next((i for i, a in enumerate(found) if a.marked), 0)
    asked = [a.text for a in found[first_marked:]]
    # "Can you tell me?" after the sentence that says what: a question with no words of its own asks nothing
    asked = [s for s in asked if _has_content(s)] or asked
    if len(sentences) == 1:
        asked = asked[-1:] or [_unframed(sentences[0])]
    if not asked:
        return (text,) if len(sentences) <= 1 else (_unframed(sentences[-1]),)
    split: list[str] = []
    for sentence in asked:
        pieces = [p.strip(" ,;") for p in _SECOND_QUESTION.split(sentence)]
        pieces = _framing_into_question(_topic_into_question([p for p in pieces if p]))
        if len(pieces) > 1 and all(len(p.split()) >= 2 for p in pieces):
            split.extend(_pointing_back([p if p.endswith("?") else p + "?" for p in pieces]))
        else:
            split.append(pieces[0] if len(pieces) == 1 else sentence)
    # "... but what about getting the files back out? How does unpacking compare?", "what if it does not hold up?
    # What licence applies in that case?": a topic or a supposition only, then the question asked of it: it is
    # story around that question, not a question of its own
    split = [q for i, q in enumerate(split)
             if not ((_TOPIC_ONLY.match(q) or _SUPPOSING.match(q)) and i + 1 < len(split))]
    return tuple(dict.fromkeys(split))[:MAX_QUESTIONS]


_TOPIC_ONLY = re.compile(r"^(?:(?:and|so|but|ok|okay)\s+)?(?:what about|how about|as for|regarding|about)\s+"
                         r"(?P<topic>.+)$", re.IGNORECASE)
_THING_PRONOUN = re.compile(r"\b(?:it|this|that|these|those|they|them)\b(?=[\s?.!]*$)", re.IGNORECASE)
_SUPPOSING = re.compile(r"^(?:(?:and|so|but|ok|okay)\s+)?what if\b", re.IGNORECASE)


_POINTS_BACK = re.compile(r"\b(?:it|its|this|that|these|those|they|them|their)\b", re.IGNORECASE)


def _pointing_back(pieces: list[str]) -> list[str]:
    """"Who will test it next, and when is that supposed to happen?": a question after another in the same sentence
    whose "that" or "it" stands for what the one before asks about carries what that one is about as an aside
    (searched with it, no constraint): its words without its question words, which ask the other thing ("what were
    they randomized to get (people CABINET trial)?", not "... (how many people were in the CABINET trial)?")."""
    return [piece if i == 0 or not _POINTS_BACK.search(piece) else _framed(piece, _about(pieces[i - 1]))
            for i, piece in enumerate(pieces)]


def _about(question: str) -> str:
    """What a question is about: its words as written, without the function words and those that ask."""
    plain = en.word_list("stopwords.txt") | _asking()["degree"]
    asking = _QUESTION_START.match(question)
    told = question[asking.end():] if asking else question
    return " ".join(w for w in _WRITTEN_WORD.findall(_ASIDE.sub(" ", told)) if w.lower() not in plain)


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
    """"Under the MPL, what is a Larger Work?", "Before this approval, how many ...?", "My tumor is in my gut, how
    long do people live?": a piece that asks nothing frames the question after it (the document, the time, the group
    meant). It is not searched on its own but goes at the end of that question as an aside ("what is a Larger Work
    (under the MPL)?"), so the question still opens as asked and its type is told as before; a piece of words that
    only go on ("Also, ...") is dropped. (Pieces are cut before a question word, so only the first may frame.)"""
    if len(pieces) < 2 or asks_something(pieces[0]):
        return pieces
    if not _has_content(pieces[0]):
        return pieces[1:]  # (a word that only goes on, "Also, how often ...?", frames nothing)
    return [_framed(pieces[1], _in_mid_sentence(pieces[0].rstrip("?"))), *pieces[2:]]


def _framed(question: str, framing: str) -> str:
    """The question with its framing after it as an aside in brackets: searched with it, yet no constraint."""
    mark = question[-1] if question.endswith(("?", ".")) else ""
    return f"{question.rstrip('?.')} ({framing}){mark}"


def _in_mid_sentence(piece: str) -> str:
    """A sentence's opening word as it reads inside one: "Under the MPL" -> "under the MPL" (a name, an acronym
    or an abbreviation keeps its capital)."""
    first = piece.split(" ", 1)[0]
    if first[1:].islower() and first.isalpha() and not lexical.is_name(first.lower()):
        return first.lower() + piece[len(first):]
    return piece


def story_of(text: str, questions: tuple[str, ...]) -> str:
    """What a message tells around its questions (what the patient tells about themselves): its sentences without
    the questions' own words, so a lead-in ("I just want to understand the study: ..."), the reason for asking and a
    question only told or asked before the one that counts stay in it."""
    told = []
    for sentence in sentences_of(text):
        for question in questions:
            for part in (_ASIDE.sub(" ", question), *(a.strip("()") for a in _ASIDE.findall(question))):
                sentence = _without_words_of(part, sentence)
        if _has_content(sentence):
            told.append(re.sub(r"\s+", " ", sentence).strip(" ,;:"))
    return " ".join(told)


_WRITTEN_WORD = re.compile(r"[\w'’-]+")


@lru_cache(maxsize=4096)  # questions come again and again
def _written_words(part: str) -> tuple[str, ...]:
    return tuple(t.lower() for t in _WRITTEN_WORD.findall(part))


def _without_words_of(part: str, sentence: str) -> str:
    """The sentence without a question's words (or an aside's) where they stand in it as whole words, whatever the
    case and the marks between them, and a "?" after them. Matched word by word, not by a pattern compiled per
    question: compiling one costs about 2 ms, the whole budget of a first reply."""
    tokens = _written_words(part)
    found = [(m.start(), m.end(), m.group().lower()) for m in _WRITTEN_WORD.finditer(sentence)]
    spans: list[tuple[int, int]] = []
    k, n = 0, len(tokens)
    while tokens and k + n <= len(found):
        if tuple(word for _, _, word in found[k:k + n]) == tokens:
            spans.append((found[k][0], found[k + n - 1][1]))
            k += n
        else:
            k += 1
    if not spans:
        return sentence
    pieces, at = [], 0
    for begin, end in spans:
        end += sentence.startswith("?", end)
        pieces += [sentence[at:begin], " "]
        at = end
    return "".join(pieces) + sentence[at:]


# ---------------------------------------------------------------- one question

_PHRASE_WORD = re.compile(r"[^\W_]+(?:[-'.][^\W_]+)*\.?|[^\w\s]")
_LABEL = re.compile(rf"\b({'|'.join(en.ordered_words('label_words.txt'))})\s+(\d+(?:\s*-\s*\d+)?[a-z]?)\b",
                    re.IGNORECASE)
_PREDICATE = re.compile(r"\b(?:is|are|was|were|be|been|being|become|became|get|got)\s+(?:\w+ly\s+)?([a-z]+)"
                        r"\s*[?.!]*$", re.IGNORECASE)
_YES_NO_START = re.compile(r"^\s*(?:is|are|was|were|does|do|did|can|could|has|have|had|will|would|should|whether|"
                           r"if)\b", re.IGNORECASE)
_DETERMINERS = frozenset("the a an this that these those my your his her their its our some any each every all "
                         "both either one".split())


def slots_of(text: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(word before, preposition, phrase words) of each phrase constraint: "published in the Lancet" ->
    ("published", "in", ("lancet",)). A text that fills the same slot with something else answers a yes/no
    question about it: no, in the New England Journal of Medicine."""
    prepositions = set(en.table_words("constraint_words.txt", "prepositions"))
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

"""When a finding happens, for the safety router: over ("last year", "has healed", "when she was 16"), closed by an
outcome ("turned out to be indigestion"), back again ("it's back now"), going on ("has been calling everyone"),
supposed or foretold ("what if", "will"), or told in the simple past ("why did he collapse?"). Each reads the time,
tense and mood words of lang/en/ (time.txt, grammar.txt, negation.txt [outcome], questions.txt) around a found form,
in its clause and sentence: a time word dates what it stands beside, not the whole message."""

from __future__ import annotations

from netqa import lexical
from netqa.safety_lexicon import english
from netqa.safety_message import Instance, Mark, Message, free, instances


def closed(message: Message, found: Instance) -> bool:
    """An outcome told after the finding closes it (negation.txt [outcome]: "turned out to be indigestion", "...,
    never since"): of a sudden sign, in its clause or a clause by itself, naming no sign after it in its clause,
    and with no word of now or of the sign coming back after it."""
    if not found.sudden:  # an attempt or a wish is not closed by how it turned out ("turns out I can't even ...")
        return False
    clause = message.clause_span(found.start)
    for cue in free(message, "negation:outcome", message.sentence_span(found.start), found.taken):
        own = message.clause_span(cue.start)
        if cue.start > found.start and (cue.start in clause or own == range(cue.start, cue.end)) \
                and not _names_a_sign(message, range(cue.end, own.stop)) \
                and not any(free(message, label, range(cue.end, len(message)), found.taken)
                            for label in ("time:now", "time:present")) and not comes_back(message, found, cue.end):
            return True
    return False


def _names_a_sign(message: Message, span: range) -> bool:
    """A whole red-flag finding stands in the span ("turned out to be a heart attack"), not one word of one
    ("indigestion" is a word of chest pain, no sign alone)."""
    return any(found.start in span and found.end <= span.stop for finding in message.lexicon.findings
               for found in instances(message, finding.forms))


def comes_back(message: Message, found: Instance, after: int) -> bool:
    """A word of the sign coming back (time.txt [again]) after this word in its sentence or the next, not denied
    ("never again", "I never want to feel that way again"), or the state taken up in a clause told as now (time.txt
    [same]: "I feel the same way now"; not "I don't feel that way now"): what was over is new again."""
    sentences = message.sentences()
    number = next(n for n, span in enumerate(sentences) if found.start in span)
    reach = range(after, sentences[min(number + 1, len(sentences) - 1)].stop)
    if any(not _denied_in_its_clause(message, m) and not _of_another_doing(message, m, after)
           for m in message.within("time:again", reach)):
        return True
    compared = message.lexicon.grammar["compared"]

    def told_now(m: Mark) -> bool:  # in its clause or the one it runs into ("... the same way | now")
        clause = range(message.clause_span(m.start).start, message.clause_span(min(m.end, len(message) - 1)).stop)
        return any(message.within(label, clause) for label in ("time:now", "time:present"))

    return any(not _denied_in_its_clause(message, m) and not (m.end < len(message) and message.stems[m.end] in compared)
               and told_now(m) for m in message.within("time:same", reach))


def _of_another_doing(message: Message, again: Mark, after: int) -> bool:
    """A word of coming back said of something else being done: between `after` and it in its clause an -ing form of
    a verb (its base a verb by WordNet's parts of speech) that is no light verb (grammar.txt [light]) and no part of
    a sign, with no word referring back as its object ("he had a heart attack in 2018 and this week he's out
    playing golf again", "she's walking again"; not "it's happening again", "I'm thinking about it again", "he is
    vomiting again")."""
    grammar = message.lexicon.grammar
    words = range(max(after, message.clause_span(again.start).start), again.start)
    # a word of a red flag, or of a self-harm form found ("walking" is one only in "walking into the sea")
    signs = {at for label, marks in message.marks.items() if label.startswith("flag:")
             for m in marks if m.end > words.start and m.start < words.stop for at in range(m.start, m.end)}
    signs.update(at for found in instances(message, message.lexicon.self_harm) for at in found.taken)
    return any(message.words[at].endswith("ing") and message.stems[at] not in grammar["light"] and at not in signs
               and any("v" in lexical.parts_of_speech(base) for base in lexical.base_forms(message.words[at]))
               and not grammar["referring"].intersection(message.stems[at + 1:again.start]) for at in words)


def _denied_in_its_clause(message: Message, said: Mark) -> bool:
    """A negation cue stands before the words in their clause, a cue that denies (negation.txt [not_a_cue]: "can't
    stop" does not): "never again", "I never want to feel that way again", "I don't feel that way now"."""
    not_cues = {m.start for m in message.marks.get("negation:not_a_cue", ())}
    return any(cue.start < said.start and cue.end not in not_cues
               for cue in message.within("negation:cue", message.clause_span(said.start)))


_SINCE_REACH = 4  # "since starting cabozantinib two weeks ago": the time dates a start when this close after it


def over(message: Message, found: Instance) -> bool:
    """Said to be in the past or to come and go, and not now: "last year", "in 2019", "has healed", "used to",
    "on and off", "for months"."""
    sentence = message.sentence_span(found.start)
    starts = [m.end for m in message.within("time:since", sentence)]  # not "since my stroke two years ago"
    long_ago = {at for m in message.within("time:long_ago", sentence) for at in range(m.start, m.end)}
    over = [m for m in free(message, "time:over", sentence, found.taken) if not _dates(m, found)
            and not _dates_its_own_clause(message, m, found)
            and not (not m.overlaps(long_ago) and any(0 <= m.start - end <= _SINCE_REACH
                                                      and found.start not in range(end, m.start) for end in starts))]
    if found.lasting:  # an overdose two days ago still harms: only a time longer ago than days ends it
        recent = {at for m in message.within("time:recent", sentence) for at in range(m.start, m.end)}
        over = [m for m in over if not m.overlaps(recent)]
    if found.sudden and not free(message, "time:change", sentence, frozenset()):  # "often, but this time ..."
        over += free(message, "time:habitual", sentence, found.taken)  # self-harm that goes on is no less urgent
    if _then(message, found):
        return True
    if not over:
        return False
    inside = {at for m in over for at in range(m.start, m.end)}  # "now" in "now and then" is not now

    first = min(m.end for m in over)
    others = {m.start for m in message.marks.get("time:again", ()) if _of_another_doing(message, m, first)}

    def now(span: range) -> bool:  # "again" said of something else being done is no now ("out playing golf again")
        return any(not m.overlaps(inside) and m.start not in others for label in ("time:present", "time:now")
                   for m in free(message, label, span, found.taken))

    return not (now(message.clause_span(found.start)) or now(found.also) or _going_on(message, found)
                or comes_back(message, found, first) or _taken_up_now(message, found))


def _taken_up_now(message: Message, found: Instance) -> bool:
    """A later clause of the sentence told as now names a part of the same red flag: "my dad had a stroke 2 years
    ago and today he can't lift his arm" (the time said first dates that clause, which tells the sign now); "... and
    today I feel fine" names none."""
    if not found.sudden:  # self-harm shares words with red flags ("dose"): it has its own ways back (time.txt)
        return False
    ids = {label.split(":", 2)[1] for label, marks in message.marks.items() if label.startswith("flag:")
           for m in marks if m.start in found.taken}
    after = range(message.clause_span(found.start).stop, message.sentence_span(found.start).stop)
    for clause in message.clauses():
        if clause.start not in after or not (message.within("time:now", clause)
                                             or message.within("time:present", clause)):
            continue
        if any(label.startswith("flag:") and label.split(":", 2)[1] in ids and message.within(label, clause)
               for label in message.present):
            return True
    return False


def _dates_its_own_clause(message: Message, cue: Mark, found: Instance) -> bool:
    """A time in another clause than the finding's, one with a person of its own, dates that clause's event when the
    finding's clause is not told in the past: "I feel like I did as a child, I want to end it all" ("as a child"
    dates "did"). A time with no one of its own ("that was last year") still dates the finding, and so does any
    time before a clause told in the past ("I was admitted last month, I had bleeding")."""
    clause = message.clause_span(found.start)
    if cue.start in clause or any(past_form(word) for word in message.words[clause.start:found.start]):
        return False
    words = set(range(cue.start, cue.end))
    return any(not person.overlaps(words) for label in ("person:personal", "person:relative")
               for person in message.within(label, message.clause_span(cue.start)))


def _then(message: Message, found: Instance) -> bool:
    """Dated by an age or a time of life that is past ("when she was 16", "as a teenager"; grammar.txt [then]) in
    the finding's clause or in a clause of its own right before it ("As a teenager, I ..."), with no word of now
    after it in the message ("... and I feel the same way now"; "she's 40 now" tells an age, "fine now" an ending,
    "never again" denies it) and nothing of the sign coming back."""
    clause = message.clause_span(found.start)
    then = [m for m in free(message, "time:then", message.sentence_span(found.start), found.taken)
            if not _dates(m, found) and (m.start in clause or (
                message.clause_span(m.start) == range(m.start, m.end) and m.end <= clause.start
                and message.clause[clause.start - 1] == message.clause[m.start]))]
    if not then:
        return False
    first = min(m.end for m in then)
    closing = {at for label in ("negation:after", "negation:outcome") for m in message.marks.get(label, ())
               for at in range(m.start, m.end)}
    for label in ("time:now", "time:present"):
        for m in free(message, label, range(first, len(message)), found.taken):
            age = m.start > 0 and message.stems[m.start - 1].isdigit()
            denied = _denied_in_its_clause(message, m)  # "never again", "never had one again"
            if not (age or denied or m.overlaps(closing)):
                return False
    return not comes_back(message, found, first)


def _going_on(message: Message, found: Instance) -> bool:
    """Told in the perfect progressive, which reaches up to now: "has been calling everyone to say goodbye", "keeps
    saying he won't need it" (an auxiliary of time.txt [ongoing], then an -ing form, before the finding in its
    clause); "has been fine since" is no finding."""
    clause = message.clause_span(found.start)
    return any(m.end <= found.start and m.start in clause and message.words[m.end].endswith("ing")
               for m in message.marks.get("time:ongoing", ()))


def _dates(cue: Mark, found: Instance) -> bool:
    """A time cue nearer a part told as past by nature than the finding's other words: it dates that part only."""
    if not found.history:
        return False
    others = found.taken - found.history

    def distance(words: frozenset[int]) -> int:
        return min((abs(at - cue.start) for at in words), default=len(found.taken) + 99)

    return distance(found.history) < distance(others)


def supposed(message: Message, found: Instance) -> bool:
    """Only supposed or foretold: "what if", "in case" before it in its clause, or "will" right before it; unless
    "right now", or judged as it goes on ("is it serious if I'm vomiting blood?" tells that I am; "what should I do
    if he is bleeding?" still supposes)."""
    clause = message.clause_span(found.start)
    grammar = message.lexicon.grammar
    going_on = found.start and message.words[found.start].endswith("ing") \
        and message.stems[found.start - 1] in grammar["perfect"]
    if going_on and any(message.stems[m.start - 1] in grammar["judging"] for m in message.within(
            "questions:hypothetical", clause) if 0 < m.start < found.start):
        return False
    asking = {m.end for m in message.marks.get("questions:not_hypothetical", ())}
    supposes = [m for m in free(message, "questions:hypothetical", clause, found.taken)
                if m.start <= found.start and m.start not in asking and m.start - 1 not in asking]
    supposes += [m for m in free(message, "questions:future", clause, found.taken) if m.end == found.start
                 and message.stems[found.start] not in grammar["will_not"]]
    return bool(supposes) and not free(message, "time:now", message.sentence_span(found.start), found.taken)


def told_as_past(message: Message, found: Instance, before: range) -> bool:
    """The finding is told in the simple past with no word of now in its sentence: a past auxiliary between the
    question word and it ("why did she ..."), or its first word a past form ("collapsed", "bled") with no "has" or
    "is" between ("why has he collapsed?" is now)."""
    sentence = message.sentence_span(found.start)
    if any(free(message, label, sentence, found.taken) for label in ("time:now", "time:present")):
        return False
    if message.within("questions:past", before):
        return True
    perfect = message.lexicon.grammar["perfect"]
    return past_form(message.words[found.start]) and not any(
        word in perfect for word in message.stems[before.start:found.start])


def past_form(word: str) -> bool:
    """A past form by its shape: a regular "-ed" or one of WordNet's irregular forms that is not a comparative."""
    return word.endswith("ed") or (word in english().irregular and not word.endswith(("er", "est")))

"""A message -> its route: emergency (crisis or not), medical_advice, chitchat, or a question to answer.

Why compositional: a list of whole phrases ("vomiting blood", "should I take") only knows the wordings someone
thought of, and fires on a word alone ("does the article mention suicide?"). Here a route is built from parts
kept as data in lang/en/, each matched by word stem; a form the lists never wrote by its base word (WordNet's
irregular forms and regular endings, inflections.txt: "bled", "paler"), and a misspelling by the vocabulary word
fewest edits away (terms.Speller, the corrector a corpus's words use too; a word English itself knows is never
"repaired" but for two swapped letters):

- a red-flag FINDING (red_flags.json: the parts of each sign in published "call the emergency number" guidance,
  with the source it comes from) stands in a sentence, with the SEVERITY or ONSET words it needs (severity.txt);
  an adjective + noun part is also known said of the noun ("stiff neck": "his neck is stiff"; WordNet's parts of
  speech), body parts come from WordNet (body_parts.txt), and weaker signs (dizzy, clammy, breathless) count when
  two kinds of them are reported together;
- it is a report, not something else: not denied by a NEGATION cue in its clause (negation.txt; "I don't think I
  can go on" is "I think I can not go on"), not OVER ("last year", "has healed"; time.txt; an age or time of life
  then, "when she was 16", grammar.txt [then]; an outcome that closes it, "turned out to be indigestion",
  negation.txt [outcome]; unless a word of now or of it coming back follows), not supposed ("what if",
  questions.txt), not a QUESTION ABOUT it ("how common was bleeding?"), and not about people in general (the
  SUBJECT, person.txt; a pronoun taking up someone in general is no relative: grammar.txt [taking_up]);
- scope and time are read from the sentence, not a word: words quoted after a person's verb of saying are a
  report, with no one saying them the text's own; "why did he collapse?" told in the past asks about an event
  that is over; "I want to know if he will die" is no wish; a complaint that comes and goes is new again told as
  a change ("this time"), and "since" a recent time dates a start, not an ending;
- self-harm is its own composition (self_harm.json: a wish or plan joined to an act against oneself, a goodbye,
  pills taken on purpose, no point x living; one group of forms for each category of the published warning-sign
  lists), about anyone, and sends the crisis line first; weaker warning signs
  (despair, withdrawal, means laid out) count only when two kinds of them stand in one message; an overdose or
  injury told with a word of intent or despair is self-harm too;
- a personal MEDICAL DECISION is a decision verb x a personal subject x a modal or evaluation (advice.txt), or a
  question whose modal has the writer or a relative as its subject ("could he be given it?"): only on a corpus
  about health;
- CHITCHAT is a message made up only of greetings, thanks, goodbyes, questions about the assistant, insults or
  frustration (chitchat.json), or a greeting followed only by telling, with no question and no health word.

New wordings then combine parts already known ("my nan's lips are swelling up" = a person x swelling x lips),
and each part is tested on its own.

The stages, one module each, in the order a message goes through them: safety_lexicon.py (the vocabulary built from
lang/en/), safety_message.py (the message as marked words, and the forms whose parts stand in it), safety_time.py
(whether a form found is over, closed, back again, going on or only supposed), this module (denied, asked about,
whose, and the route).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from netqa import lexical, safety_model
from netqa.records import RouteKind
from netqa.safety_lexicon import WORDNET, Form, Lexicon, english, read_sections
from netqa.safety_message import WISHES, Instance, Mark, Message, free, instances
from netqa.safety_time import closed, comes_back, over, supposed, told_as_past

NEGATION_REACH = 4  # a negation cue denies a finding that starts at most this many words after it
ATTACHED = 3  # a person this close before a finding is the one it happens to ("is my dad coughing up blood?")
ADVICE_REACH = 3  # the person asked about stands this close to the modal ("should my husband ...")


@dataclass(frozen=True)
class Route:
    """Where a message goes. `reason` names what decided it (a finding's id, "self_harm", a decision form),
    for tests and logs; `mood` is the kind of small talk (hello, thanks, bye, identity, insult, frustration; referral: a
    request to speak to a person)."""

    kind: RouteKind
    crisis: bool = False
    reason: str = ""
    mood: str = ""


QUESTION = Route(RouteKind.QUESTION)



# ---------------------------------------------------------------- is a finding reported, now, by someone?


def _denied(message: Message, found: Instance) -> bool:
    """A negation cue shortly before the finding, or between its parts, in its clause ("no chest pain", "my
    chest does not hurt"); or a word after it saying it is over ("the bleeding has stopped")."""
    clause = message.clause_span(found.start)
    not_cues = {m.start for m in message.marks.get("negation:not_a_cue", ())}
    unable = {m.end for m in message.marks.get("negation:inability", ())}
    for cue in free(message, "negation:cue", clause, found.taken):
        if cue.end in not_cues or cue.start in unable:
            continue
        if found.start - NEGATION_REACH <= cue.start < found.end:
            return True
    moved = {m.start for m in message.marks.get("negation:moved", ())}  # "he's gone into the woods"
    ended = [m for m in free(message, "negation:after", message.sentence_span(found.start), found.taken)
             if m.start > found.start and not message.becomes(m) and m.end not in moved
             and (m.start in clause or message.stems[m.start - 1] in message.lexicon.grammar["referring"])]
    if ended and not free(message, "time:now", clause, found.taken):
        return not comes_back(message, found, min(m.end for m in ended))
    return closed(message, found)


def _opens_question(message: Message, clause: range) -> Mark | None:
    """The question word a clause opens with (after filler such as "so", "ok"), if the clause asks: it opens
    its sentence or its sentence ends with a question mark ("he is pale, has chest pain" does not ask)."""
    at = clause.start
    sentence = message.sentence[at]
    if at > 0 and message.sentence[at - 1] == sentence and sentence not in message.asks:
        return None
    fillers = {m.start: m.end for m in message.marks.get("questions:filler", ())}
    while at in fillers and at < clause.stop:
        at = fillers[at]
    opener = next((m for m in message.marks.get("questions:opener", ()) if m.start == at), None)
    if opener is not None and sentence not in message.asks and opener.end < len(message) \
            and message.stems[opener.end] in message.lexicon.grammar["not"]:
        return None  # "can't breathe properly", "doesn't want to wake up": a statement with its subject left out
    return opener


def _people(message: Message, span: range, found: Instance, skip: Mark | None) -> list[tuple[Mark, bool]]:
    """The persons named in a span: (mark, personal?), in order, none of them part of the finding; of two
    overlapping names the longer ("the patient", not "patient")."""
    taken = found.taken | (frozenset(range(skip.start, skip.end)) if skip else frozenset())
    people = [(m, True) for m in free(message, "person:personal", span, taken)]
    owners = {m.end for m, _ in people}  # "my patients", "our family": the writer's own people
    spoken_to = {m.end for m in message.marks.get("person:addressing", ())}  # "she messaged everyone": not her
    people += [(m, m.start in owners) for m in free(message, "person:generic", span, taken)
               if m.start not in spoken_to]
    people = [(m, personal) for m, personal in people
              if not any(o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start
                         for o, _ in people)]
    return sorted(people, key=lambda p: p[0].start)


def _asked_about(message: Message, found: Instance) -> bool:
    """A question about the finding, not a report of it: "does the article mention suicide?", "how common was
    bleeding?", "can it make me bleed?". A person it is happening to keeps it a report ("why is my dad
    vomiting blood?")."""
    if found.asked:
        return False
    clause = message.clause_span(found.start)
    before = range(clause.start, found.start)
    opener = _opens_question(message, clause)
    if found.sudden and _asks_what_happened(message, found, clause, opener):  # an attempt told in the past is one
        return True
    if _how_to_know(message, found, clause, opener):
        return True
    causes = free(message, "questions:cause", before, found.taken)
    if causes:
        last = max(causes, key=lambda m: m.start)
        asks = opener is not None or message.sentence[found.start] in message.asks
        told = message.words[last.start].endswith("ing") or (
            last.start > 0 and message.stems[last.start - 1] in message.lexicon.grammar["perfect"])
        if asks and not told:  # "can it make me cough up blood?": whether it would; "is it making me ...?" tells
            return True
        return not any(personal and m.start > last.start and found.start - m.end <= ATTACHED
                       for m, personal in _people(message, before, found, opener))
    if opener is None:
        return False
    anyone = {m.start for m in message.within("person:indefinite", clause)}  # "what if someone swallows it?" asks
    people = [(m, personal and m.start not in anyone) for m, personal in _people(message, clause, found, opener)]
    if any(personal and 0 <= found.start - m.end <= ATTACHED for m, personal in people):
        return False
    if not found.sudden and not anyone and all(personal for _, personal in people) and (
            _holds(message, found, WISHES) or (
            _holds(message, found, ("harm:took",)) and _holds(message, found, ("count:many", "harm:large")))
            or any(message.words[at].endswith(("ed", "ing")) for m in message.marks.get("harm:overdosed", ())
                   if m.overlaps(found.taken) for at in range(m.start, m.end))):
        return False  # "is it normal to want to die?", "too late after taking 40?", "I overdosed, is it too late?":
        # with no one else named, the asker's
    if free(message, "questions:info", clause, found.taken):
        return True
    return not any(personal for _, personal in people)


def _asks_what_happened(message: Message, found: Instance, clause: range, opener: Mark | None) -> bool:
    """A question why or whether something happened, told in the past ("why did he collapse?", "I want to know
    why he collapsed"): it asks about an event that is over. The clause asks (it opens as a question, or its
    sentence ends with a question mark) or the why-word follows a word of knowing ("no idea why", "know whether")."""
    whys = free(message, "questions:why", range(clause.start, found.start), found.taken)
    if not whys:
        return False
    knowing = {m.end for label in ("questions:not_hypothetical", "questions:embedding")
               for m in message.marks.get(label, ())}
    asks = opener is not None or message.sentence[found.start] in message.asks
    if not asks and not any(m.start in knowing or m.start - 1 in knowing for m in whys):
        return False
    return told_as_past(message, found, range(whys[-1].end, found.start))



def _holds(message: Message, found: Instance, labels: Iterable[str]) -> bool:
    """Whether one of the finding's parts carries one of these labels."""
    return any(m.overlaps(found.taken) for label in labels for m in message.marks.get(label, ()))


def _how_to_know(message: Message, found: Instance, clause: range, opener: Mark | None) -> bool:
    """A question how to know a sign ("how do I recognise a clot?", "signs of sepsis?"): no one named between
    the asking and the sign but the asker supposed ("how do I know if I'm having a severe allergic reaction?", "... if
    my stomach pain is serious?"), nor
    as its subject before it ("my dad has signs of sepsis?" tells one), and not now."""
    if opener is None and message.sentence[found.start] not in message.asks:
        return False
    knowing = free(message, "questions:knowing", range(clause.start, found.start), found.taken)
    if not knowing or free(message, "time:now", message.sentence_span(found.start), found.taken):
        return False
    first = min(m.start for m in knowing)

    def tells(person: Mark) -> bool:  # of the one asking, only what follows the asking unsupposed ("if I")
        grammar = message.lexicon.grammar
        # the asker's own body or complaint ("if my stomach pain is serious"), of a sudden sign: a wish or an
        # attempt supposed is still a warning sign, and "my dad" is someone else
        own = found.sudden and person.end - person.start == 1 and message.stems[person.start] in grammar["asker_own"]
        if message.stems[person.start] not in grammar["asker"] and not own:
            return True
        return person.start > first and message.stems[person.start - 1] not in grammar["supposition"]

    return not any(personal and tells(m) for m, personal in _people(message, range(clause.start, found.start), found,
                                                                    opener))


def _about_others(message: Message, found: Instance) -> bool:
    """About people in general, a study's patients ("patients in the trial had serious bleeding") or an animal; a
    person named inside the finding itself ("better off without her") is the one it is about."""
    if any(m.overlaps(found.taken) for m in message.marks.get("person:personal", ())):
        return False
    clause = message.clause_span(found.start)
    people = _people(message, range(clause.start, found.start), found, None)
    animals = free(message, "person:animal", range(clause.start, found.start), found.taken)
    if animals and (not people or animals[-1].start > people[-1][0].start):
        return True  # "my dog is vomiting blood": for a vet
    if people:
        return not people[-1][1]
    sentence = _people(message, message.sentence_span(found.start), found, None)
    if any(personal for _, personal in sentence):
        return False
    return bool(sentence)


def _reported(message: Message, found: Instance, health: bool = True) -> bool:
    """The finding is said to be happening to someone now (the checks of the module docstring). Off a health
    corpus a person must be named in its sentence: in a manual "the list collapses" or "zlib chokes" is not one."""
    if all(message.quoted[at] for at in found.taken if at < len(message)):
        return False
    if not health and not message.within("person:personal", message.sentence_span(found.start)):
        return False
    # a sign even when asked ("how many would it take to not wake up?") is one also when supposed ("what if")
    # nor is it about people in general: "can you die from 20 paracetamol?" asks for oneself. Self-harm (not a
    # sudden illness) supposed is still a warning sign (988 Lifeline): "what if I just took them all?"
    supposing = found.sudden and not found.asked and supposed(message, found)
    return not (_denied(message, found) or over(message, found) or supposing or _of_a_home(message, found)
                or _asked_about(message, found) or (_about_others(message, found) and (
                    not found.asked or _of_people_in_general(message, found))))


def _of_a_home(message: Message, found: Instance) -> bool:
    """A verb of living the form took tells where or with whom someone lives (harm:residing, safety_message.py): "I
    don't want to live with my son" is about a home, not about being alive."""
    return any(m.start in found.taken for m in message.marks.get("harm:residing", ()))


def _of_people_in_general(message: Message, found: Instance) -> bool:
    """A sign asked about people in general, named before it in its clause ("why do people want to kill
    themselves?"); the impersonal "you" is the asker ("can you die from 20 paracetamol?")."""
    clause = message.clause_span(found.start)
    people = _people(message, range(clause.start, found.start), found, None)
    impersonal = message.lexicon.grammar["impersonal"]
    return bool(people) and not people[-1][1] and message.stems[people[-1][0].start] not in impersonal


WARNING_SIGNS = 2  # kinds of weaker warning signs in one message that together are a crisis or an emergency


def _warning_signs(message: Message, kinds: dict[str, tuple[Form, ...]], health: bool) -> bool:
    """Weaker warning signs of at least WARNING_SIGNS kinds reported in the message (despair and pills laid out;
    dizzy and clammy), each of which alone may be about something milder."""
    standing = [found for found in (instances(message, forms) for forms in _kinds_held(message, kinds)) if found]
    if len(standing) < WARNING_SIGNS:  # the reading below costs more than finding them
        return False
    return sum(any(_reported(message, found, health) and not _proposed_by_modal(message, found)
                   for found in kind) for kind in standing) >= WARNING_SIGNS


_KINDS_BY_FIRST_PART: dict[int, tuple[dict[str, tuple[Form, ...]], dict[str, list[tuple[Form, ...]]]]] = {}


def _kinds_held(message: Message, kinds: dict[str, tuple[Form, ...]]) -> list[tuple[Form, ...]]:
    """The kinds of weaker signs (their forms) of which the message holds a first part: most messages hold none
    of the dozen kinds, and trying each costs more than looking them up."""
    entry = _KINDS_BY_FIRST_PART.get(id(kinds))
    if entry is None or entry[0] is not kinds:
        index: dict[str, list[tuple[Form, ...]]] = defaultdict(list)
        for forms in kinds.values():
            for first in dict.fromkeys(form.parts[0] for form in forms):
                index[first].append(forms)
        entry = _KINDS_BY_FIRST_PART[id(kinds)] = (kinds, dict(index))
    held = {id(forms): forms for label in message.present if label in entry[1] for forms in entry[1][label]}
    return list(held.values())


def _proposed_by_modal(message: Message, found: Instance) -> bool:
    """A weaker sign asked as a decision ("should I stop my tablets?"): a modal just before it in its clause."""
    clause = message.clause_span(found.start)
    negations = message.lexicon.grammar["not"]  # "won't feed" refuses
    return any(0 <= found.start - m.end <= ADVICE_REACH and message.stems[m.end] not in negations
               for label in ("advice:modal", "advice:obligation") for m in message.within(label, clause))


SAID_ALONE = 8  # a message of at most this many words may be a weaker warning sign and nothing else
# what may stand beside a sign said alone: the person, "feel", "am", a word of now ("i feel so hopeless right now")
_ALONGSIDE = ("person:personal", "harm:being", "clauses:copula", "time:now", "time:present")


def _said_alone(message: Message, lexicon: Lexicon, health: bool) -> bool:
    """A weaker sign of despair or of the unbearable that is the whole message: a short statement by or about a
    person, with no question and no one addressed, whose other words only name the person, a feeling or now, or
    are function words ("i can't anymore", "it's over for me", "my mum can't cope"; not "you're hopeless", "I
    can't cope with this heat"): there is nothing else it can be about."""
    if len(message) > SAID_ALONE or message.asks or message.starts("questions:opener", 0) \
            or not message.has("person:personal") or not lexicon.grammar["addressee"].isdisjoint(message.stems):
        return False
    plain = {at for label in _ALONGSIDE for m in message.marks.get(label, ()) for at in range(m.start, m.end)}

    def whole(found: Instance) -> bool:
        return all(at in found.taken or at in plain or word in lexicon.function_words or word in lexicon.skippable
                   for at, word in enumerate(message.stems))

    return any(whole(found) and _reported(message, found, health) for kind in lexicon.alone
               for found in instances(message, lexicon.warning_signs[kind]))


def _self_harm(message: Message, lexicon: Lexicon, health: bool) -> bool:
    """A self-harm form reported, weaker warning signs of two kinds, or one said alone."""
    return any(_reported(message, found, health) for found in instances(message, lexicon.self_harm)) or \
        _warning_signs(message, lexicon.warning_signs, health) or _said_alone(message, lexicon, health)


def _red_flag(message: Message, lexicon: Lexicon, health: bool) -> str:
    """The id of the first red flag reported in the message, or ""."""
    named = message.flag_ids
    for finding in lexicon.findings:
        if finding.id in named and any(_reported(message, found, health)
                                       for found in instances(message, finding.forms)):
            return finding.id
    return ""


# ---------------------------------------------------------------- personal decisions and small talk


_DECISION_PARTS = ("decision", "care_verb", "evaluation", "opinion", "eligibility", "proposal", "obligation_decision",
                   "concern", "situation")
_DECISION_LABELS = frozenset(f"advice:{kind}" for kind in _DECISION_PARTS)


def _decision(message: Message) -> str:
    """Which form of personal decision the message holds ("modal", "evaluation", ...), or ""."""
    if message.present.isdisjoint(_DECISION_LABELS):
        return ""
    clauses = message.clauses()
    for clause in clauses:
        if form := _decision_in(message, clause):
            return form
    asking = [c for c in clauses if message.within("questions:opener", range(c.start, c.start + 1))
              or message.sentence[c.start] in message.asks]
    if any((message.within("advice:evaluation", c) or message.within("advice:opinion_weak", c))
           and not _asked_of_the_past(message, c) for c in asking):
        if any(_proposed(message, c) for c in clauses):
            return "proposal"
        if any(_own_situation(message, c) for c in clauses):
            return "situation"
        if any(_own_plan(message, c) for c in clauses):
            return "plan"  # "I'm thinking about asking to go on it, good idea?"
    if any(_bare_modal_question(message, c) for c in asking) and any(_own_plan(message, c) or _proposed(message, c)
                                                                      for c in clauses):
        return "plan"  # "I'm scared to start it. Should I?", "my oncologist wants me to start it, should I?"
    if message.asks and any(_bare_decision(message, c) for c in clauses):
        return "bare_decision"
    return ""


_PAST_OPENING = 3  # a past auxiliary this near a question's start tells it asks about the past


def _asked_of_the_past(message: Message, clause: range) -> bool:
    """A question told in the simple past (a past auxiliary, questions.txt [past], among its first words): "what
    benefit did cabozantinib show?", "was it safe in the trial?" ask what happened, no decision to come."""
    return bool(message.within("questions:past", range(clause.start, min(clause.start + _PAST_OPENING, clause.stop))))


def _bare_decision(message: Message, clause: range) -> bool:
    """A question that opens with a decision verb, its subject and modal left out as in a chat: "skip tonight's
    dose?", "missed a dose, take it now or wait?": the verb opens a clause of an asking sentence, in its base form,
    and what follows names the writer's own (a person, "it", "tonight"); "use in children?" asks what the text says."""
    at = clause.start
    if message.sentence[at] not in message.asks or message.starts("questions:opener", at):
        return False  # "do you have feelings?": an auxiliary opening a question
    if not message.starts("advice:decision", at) or message.words[at].endswith(("ed", "ing", "en")):
        return False
    after = range(at + 1, clause.stop)
    return any(message.stems[to] in message.lexicon.grammar["referring"] for to in after) or any(
        message.within(label, after) for label in ("person:personal", "time:present", "time:now"))


def _own_plan(message: Message, clause: range) -> bool:
    """The writer tells a plan or worry of their own (or a relative's) about a treatment: a person, then an
    intent or concern word, then a decision verb ("I'm thinking about asking to go on it", "I'm scared to start")."""
    people = message.within("person:personal", clause)
    intents = message.within("advice:intent", clause) + message.within("advice:concern", clause)
    knowing = {at for m in message.marks.get("questions:embedding", ()) for at in range(m.start, m.end)}
    decisions = message.within("advice:decision", clause)
    return any(0 <= i.start - p.end <= 3 and not i.overlaps(knowing)
               and any(0 <= d.start - i.end <= 4 for d in decisions) for p in people for i in intents)


def _bare_modal_question(message: Message, clause: range) -> bool:
    """A question of a modal and a person only, which asks about the sentence before it: "Should I?", "Can he?",
    "Would you?"."""
    modal = message.within("advice:modal", clause) or message.within("advice:obligation", clause)
    asked = bool(message.within("person:personal", clause)) or bool(message.within("advice:ask_you", clause))
    return len(clause) <= 3 and bool(modal) and asked and clause.start > 0  # also "Would you?" of the assistant


def _own_situation(message: Message, clause: range) -> bool:
    """The writer tells their own (or a relative's) situation: "I'm breastfeeding", "my dad is on warfarin"."""
    people = message.within("person:personal", clause)
    return any(0 <= s.start - p.end <= 2 for s in message.within("advice:situation", clause) for p in people)


def _proposed(message: Message, clause: range) -> bool:
    """The writer's care team proposes a treatment: "my oncologist wants to switch me", "she was prescribed it"."""
    if not message.within("person:personal", clause):
        return False
    team = message.within("advice:care_team", clause)
    return any(any(0 <= p.start - t.end <= 3 for t in team) or message.starts("advice:team_only", p.start)
               for p in message.within("advice:proposal", clause))


def _asks_for_someone(message: Message, clause: range) -> bool:
    """A request to speak to a person, not a medical decision: the writer (or a relative), then a verb of getting in
    touch with someone of the care team or a person, and no decision verb after it ("can I talk to a real nurse?",
    "could I speak to someone"; not "can I ask my doctor to lower the dose?")."""
    people = message.within("advice:someone", clause)
    askers = message.within("person:personal", clause)
    return any(any(0 <= p.start - verb.end <= 3 for p in people) and any(a.end <= verb.start for a in askers)
               and not any(d.start >= verb.end for d in message.within("advice:decision", clause))
               and not _naming(message, clause, verb) for verb in message.within("advice:reach", clause))


def _naming(message: Message, clause: range, verb: Mark) -> bool:
    """The verb gives a name, it does not get in touch: "what do they call the person who ...?" ("what" as its
    second object, right before an auxiliary) or the passive ("the nurse who is called ...")."""
    grammar = message.lexicon.grammar
    passive = verb.start > 0 and message.words[verb.start].endswith("ed") \
        and message.stems[verb.start - 1] in grammar["perfect"]
    return passive or any(message.stems[at] in grammar["naming"] and message.stems[at + 1] in grammar["auxiliary"]
                          for at in range(clause.start, verb.start - 1))


def _in_general(message: Message, clause: range) -> set[int]:
    """Where the clause names a person in general: someone not named ("someone", person.txt [indefinite]), or a
    pronoun (grammar.txt [taking_up]) whose nearest person before it in its sentence is someone not named or people
    in general ("what should someone do if they ...", "if a patient misses a dose, should they ...")."""
    indefinite = {m.start for m in message.marks.get("person:indefinite", ())}
    found = {at for at in indefinite if at in clause}
    pronouns = [m for m in message.within("person:personal", clause)
                if m.end - m.start == 1 and message.stems[m.start] in message.lexicon.grammar["taking_up"]]
    if not pronouns:
        return found
    personal = {m.start: m.end for m in message.marks.get("person:personal", ())}
    named = sorted([(m.start, m.end, m.start in indefinite or m.start not in personal)
                    for label in ("person:personal", "person:generic") for m in message.marks.get(label, ())])
    for pronoun in pronouns:
        sentence = message.sentence_span(pronoun.start)
        before = [(end - start, general) for start, end, general in named
                  if start in sentence and end <= pronoun.start
                  and start == max(s for s, e, _ in named if s in sentence and e <= pronoun.start)]
        if before and max(before)[1]:
            found.add(pronoun.start)
    return found


def _disclaimed(message: Message, clause: range) -> bool:
    """The clause says the writer is not asking it: a negation right before a verb of asking (grammar.txt [asking]):
    "I'm not asking whether she should take it, that's for her doctors" is no request for a decision."""
    grammar = message.lexicon.grammar
    return any(message.stems[at] in grammar["not"] and message.stems[at + 1] in grammar["asking"]
               for at in range(clause.start, clause.stop - 1))


def _decision_in(message: Message, clause: range) -> str:
    def marks(label: str) -> list[Mark]:
        return message.within(label, clause)

    if _disclaimed(message, clause):
        return ""
    indefinite = _in_general(message, clause)  # "what if someone takes too many?" asks in general
    personal = [m for m in marks("person:personal") if m.start not in indefinite]
    care = marks("advice:care_team")
    turning = [verb for verb in marks("advice:care_verb") if any(0 <= c.start - verb.end <= 3 for c in care)]
    chosen_by = {False: marks("advice:decision"), True: marks("advice:decision") + turning
                 + marks("advice:obligation_decision")}  # "should I see a doctor?"; "can I see a doctor?" asks for one
    decisions = marks("advice:decision") + turning
    grammar = message.lexicon.grammar
    things = grammar["thing"]
    for modal, obliged in [(m, False) for m in marks("advice:modal")] + \
            [(m, True) for m in marks("advice:obligation")]:
        chosen = chosen_by[obliged]
        # a person right after the modal is its subject, and no one after it is ("would I know if my gums ...?")
        subject = [person for person in personal if person.start == modal.end]
        for person in subject or personal:
            # "should I", "can my husband"; for obligations also "I should", "do I need to"; the person is the
            # modal's subject, so no word for a thing stands between ("can it make me cough?" asks what the
            # medicine does: "me" is its object)
            near = (0 <= person.start - modal.end <= ADVICE_REACH
                    and not things.intersection(message.stems[modal.end:person.start])) or \
                (obliged and 0 <= modal.start - person.end <= ADVICE_REACH)
            last = max(modal.end, person.end)
            if near and any(0 <= d.start - last <= 6 for d in chosen):
                return "modal"
            if near and not obliged and message.within("advice:concurrent", message.sentence_span(person.start)):
                return "concurrent"  # "can I have the flu jab while I'm on it?"
            if person.start == modal.end and modal.start == clause.start and not obliged \
                    and message.stems[modal.start] not in message.lexicon.grammar["auxiliary"] \
                    and not message.within("questions:info", clause) and not _asks_for_someone(message, clause) \
                    and not _chitchat(message, message.lexicon):
                return "personal_modal"  # "could my son be given it?", "can I still have it?"; not "can I ask you?"
    evaluations = marks("advice:evaluation")
    openers = [m for m in marks("questions:opener") if m.start == clause.start]
    asks = message.sentence[clause.start] in message.asks
    if openers or (asks and any(e.start == clause.start for e in evaluations)):  # "ok if I double up?": no "is it"
        addressed = {m.end for m in message.marks.get("person:generic", ())
                     if message.stems[m.start] in grammar["addressee"]}
        opened = openers[0].end if openers else clause.start
        subjects = [p for p in personal if p.start == opened]  # "is she too old?", "would he cope?"
        if subjects and any(0 <= e.start - subjects[0].end <= 3 for e in evaluations):
            return "evaluation"
        for evaluation in evaluations:
            if any(0 <= f.start - evaluation.end <= 6 for f in marks("advice:for_person")) or any(
                    p.start == evaluation.end + 1 and message.stems[evaluation.end] in grammar["for_whom"]
                    for p in personal):
                return "evaluation"
            if evaluation.start not in addressed and any(p.start == evaluation.end for p in personal):
                return "evaluation"  # "would it help me", not "can you help me"
            to = evaluation.end
            after = decisions + marks("advice:obligation_decision")
            if to < clause.stop and message.stems[to] in grammar["infinitive"] \
                    and any(0 <= d.start - to <= 3 for d in after):
                return "evaluation_to"
            if any(d.start == to for d in decisions):
                return "evaluation_to"  # "is it worth trying?", "is it safe taking it with food?"
            if to + 1 < clause.stop and message.stems[to] in grammar["condition"] \
                    and any(p.start == to + 1 for p in personal) and any(0 <= d.start - to - 2 <= 3 for d in decisions):
                return "evaluation_if"  # "would it be ok if I took it at night?"
        if personal and marks("advice:eligibility"):
            return "eligibility"
    if marks("advice:opinion"):
        return "opinion"
    for ask in marks("advice:ask_you"):
        if any(0 <= d.start - ask.end <= 4 for d in decisions + evaluations):
            return "opinion"
    # A plan or a worry told ("he is going to start it next week") asks for a decision only when its sentence
    # asks, or nothing else in the message does: "..., how many patients were in the trial?" is a question.
    if message.sentence[clause.start] in message.asks or not message.asks:
        for person in personal:
            asking = {m.start for m in marks("questions:not_hypothetical")}  # "I want to know the dose used"
            for intent in marks("advice:intent") + marks("advice:concern"):
                if 0 <= intent.start - person.end <= 3 and any(
                        0 <= d.start - intent.end <= 3 and not asking.intersection(range(intent.end, d.start))
                        for d in decisions):
                    return "intent"
    return ""


def _chitchat(message: Message, lexicon: Lexicon) -> str:
    """The mood of a message made up only of small talk, or ""."""
    if not len(message) or message.present.isdisjoint(lexicon.moods):  # no small talk at all: most messages
        return ""
    covered: set[int] = set()
    moods = []
    for mood in lexicon.chitchat_order + ("filler",):
        for mark in message.marks.get(f"chat:{mood}", ()):
            covered.update(range(mark.start, mark.end))
            if mood != "filler":
                moods.append(mood)
    openers = {m.start for m in message.marks.get("questions:opener", ())  # "when does it start?" asks
               if m.start == message.clause_span(m.start).start}
    # "can you repeat that?", "why are you so useless?": it asks the assistant (an insult only when it names the
    # assistant: "is it useless?" may ask about the medicine)
    asks_about_me = bool({"identity", "frustration"} & set(moods)) or (
        "insult" in moods and not lexicon.grammar["addressee"].isdisjoint(message.stems))
    covered.update(at for at, word in enumerate(message.stems)
                   if word in lexicon.function_words and (at not in openers or asks_about_me))
    if asks_about_me and len(covered) < len(message):  # "this is the most useless thing I have ever used"
        covered.update(at for at in range(len(message)) if at not in covered and _only_says_what(message, at))
    if len(covered) < len(message) or not moods:
        return "hello" if _greets_and_tells(message) else ""
    if message.within("questions:opener", range(1)) and set(moods) <= {"ack", "thanks"}:
        return ""  # "is it right?", "is that good?" ask about the text
    return moods[0]


_NAMING_A_SIGN = ("flag:", "topic:", "advice:")  # label prefixes of a sign, a health word or a decision


def _only_says_what(message: Message, at: int) -> bool:
    """The word only says what something is like (an adjective or adverb by WordNet's parts of speech: "most",
    "pretty", "clever") and is no part of a sign, a health word or a decision ("dizzy", "better" are)."""
    parts = lexical.parts_of_speech(message.words[at])
    return bool(parts) and bool(set(parts) & _SAYING_WHAT) and not any(
        label.startswith(_NAMING_A_SIGN) and any(m.start <= at < m.end for m in marks)
        for label, marks in message.marks.items())


_SAYING_WHAT = frozenset("ar")  # WordNet's parts of speech that only say what something is like: adjective, adverb


def _said_of_the_assistant(message: Message, lexicon: Lexicon) -> bool:
    """A short message that only says what the assistant is, or asks whether it is: "you" as its subject (first,
    or after a copula: "are you awake?"), and besides it only words that say what something is like (adjectives
    and adverbs by WordNet's parts of speech), a copula, small talk or function words ("you're pretty clever",
    "you there?", "u still awake?", "are you for real?"); at most one noun, after "a" ("you are a genius"). Nothing
    about health, a sign, a decision or the writer ("you're better off without me" is read by the rules)."""
    stems = message.stems
    if not 1 < len(message) <= SAID_ALONE or any(label.startswith(("flag:", "advice:", "topic:"))
                                               for label in message.present) \
            or message.has("person:personal") or message.has("questions:info"):
        return False
    joining = {at for label in ("clauses:copula", "clauses:transparent", "chat:filler") + tuple(
        f"chat:{mood}" for mood in lexicon.chitchat_order) for m in message.marks.get(label, ())
        for at in range(m.start, m.end)}  # "are", "must", "have been"; small talk
    subject = 1 if stems[0] in lexicon.grammar["auxiliary"] or stems[0] in lexicon.grammar["are"] else 0
    if stems[subject] not in lexicon.grammar["addressee"]:
        return False
    nouns = 0
    for at, word in enumerate(message.words):
        if at == subject or (at in joining and word not in lexicon.grammar["addressee"]) \
                or stems[at] in lexicon.function_words:
            continue
        if _only_says_what(message, at):
            continue
        if "n" in lexical.parts_of_speech(word) and at and stems[at - 1] in lexicon.grammar["article"] and not nouns:
            nouns += 1
            continue
        return False
    return True


def _greets_and_tells(message: Message) -> bool:
    """A greeting, then only telling: no question mark, no sentence opening as a question, no request ("I want
    to know"), no word about health, a medicine or a sign ("good evening, I am 87 and my grandson set this up")."""
    if not any(m.start == 0 for m in message.marks.get("chat:hello", ())) or message.asks:
        return False
    starts = {message.clause_span(at).start for at in range(len(message))}  # every sentence opens a clause too
    if any(m.start in starts for m in message.marks.get("questions:opener", ())):
        return False
    return not any(message.has(label) for label in ("questions:not_hypothetical", "questions:info", "topic:health",
                                                    "harm:medicine")) and not any(label.startswith("flag:")
                                                                                  for label in message.present)


# ---------------------------------------------------------------- the route


@lru_cache(maxsize=8192)  # a pure function of the text, and messages repeat
def route(text: str, health: bool = True, model: bool = True) -> Route:
    """Where a message goes. Emergencies are looked for on every corpus; personal medical decisions only when
    the corpus is about health (on a software manual "can I use break in a loop?" is a question). Where the rules
    find nothing on a health corpus, and no sign they read was ruled out (asked about, denied, over, someone else's),
    the learned net of safety_model.py may still route it (reason "model"); `model=False`: the rules alone."""
    lexicon = english()
    message = Message(text, lexicon)
    routed = _by_rules(message, lexicon, health)
    if routed is QUESTION and model and health:
        # asked before the check after it, which costs more; its signals say no sign was ruled out, as is so
        # wherever its verdict is used
        verdict = safety_model.shipped().verdict(message.stems, signals(message, ruled_out=False))
        if verdict.kind is not RouteKind.QUESTION and not ruled_out_a_sign(message):
            if verdict.kind is RouteKind.EMERGENCY:
                return Route(RouteKind.EMERGENCY, crisis=verdict.crisis, reason="model")
            if names_a_person(message):
                return Route(RouteKind.MEDICAL_ADVICE, reason="model")
    return routed


_SIGNAL: dict[str, str] = {}  # label -> its name as a feature of the net


# Labels of the past-event grammar (an age then, an outcome, a sign coming back), of WordNet's words for the
# self-harm slots (harm_wordnet.txt: die, act_self) and of the session-7 self-harm parts (eyes shut x not again, an
# absence and its everyday reason, a home) the rules read and the net does not: their verdict reaches it as
# "@ruled_out" or a route; as features of their own they would move the net's fitted weights with no row of its
# training sets routed differently by them.
_RULES_ONLY = frozenset({"time:then", "time:again", "time:same", "negation:outcome",
                         *(f"harm:{part}{WORDNET}" for part in ("die", "act_self")),
                         *(f"harm:{part}" for part in ("eyes_shut", "not_reopen", "absent", "elsewhere", "residing"))})


def signals(message: Message, ruled_out: bool) -> list[str]:
    """The router's reading of a message, as features of the net (safety_model.py): every label its word data
    found ("@flag:stroke:face", "@person:personal", "@time:over"), "@asks" when a sentence ends with a question
    mark, "@opens" when the message opens with a question word, "@ruled_out" when a sign stood in it and was
    ruled out (`ruled_out_a_sign`)."""
    # in the order the labels were found (deterministic, unlike a set's), each name made once a process
    found = [_SIGNAL.get(label) or _SIGNAL.setdefault(label, f"@{label}")
             for label, marks in message.marks.items() if marks and label not in _RULES_ONLY]
    if message.asks:
        found.append("@asks")
    if message.starts("questions:opener", 0):
        found.append("@opens")
    if ruled_out:
        found.append("@ruled_out")
    return found


def names_a_person(message: Message) -> bool:
    """The writer or someone of theirs is named: a decision the net finds is personal only then ("can children
    take it?" asks what the text says). Someone not named, and a pronoun taking up people in general, are no one's
    ("when patients miss a dose, can they take it later?"; `_in_general`, as the rules read them)."""
    return any(m.start not in _in_general(message, message.clause_span(m.start))
               for m in message.marks.get("person:personal", ()))


def ruled_out_a_sign(message: Message) -> bool:
    """A red flag or self-harm form stands in the message and the rules did not route it: it is asked about ("how
    common was vomiting blood in the trial?", "does the article mention suicide?"), denied ("I don't want to die"),
    over ("it has gone away") or about someone else (a study's patients, a dog), or its words stood with an exception
    that reads them ("I won't be around next week, I'm on holiday": self_harm.json "read_unless"). The rules read it
    on purpose; the net does not overrule them. (A single weaker warning sign is not ruled out: the rules wait for a
    second kind.)"""
    lexicon = message.lexicon
    named = message.flag_ids
    return bool(instances(message, lexicon.self_harm)) or message.set_aside or any(
        instances(message, finding.forms) for finding in lexicon.findings if finding.id in named)


def _by_rules(message: Message, lexicon: Lexicon, health: bool) -> Route:
    """The route of the rules: self-harm, a red flag, weaker signs together, a decision, small talk, or a question."""
    if _self_harm(message, lexicon, health):
        return Route(RouteKind.EMERGENCY, crisis=True, reason="self_harm")
    if flag := _red_flag(message, lexicon, health):
        findings, intent = lexicon.meant
        if flag in findings and any(not message.quoted[m.start] for label in intent
                                    for m in message.marks.get(label, ())):
            return Route(RouteKind.EMERGENCY, crisis=True, reason=f"self_harm:{flag}")  # "took them all, no point"
        return Route(RouteKind.EMERGENCY, reason=flag)
    if _warning_signs(message, lexicon.flag_signs, health):
        return Route(RouteKind.EMERGENCY, reason="warning_signs")
    form = _decision(message) if health else ""
    # small talk is read only when it can still decide: no decision, or one "can I speak to a human?" may be
    if form:
        return Route(RouteKind.MEDICAL_ADVICE, reason=form)
    if message.has("advice:reach") and message.has("advice:someone") and any(
            _asks_for_someone(message, clause) for clause in message.clauses()):
        return Route(RouteKind.CHITCHAT, reason="chitchat", mood="referral")  # "can I talk to a real nurse?"
    if mood := _chitchat(message, lexicon):
        return Route(RouteKind.CHITCHAT, reason="chitchat", mood=mood)
    if _said_of_the_assistant(message, lexicon):
        return Route(RouteKind.CHITCHAT, reason="chitchat", mood="identity")
    return QUESTION


# ---------------------------------------------------------------- whether a corpus is about health

HEALTH_SHARE = 0.01  # share of a corpus's words from health_words.txt above which it is taken to be about health
_DOMAINS = ("health", "general")


def about_health(metadata: dict, texts: Iterable[str]) -> bool:
    """A corpus's metadata.json "domain" ("health" or "general"); when it is absent, health if at least
    HEALTH_SHARE of the words of its texts are health words (lang/en/health_words.txt)."""
    domain = metadata.get("domain")
    if domain is not None:
        if domain not in _DOMAINS:
            raise ValueError(f'metadata.json "domain" is {domain!r}: valid are {", ".join(_DOMAINS)}')
        return domain == "health"
    vocabulary = {w for w in read_sections("health_words.txt")["health"] if " " not in w}
    total = hits = 0
    for text in texts:
        found = re.findall(r"[a-z]+", text.lower())
        total += len(found)
        hits += sum(w in vocabulary for w in found)
    return total > 0 and hits / total >= HEALTH_SHARE

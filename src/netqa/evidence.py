"""Hits + question -> the evidence: the sentence to quote, the fact in it, and how well it covers the question."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from netqa import lexical
from netqa.documents import Passage
from netqa.documents.names import names_text
from netqa.facts import NUMERIC_SHAPES, extract_fact, money_words, needs_fact, verdict, wanted_shapes
from netqa.lang import en
from netqa.message import Question, types_by_name
from netqa.records import Evidence, Hit, SentenceHit
from netqa.terms import Expansion, generic_words
from netqa.text import content_words, normalise, stem, words

QUOTE_NEIGHBOUR_WITHIN = 0.75  # a sentence of the same passage this close to the best is quoted with it
COVER_WEIGHT = 0.25  # how much a sentence's idf-weighted share of the question's words adds to its cosine
DEFINES_WEIGHT = 0.5  # what a sentence defining the term asked about ("What is X?": "X means ...") adds
PASSAGE_COVER_WEIGHT = 0.6  # ... and its passage's share (section and document names included), in choosing it
LEAD_IN_DISCOUNT = 0.5  # a lead-in ending its passage introduces what is quoted elsewhere (see _within)
QUOTE_ADDS = 0.4  # a neighbour holding this share of the question's words the quote lacks is quoted with it
QUOTE_MAX_WORDS = 70  # a quote grows by neighbours only while it stays this short
QUOTE_MAX_SENTENCES = 3
SHORT_SENTENCE = 6  # a sentence this short ("3. Turn on core dumps.", "The nick is Larhzu.") goes with its neighbour
PART_OF_WORD = 4  # a question word this long may stand in a passage word as its head ("center" in "multicenter")
WORD_KIND_WITHIN = 3  # a word naming a word has a kind of word among WordNet's first words defining it
CLIPPED_BY = 4  # ... or be its clipped form, this many letters shorter at least ("temp" for "temporary")


def choose_evidence(question: Question, expansion: Expansion, hits: list[Hit],
                    sentences: list[SentenceHit], idf, context: str = "", following=None,
                    named: bool = False) -> Evidence | None:
    """The sentence to quote: similar to the question and, when a figure is asked, holding one.

    Where documents are searched by their names (`named`: a corpus of several, or one whose title is a name), the
    words naming the quote's document ("under the Artistic License", "Apache License 2.0") are met by any sentence
    of it.

    A sentence that is itself a question (an FAQ's "34. Is there a Java version of zlib?") is answered by
    the passage after it (`following(passage)`), which is quoted instead.
    """
    if not hits or not sentences:
        return None
    asked_by: dict[str, Passage] = {}
    if following is not None:
        hits, sentences, asked_by = _answers_to_questions(hits, sentences, following)
    passage_score = {h.passage.id: h.score for h in hits}
    best_passage = hits[0].score
    query = _query_stems(expansion, context)
    wants_fact = needs_fact(question)
    prefers_fact = wants_fact or question.type == "place"

    corrected = dict(expansion.corrections)
    # "what share of ...": a word naming the kind of answer, which the corpus never uses, is met by a fact of
    # that kind ("what does BCJ stand for" is recognised by its words too, but "BCJ" is in the corpus)
    # ("what does the abbreviation pNET stand for": a word naming a word only says a term is asked about)
    asking = (_type_words(question) | _words_naming_words(expansion.lacking)) & set(expansion.lacking)
    # (a word WordNet knows only as a verb, "depend on", "becomes", is what is said, not a place, group or time)
    required = [w for w in (corrected.get(w, w) for w in question.constraints + question.modifiers)
                if w not in asking and w not in _pointed_at(expansion.text) and lexical.parts_of_speech(w) != "v"]
    if wanted_shapes(question):
        # "how many patients died?": the verb a fact is asked about, when the corpus never uses it
        required += [w for w in expansion.english if "v" in lexical.parts_of_speech(w) and w not in asking]
    # A passage's words include its document's names ("with cabozantinib" is what the whole article is about;
    # "under LGPLv3"), and an FAQ answer's the question it answers.
    passages = {h.passage.id: h.passage for h in hits}
    text_of = {pid: f"{asked_by[pid].text} {p.text}" if pid in asked_by else p.text for pid, p in passages.items()}
    stems_of = {pid: _passage_stems(p) | _name_stems(p.document, p.path)
                | (_passage_stems(asked_by[pid]) if pid in asked_by else frozenset()) for pid, p in passages.items()}
    # "version 2" is met by the document's name ("Apache License Version 2.0") where names are searched
    label_text = {pid: f"{p.document} {text_of[pid]}" if named else text_of[pid] for pid, p in passages.items()}
    # a label met by the heading the passage stands under ("section 2") is met with its words ("section", "2")
    in_part = {pid: {part for w in required if " " in w and _in_part(w, p) for part in [w, *w.split()]}
               for pid, p in passages.items()}
    # "like phase 1, 2 or 3": a label offered among others is met by the same label with any number
    any_number = question.type == "yesno" or _offers_alternatives(question.normalised)
    missing_in = {pid: [w for w in required if w not in in_part[pid]
                        and not (_has_label(w, label_text[pid], any_number) if " " in w
                                 else _found(w, stems, expansion, text=text_of[pid]))
                        and not _slot_filled(w, question, text_of[pid])]
                  for pid, stems in stems_of.items()}

    concepts = _concepts(expansion, query)
    share_of = {pid: _concept_share(concepts, idf, stems) for pid, stems in stems_of.items()}

    def candidate(s: SentenceHit) -> tuple[float, str | None]:
        text = s.passage.sentences[s.sentence_index].text
        short = extract_fact(text, question, query, idf, expansion.synonyms)
        relative = passage_score[s.passage.id] / best_passage if best_passage else 0.0
        # When a figure is asked for, a relevant sentence holding one beats a closer wording without.
        weight = 1.6 if prefers_fact and short else 0.6 if wants_fact else 1.0
        if missing_in[s.passage.id]:  # a passage without the question's place, group or time answers another
            weight *= 0.5
        # A passage holding more of the question's words (in its heading too) answers more of it than one that
        # only repeats a few of them.
        covers = PASSAGE_COVER_WEIGHT * share_of[s.passage.id]
        # "What is X?": the sentence saying what X is answers it, not the one using the term most
        defines = DEFINES_WEIGHT if question.term and _defines(question.term, text) else 0.0
        return (s.score + 0.6 * relative + covers + defines) * weight, short

    scored = [(candidate(s), s) for s in sentences]
    chosen = max(scored, key=lambda item: item[0][0])[1].passage.id
    # Within the passage chosen, cosine favours a short sentence for being short ("Y is the minor version."); the
    # share of the question's words a sentence holds favours the one that says what is asked ("An even Y ...").
    (_, short), best = max((item for item in scored if item[1].passage.id == chosen), key=lambda item:
                           _within(item[1], item[0][0], query, idf))
    passage = best.passage
    stems = stems_of[passage.id]
    runner_up = next((h.score for h in hits if h.passage.id != passage.id), 0.0)
    # A word the corpus lacks counts as missing unless a word WordNet relates to it is in this passage.
    unknown = [w for w in expansion.unknown if not _found(w, stems, expansion, text=text_of[passage.id])]
    quote = _quote(best, sentences, query, idf)
    # The quote answers the question in its heading ("40. Does zlib support Deflate64?") or the one before it
    under_question = passage.section.rstrip().endswith("?")
    quote_stems = _stems_of(passage.section if under_question else "", quote) | (
        _passage_stems(asked_by[passage.id]) if passage.id in asked_by else frozenset()) | (
        _name_stems(passage.document, passage.path) if named else frozenset())
    if quote != best.passage.sentences[best.sentence_index].text:
        # the neighbour quoted with it may hold the fact ("We are not the authors. The real author is ... Joel")
        short = extract_fact(quote, question, query, idf, expansion.synonyms) or short
    return Evidence(
        sentence=best, short_answer=short, quote=quote,
        missing=_as_said(missing_in[passage.id], question.normalised),
        passage_score=passage_score[passage.id], runner_up_score=runner_up, sentence_score=best.score,
        coverage=_coverage(expansion, passage, idf, stems, text_of[passage.id], asking), unknown=len(unknown),
        # what the question asks about ("the price") is a word the corpus lacks, and nothing here stands for it
        # (WordNet's relations are too loose to stand in for the very thing asked about: "brand" is not "mark")
        focus_unknown=any(w in expansion.lacking and w not in asking and not _found(w, stems, expansion, False)
                          for w in question.focus),
        fact_found=not wants_fact or short is not None,
        missing_constraint=bool(missing_in[passage.id]),
        quote_coverage=_coverage(expansion, passage, idf, quote_stems, quote, asking),
        answers_faq=passage.id in asked_by,
        open_question=not wanted_shapes(question),
        # "a phase 2 trial?" where the text says "phase 3" is quoted without a Yes or No: the text may not deny
        # the label it does not give ("grade 3-5" events say nothing of grade 1-2 ones)
        verdict=None if any(" " in w and not _has_label(w, label_text[passage.id]) for w in required) else verdict(
            question, quote, query, any(w not in stems and _slot_filled(w, question, passage.text) for w in required),
            expansion.synonyms + expansion.related, under_question or passage.id in asked_by),
    )


def _within(s: SentenceHit, score: float, query: dict[str, float], idf) -> float:
    """A sentence's worth within its passage: its score plus COVER_WEIGHT times its share of the question's words;
    halved for a lead-in closing the passage ("For example, to sort in reverse age order:"), which introduces what
    the passage does not hold and says nothing itself."""
    text = s.passage.sentences[s.sentence_index].text
    worth = score + COVER_WEIGHT * _share(query, idf, _stems_of("", text))
    return worth * LEAD_IN_DISCOUNT if s.sentence_index == len(s.passage.sentences) - 1 and \
        text.rstrip().endswith(":") and len(s.passage.sentences) > 1 else worth


def _defines(term: tuple[str, ...], sentence: str) -> bool:
    """Whether the sentence opens by defining the term: "A "Larger Work" means ...", "An "Application" is any work
    ...", "pNET refers to ...": the term (any case, quoted or not, maybe plural, maybe with a bracketed aside)
    as the subject of a defining verb (data/definitions.txt); or spells it out, the term in brackets after its
    long form ("Neuroendocrine tumors (NET) represent ...")."""
    opening, spelled_out = _definition_of(term)
    return opening.match(sentence) is not None or spelled_out.search(sentence) is not None


@lru_cache(maxsize=1024)
def _definition_of(term: tuple[str, ...]) -> tuple[re.Pattern, re.Pattern]:
    spelled = r"[\s-]+".join(re.escape(w) for w in term) + r"(?:s|es)?"
    quote = r"[\"'“”‘’`]*"
    numbered = r"(?:[\d.]+\s+|\(\w{1,3}\)\s+)?"  # "1.7.", "(b)"
    opening = re.compile(rf"\W*{numbered}(?:(?:an?|the)\s+)?{quote}{spelled}{quote}(?:\s*\([^)]{{0,60}}\))?,?\s+"
                         rf"(?:{_defining_verbs()})\b", re.IGNORECASE)
    return opening, re.compile(rf"\w\s*\(\s*{spelled}\s*\)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _defining_verbs() -> str:
    raw = resources.files("netqa.data").joinpath("definitions.txt").read_text(encoding="utf-8")
    verbs = sorted((line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#")),
                   key=len, reverse=True)
    return "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in verbs)


def _as_said(missing: list[str], question: str) -> tuple[str, ...]:
    """The constraints a passage lacks as the question spells them, a label's words only within it ("section 4",
    not also "section" and "4")."""
    in_labels = {part for w in missing if " " in w for part in w.split()}
    return tuple(dict.fromkeys(_as_asked(w, question) for w in missing if w not in in_labels))


def _as_asked(word: str, question: str) -> str:
    """A constraint as the question spells it ("england" -> "England", "grade 1-2" -> "Grade 1-2")."""
    spelled = r"\s+".join(re.escape(part) for part in word.split())
    found = re.search(rf"(?<![\w-]){spelled}", question, re.IGNORECASE)
    return found.group() if found else word


@lru_cache(maxsize=4096)
def _pointed_at(question: str) -> frozenset[str]:
    """The words right after "this" or "these": "this tablet" is the thing the text is about, whatever the text
    calls it, so the text need not use the word."""
    tokens = words(question.lower())
    return frozenset(b for a, b in zip(tokens, tokens[1:], strict=False) if a in en.word_list("demonstratives.txt"))


def _slot_filled(word: str, question: Question, text: str) -> bool:
    """A yes/no question's constraint the text fills with something else: "published in the Lancet?" and
    "published in The New England Journal of Medicine"."""
    pointing = en.table_words("yes_no_words.txt", "pointing")
    for anchor, preposition, phrase in question.slots:
        filled = re.search(rf"\b{re.escape(stem(anchor))}\w*\s+(?:\w+\s+)?{re.escape(preposition)}\s+(\w+)", text,
                           re.IGNORECASE) if word in phrase else None
        if filled and filled.group(1).lower() not in pointing:  # "exceptions for this" points back: not another
            return True
    return False


def _has_label(label: str, text: str, any_number: bool = False) -> bool:
    """Whether "grade 1-2" stands in the text as such (any case, any dash or spacing around it); with
    `any_number`, the same label with any number ("Was it a phase 2 trial?" is met by "phase 3")."""
    name, number = label.split(" ", 1)
    if any_number:
        return re.search(rf"\b{re.escape(name)}\s+\d", text, re.IGNORECASE) is not None
    number = r"\s*[-–—]\s*".join(re.escape(part.strip()) for part in number.split("-"))
    return re.search(rf"\b{re.escape(name)}\s+{number}(?![\d-])", text, re.IGNORECASE) is not None


def _offers_alternatives(question: str) -> bool:
    """Whether the question offers numbered labels to choose from: "phase 1, 2 or 3", "version 2 or 3"."""
    return re.search(r"\b[a-z]+\s+\d+(?:\s*,\s*\d+)*\s*,?\s+or\s+(?:[a-z]+\s+)?\d", question, re.IGNORECASE) is not None


def _in_part(label: str, passage: Passage) -> bool:
    """Whether the passage stands in the numbered part of the document a label names, by its heading: "section 2"
    is met under "2. Grant of License", "2.1. ..." or "TERMS AND CONDITIONS: Section 2"."""
    name, number = label.split(" ", 1)
    if name not in en.word_list("part_words.txt"):
        return False
    name, number = re.escape(name), re.escape(number)
    heading = re.match(rf"\W*(?:{name}\s+)?{number}(?:[.)]|\s|$)", passage.section, re.IGNORECASE)
    cited = re.search(rf"\b{name}\s+{number}(?![\d.]\d)", passage.section, re.IGNORECASE)  # "...: Section 2"
    return heading is not None or cited is not None


def _passage_stems(passage: Passage) -> frozenset[str]:
    return _stems_of(passage.section, passage.text)


@lru_cache(maxsize=4096)
def _name_stems(title: str, path: str) -> frozenset[str]:
    """The stems of what a document is called: its title, file name and short names ("LGPLv3")."""
    return _stems_of("", names_text(title, path))


@lru_cache(maxsize=65_536)  # str hashes are cached, so the key costs nothing on the next question
def _stems_of(section: str, text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in content_words(normalise(f"{section} {text}")))


def _found(word: str, stems: frozenset[str], expansion: Expansion, related: bool = True, text: str = "") -> bool:
    """Whether the passage has the word, a document word it stands for (a lay word's, an abbreviation's long
    form), a word WordNet relates to it, or (in `text`) a word holding it whole ("center" in "multicenter",
    "temp" in "temporary")."""
    if stem(word) in stems or word in generic_words():
        return True
    if text and _spelled_out(word, text):
        return True
    for phrase, document_words in expansion.synonyms + expansion.long_forms + (expansion.related if related else ()):
        if word in phrase.split() and any(stem(w) in stems for dw in document_words for w in content_words(dw)):
            return True
    return bool(text) and _in_a_word(word, text)


@lru_cache(maxsize=65_536)
def _spelled_out(word: str, text: str) -> bool:
    """Whether the text spells the word out as the initials of a run of capitalised words ("FSF": "Free Software
    Foundation")."""
    if not 2 <= len(word) <= 6 or not word.isalpha() or not all(c in text for c in word.upper()):
        return False  # (each initial must stand in the text as a capital: most words are out before any pattern)
    letters = r"\W+".join(rf"{c.upper()}[a-z]+" for c in word.lower())
    return re.search(rf"\b{letters}\b", text) is not None


@lru_cache(maxsize=65_536)  # passages and question words come again and again
def _in_a_word(word: str, text: str) -> bool:
    """Whether the text holds the word inside a longer one: as its head ("center" in "multicenter"), clipped
    ("temp" for "temporary"), or as a number and the unit written onto it ("60" and "mg" in "60mg")."""
    if not word.isalnum():
        return False
    if len(word) >= PART_OF_WORD and _part_of_a_word(word, text):
        return True
    glued = rf"\d{re.escape(word)}\b" if word.isalpha() else rf"\b{re.escape(word)}[a-z]+\b" if word.isdigit() else None
    return glued is not None and re.search(glued, text, re.IGNORECASE) is not None


def _part_of_a_word(word: str, text: str) -> bool:
    """A word the text holds as the head of a longer word ("multicenter") or in full of which it is clipped."""
    head = stem(word)  # "centers" is the head of "multicenter" too
    return any(len(w) - len(head) >= 3 and w.endswith(head) or len(w) - len(word) >= CLIPPED_BY and w.startswith(word)
               for w in _words_of(text))


@lru_cache(maxsize=4096)
def _words_of(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > PART_OF_WORD)


def _words_naming_words(candidates) -> frozenset[str]:
    """The words that name a word ("abbreviation", "acronym", "term"): WordNet defines them first by a kind of
    word (lang/en/word_kinds.txt)."""
    kinds = set(en.ordered_lines("word_kinds.txt"))
    return frozenset(w for w in candidates if set(lexical.defining(w)[:WORD_KIND_WITHIN]) & kinds)


def _type_words(question: Question) -> frozenset[str]:
    """The words by which the question's type was recognised, when it asks for a measure: "share" in "what
    share of patients ...", "cost" in "how much does it cost?". (A kind of name is still to be found: "which
    university" is not any institute.)"""
    row = types_by_name()[question.type]
    if not row.shapes or not set(row.shapes) <= set(NUMERIC_SHAPES):
        return frozenset()
    found = row.pattern.search(question.normalised.lower().replace("’", "'")) if row.pattern else None
    return frozenset(re.findall(r"[\w-]+", found.group()) if found else ()) | money_words(question)


def _answers_to_questions(hits: list[Hit], sentences: list[SentenceHit], following):
    """Hits and sentences where a passage that only asks a question gives way to the passage answering it, and
    which passage asks what each such answer answers."""
    asking = {h.passage.id for h in hits  # a short passage ending in a question mark asks, it does not answer
              if h.passage.sentences and h.passage.sentences[-1].text.rstrip().endswith("?")
              and len(h.passage.sentences) <= 3}
    if not asking:
        return hits, sentences, {}
    out_hits: list[Hit] = []
    out_sentences: list[SentenceHit] = []
    asked_by: dict[str, Passage] = {}
    for hit in hits:
        answer = following(hit.passage) if hit.passage.id in asking else None
        if answer is None:
            out_hits.append(hit)
            continue
        out_hits.append(Hit(answer, hit.score))
        asked_by.setdefault(answer.id, hit.passage)
        best = max((s.score for s in sentences if s.passage.id == hit.passage.id), default=0.0)
        out_sentences += [SentenceHit(answer, i, best * (1.0 if i == 0 else 0.5)) for i in range(len(answer.sentences))]
    out_sentences += [s for s in sentences if s.passage.id not in asking]
    first: dict[str, Hit] = {}
    for h in out_hits:
        first.setdefault(h.passage.id, h)
    hits_once = list(first.values())
    return hits_once, sorted(out_sentences, key=lambda s: -s.score), asked_by


def _quote(best: SentenceHit, sentences: list[SentenceHit], query: dict[str, float], idf) -> str:
    """The best sentence and the neighbours that belong with it: the one before or after that matches nearly as
    well, one that holds much of what the question asks and the best lacks, what a lead-in ("... the following:")
    or a very short sentence introduces, a very short sentence after it, and a sentence carrying on from it ("It ...",
    "This ...", "If so, ...").

    Always a stretch of the passage's text, so the quote can be found in the cited text; at most
    QUOTE_MAX_SENTENCES sentences, grown only while under QUOTE_MAX_WORDS words.
    """
    passage, index = best.passage, best.sentence_index
    texts = [s.text for s in passage.sentences]
    score = {s.sentence_index: s.score for s in sentences if s.passage.id == passage.id}
    first = last = index
    covered = set(_stems_of("", texts[index]))

    def adds(k: int) -> bool:
        """Whether sentence k belongs with the quote."""
        if score.get(k, 0.0) > 0 and score[k] >= QUOTE_NEIGHBOUR_WITHIN * best.score:
            return True
        if _share(query, idf, _stems_of("", texts[k]) - covered) >= QUOTE_ADDS:
            return True
        if k == last + 1:  # what the quote introduces, or a sentence going on from it
            return texts[last].rstrip().endswith(":") or _carries_on(texts[k]) \
                or min(len(texts[last].split()), len(texts[k].split())) <= SHORT_SENTENCE
        return _carries_on(texts[first])  # k == first - 1: what the quote's "It" or "This" points back to

    while last - first + 1 < QUOTE_MAX_SENTENCES:
        words_now = sum(len(texts[k].split()) for k in range(first, last + 1))
        grown = next((k for k in (last + 1, first - 1) if 0 <= k < len(texts) and adds(k)
                      and words_now + len(texts[k].split()) <= QUOTE_MAX_WORDS), None)
        if grown is None:
            break
        first, last = min(first, grown), max(last, grown)
        covered |= _stems_of("", texts[grown])
    return passage.between(passage.sentences[first], passage.sentences[last])


def _carries_on(text: str) -> bool:
    """A sentence opening with a word that points back or carries on ("It modifies ...", "If this is ...")."""
    opening, continuers = words(text[:40]), en.word_list("continuers.txt")
    return bool(opening) and (opening[0] in continuers
                              or opening[0] == "if" and len(opening) > 1 and opening[1] in continuers)


def _share(query: dict[str, float], idf, stems: frozenset[str] | set[str]) -> float:
    """The idf-weighted share of the question's stems (`query`: stem -> weight) that `stems` holds: each stem a
    concept of its own."""
    return _concept_share([(frozenset((term,)), weight) for term, weight in query.items()], idf, stems)


def _concepts(expansion: Expansion, query: dict[str, float]) -> list[tuple[frozenset[str], float]]:
    """The question's stems as concepts: a word with the document words a lay phrase or WordNet gives for it is one
    concept, met by any of them ("approve" or "clearances"), so a passage saying both is not worth more than one
    saying "approval"; every other stem of `query` is a concept of its own."""
    grouped: list[tuple[frozenset[str], float]] = []
    seen: set[str] = set()
    for phrase, document_words in expansion.synonyms + expansion.related:
        own = {stem(w) for w in content_words(phrase.lower())}
        given = {stem(w) for dw in document_words for w in content_words(dw.lower())}
        group = frozenset((own | given) & set(query))
        if group and not group <= seen:
            grouped.append((group, max(query[t] for t in group)))
            seen |= group
    return grouped + [(frozenset((t,)), weight) for t, weight in query.items() if t not in seen]


def _concept_share(concepts: list[tuple[frozenset[str], float]], idf, stems: frozenset[str] | set[str]) -> float:
    """The idf-weighted share of the question's concepts the stems meet; a concept weighs its weight times the
    largest idf of its stems."""
    total = found = 0.0
    for group, weight in concepts:
        w = weight * max(idf(t) for t in group)
        total += w
        if group & stems:
            found += w
    return found / total if total else 0.0


def _query_stems(expansion: Expansion, context: str = "") -> dict[str, float]:
    """Stems to look for near a figure: the question's own, then its synonyms', then earlier turns'."""
    stems = {stem(w): 1.0 for w in content_words(expansion.text) if w not in generic_words()}
    # Earlier turns' words weigh least: "where were they published?" is about publishing, not presenting.
    for text, weight in [(" ".join(expansion.added), 0.6), (" ".join(expansion.related_added), 0.4), (context, 0.2)]:
        for w in content_words(text.lower()):
            stems.setdefault(stem(w), weight)
    return stems


def _coverage(expansion: Expansion, passage: Passage, idf, within: frozenset[str] | None = None,
              text: str = "", asking: frozenset[str] = frozenset()) -> float:
    """Share of what the question mentions that the passage mentions too, each word weighted by idf.

    A lay word counts as found when one of its document words is there, a word inside a longer word of `text`
    too ("60mg"); a word the corpus never uses weighs as much as the rarest corpus word and is never found,
    unless "this" or "these" points at it ("this tablet": it is not counted at all). The words `asking` for the
    kind of answer ("share", "abbreviation") are not counted either.
    """
    in_passage = _passage_stems(passage) if within is None else within
    rarest = max((idf(s) for s in in_passage), default=1.0)
    total = found = 0.0
    synonym_words = set()
    for phrase, document_words in dict((p.lower(), d) for p, d in expansion.synonyms + expansion.related).items():
        synonym_words.update(content_words(phrase))
        stems = {stem(w) for dw in document_words for w in content_words(dw.lower())}
        weight = max((idf(s) for s in stems), default=0.0) or 1.0
        total += weight
        own = {stem(w) for w in content_words(phrase)}
        found += weight if stems & in_passage or own and own <= in_passage else 0.0
    # An alternative the corpus lacks ("single-center or multicenter") is not a missing part of the answer.
    translated = {phrase for phrase, _ in expansion.synonyms}
    absent = {w for phrase in expansion.lay_phrases if phrase not in translated for w in content_words(phrase)}
    pointed_at = _pointed_at(expansion.text)
    for word in dict.fromkeys(content_words(expansion.text)):
        if word in synonym_words or word in generic_words() or word in absent or word in expansion.incidental \
                or word in asking:
            continue
        weight = idf(stem(word)) or rarest
        covered = stem(word) in in_passage or bool(text) and (_in_a_word(word, text) or _spelled_out(word, text))
        if not covered and word in pointed_at:
            continue  # "this tablet": the thing the text is about, whatever the text calls it
        total += weight
        found += weight if covered else 0.0
    return found / total if total else 0.5

"""The facade: load(corpus) once, then ask(message, session_id): validate -> route -> understand -> resolve ->
answer -> remember. Each step is a stage module; this one only wires them."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

from netqa.confidence import confidence
from netqa.config import Settings
from netqa.documents import LEXICON_FILE, METADATA_FILE, Document, Passage, default_corpus_dir
from netqa.evidence import choose_evidence
from netqa.followup import Resolution, antecedent_of, points_back, resolve, stays_in
from netqa.index import Hit, PassageIndex, open_index
from netqa.message import questions_in, story_of, understand
from netqa.records import Evidence, Reply, ReplyKind, RouteKind, Turn
from netqa.reply import Found, Names, combine, compose, new_reply_id, written
from netqa.safety import Route, about_health, route
from netqa.store.base import Conversations, new_session_id
from netqa.store.memory import MemorySessions
from netqa.terms import Expansion, Vocabulary, read_lexicon
from netqa.text import char_words, normalise, stem, word_terms

CONTEXT_WEIGHT = 0.5  # earlier turns' words count half as much as the question's own
STORY_WEIGHT = 0.4  # and the other sentences of a long message less still
EXPANSION_WEIGHT = 0.9  # document words that a lay word stands for (the lay word itself is not searched)
RELATED_WEIGHT = 0.6  # corpus words WordNet relates to a question word the corpus lacks
DEFINED_WEIGHT = 0.35  # corpus words WordNet defines such a word with ("squash" -> "compress"): looser still
LONG_FORM_WEIGHT = 0.3  # "Food and Drug Administration" for "FDA" in a corpus that uses both
CONTEXT_GROUP = 3  # the earlier turns' words among the query's groups (see _queries)
ANSWER_CACHE_SIZE = 4096  # resolved questions whose replies are kept
# The same questions come again and again; normalising one (NFKC and friends) costs more than the cached reply.
_normalised_question = functools.lru_cache(maxsize=ANSWER_CACHE_SIZE)(normalise)
HEALTH_SAMPLE = 2000  # passages read to guess whether a corpus without a "domain" is about health


class QuestionError(ValueError):
    """The question cannot be answered as given (empty, too long, not text); the message says why."""


@dataclass(frozen=True)
class Corpus:
    directory: Path
    documents: tuple[Document, ...]
    passages: tuple[Passage, ...]


class Bot:
    def __init__(self, corpus: Corpus, index: PassageIndex, vocabulary: Vocabulary, settings: Settings,
                 sessions: Conversations | None = None):
        self.corpus = corpus
        self.index = index
        self.vocabulary = vocabulary
        self.settings = settings
        # This process's memory unless given a store the server's workers share (the web app sets one).
        self.sessions: Conversations = sessions or MemorySessions(settings.session_ttl_seconds, settings.max_sessions)
        self.names = _names(corpus)
        self._definitions: dict[str, bool] = {}  # abbreviation -> defined in brackets (see _defined)
        self.health = about_health(_metadata(corpus.directory), (p.text for p in corpus.passages[:HEALTH_SAMPLE]))
        self._idf = {term: float(index.words_.idf[col]) for term, col in index.words_.vocabulary.items()}
        # Patients ask the same questions again and again; a reply depends only on the resolved question.
        self._answer = functools.lru_cache(maxsize=ANSWER_CACHE_SIZE)(self._find_answer)

    @classmethod
    def load(cls, corpus_dir: str | Path | None = None, index_dir: str | Path | None = None,
             **settings) -> Bot:
        """A bot for the folder, from its saved index when that is fresh, else built (and saved if possible).

        The index is looked for in DIR/.netqa-index/, then in the user's cache (see netqa.index),
        or only in `index_dir` when given.
        """
        directory = Path(corpus_dir) if corpus_dir is not None else default_corpus_dir()
        chosen = Settings.from_env(**settings)  # a bad setting fails before any slow build
        built = open_index(directory, Path(index_dir) if index_dir is not None else None, progress=True)
        vocabulary = Vocabulary(built.words, read_lexicon(directory / LEXICON_FILE), built.abbreviations,
                                built.stems)
        return cls(Corpus(directory, built.documents, built.passages), built.index, vocabulary, chosen)

    @property
    def title(self) -> str:
        return self.corpus.documents[0].title

    def ask(self, question: str, session_id: str | None = None) -> Reply:
        return self.explain(question, session_id)[0]

    def explain(self, question: str, session_id: str | None = None) -> tuple[Reply, Evidence | None]:
        """The reply and the evidence its confidence was computed from (for calibration and debugging)."""
        text = self._validate(question)
        history = self.sessions.history(session_id) if session_id else None
        if session_id is None or history is None:  # never issued here, expired, or not an id: only we start one
            session_id, history = new_session_id(), ()
        reply_id = new_reply_id()
        routed = route(text, self.health)
        if routed.kind in (RouteKind.EMERGENCY, RouteKind.CHITCHAT):
            self.sessions.remember(session_id, reply_id, None)
            return self._routed(reply_id, question, text, routed, session_id), None
        asked = understand(text)
        parts, resolved = [], []
        repaired = self.vocabulary.repair(asked.normalised)
        questions = questions_in(repaired)
        # What a long message tells around its question ("my old computer has little memory") helps find
        # the passage, a little: the question's own words still decide.
        story = story_of(repaired, questions)
        for i, one in enumerate(questions):
            resolution = resolve(one, history, self.vocabulary.abbreviations, same_message=i > 0)
            antecedent = antecedent_of(repaired, one)
            if antecedent:  # the sentence of the story that the question's "it" or "she" stands for: context
                resolution = dataclasses.replace(resolution, context=f"{resolution.context} {antecedent}".strip())
            found = self._answer(resolution.text, resolution.context, story, routed.kind is RouteKind.MEDICAL_ADVICE,
                                 resolution.document)
            turn = Turn(resolution.text, found.people, found.kind == ReplyKind.ANSWER, resolution.context,
                        found.question_type, story,
                        self._conversation_document(resolution, found))
            self.sessions.remember(session_id, reply_id, turn)
            history = history + (turn,)
            parts.append(found)
            resolved.append(resolution.text)
        found = combine(parts)
        return Reply(reply_id, question, found.answer, found.kind, found.confidence, found.citations,
                     session_id, short_answer=found.short_answer, quote=found.quote,
                     question_type=found.question_type, resolved_question=" ".join(resolved),
                     suggestions=found.suggestions, lead=found.lead, safety_net=found.safety_net), found.evidence

    def _routed(self, reply_id: str, question: str, text: str, routed: Route, session_id: str) -> Reply:
        """The reply to an emergency (the number to call first) or to small talk: no search."""
        if routed.kind is RouteKind.EMERGENCY:
            numbers = dict(emergency_number=self.settings.emergency_number, crisis_line=self.settings.crisis_line)
            calls = (self.settings.crisis_line, self.settings.emergency_number) if routed.crisis else \
                (self.settings.emergency_number,)
            words = written("emergency", "", crisis=routed.crisis, **numbers)
            return Reply(reply_id, question, words.whole, ReplyKind.EMERGENCY, 1.0, (), session_id,
                         resolved_question=text, calls=calls, lead=words.lead)
        words = written("chitchat", "", mood=routed.mood, document=self.names.corpus, health=self.health)
        return Reply(reply_id, question, words.whole, ReplyKind.CHITCHAT, 1.0, (), session_id, resolved_question=text,
                     lead=words.lead)

    def _find_answer(self, text: str, context: str, story: str, advice: bool, document: str = "") -> Found:
        """Everything a reply says, from the (resolved) question alone: the same input, the same reply,
        which is why it is cached (see __init__). `document`: the one the conversation is in (see _search)."""
        expansion = self.vocabulary.expand(text)
        resolved = understand(expansion.text)  # typos fixed: "how many pateints" counts patients
        expansion = self._without_usual_names(expansion, resolved.type)
        word_query, char_query = self._queries(expansion, Resolution(text, context), story)
        hits = self._search(word_query, char_query, self.settings.top_k, document, text)
        sentences = self.index.rank_sentences(word_query, hits)
        evidence = choose_evidence(resolved, expansion, hits, sentences, self._idf_of, context, self._following,
                                   len(self.corpus.documents) > 1 or self.index.names_ is not None)
        score = confidence(evidence) if evidence else 0.0
        answered = evidence is not None and score >= self.settings.abstain_below and evidence.fact_found
        return compose(resolved.type, evidence, score, hits, answered, advice, self.names,
                       health=self.health, emergency_number=self.settings.emergency_number)

    def top_passages(self, question: str, k: int = 3, context: str = "", story: str = "",
                     document: str = "") -> tuple[Passage, ...]:
        """The k passages the search ranks first for a (resolved) question, searched with the context and story
        its turn carried and in the document the conversation was in (see Turn), best first: evaluation's funnel
        measures whether the gold passage is among them."""
        expansion = self._without_usual_names(self.vocabulary.expand(question), understand(question).type)
        word_query, char_query = self._queries(expansion, Resolution(question, context), story)
        return tuple(h.passage for h in self._search(word_query, char_query, k, document, question))

    def _conversation_document(self, resolution: Resolution, found: Found) -> str:
        """The document the conversation is in after a turn (see followup.stays_in): the one its answer cited; when
        it found no answer, the one its question named ("Under the MPL, ..."), else the closest passage's, else the
        one it was in."""
        if len(self.corpus.documents) < 2:
            return ""
        if found.kind is ReplyKind.ANSWER and found.citations:
            return found.citations[0].doc_id
        named = self.index.named_document([(word_terms(self.vocabulary.expand(resolution.text).search_text), 1.0)])
        return named or (found.citations[0].doc_id if found.citations else resolution.document)

    def _search(self, word_query, char_query, k: int, document: str, question: str) -> list[Hit]:
        """The k best passages of the corpus; for a follow-up in a conversation about one of several documents,
        those of that document, unless the question leaves it (followup.stays_in, asked of the question's words
        without the earlier turns', which would always point back to the document). Within the document, the
        earlier turns' words are searched only for a question that leans on them ("does it apply to ...?"): for
        any other, the document is what they stood for, and they would only pull back to the last passage."""
        if not document or len(self.corpus.documents) < 2:
            return self.index.search(word_query, char_query, k)
        own_words, own_chars = (_without_group(query, CONTEXT_GROUP) for query in (word_query, char_query))
        everywhere = self.index.search(own_words, own_chars, 1)
        within = self.index.search(own_words, own_chars, k, within=document)  # also the reply's, for most questions
        if not stays_in(document, everywhere, within, self.index.named_document(word_query)):
            return self.index.search(word_query, char_query, k)
        if points_back(question):
            return self.index.search(word_query, char_query, k, within=document)
        return within

    def _validate(self, question: object) -> str:
        if not isinstance(question, str):
            raise QuestionError("the question must be text")
        text = _normalised_question(question)
        if not text:
            raise QuestionError("the question is empty: type a question about the article")
        if len(text) > self.settings.max_question_chars:
            raise QuestionError(f"the question is too long: at most {self.settings.max_question_chars} "
                                f"characters, this one has {len(text)}")
        return text

    def _without_usual_names(self, expansion: Expansion, question_type: str) -> Expansion:
        """Search an abbreviation's long form only when the corpus never uses the abbreviation itself
        ("NCCN"), or when asked what it means: for "NET" or "FDA" the long form would only pull towards
        the one sentence that defines it."""
        if question_type == "definition":
            return expansion
        def usual(phrase: str) -> bool:
            return (phrase not in expansion.lay_phrases and phrase in self.vocabulary.abbreviations
                    and self._idf_of(stem(phrase)) != 0.0)

        kept = tuple(entry for entry in expansion.synonyms if not usual(entry[0]))
        # Still a weak pull where the text spells it out in passing ("the Food and Drug Administration has
        # now granted approval" is about the FDA too), but not towards the sentence defining it ("(NET)").
        weak = tuple(entry for entry in expansion.synonyms if usual(entry[0]) and not self._defined(entry[0]))
        return dataclasses.replace(expansion, synonyms=kept, long_forms=weak)

    def _following(self, passage: Passage) -> Passage | None:
        """The next passage of the same document (the answer after an FAQ's question)."""
        position = self.index.position_.get(passage.id)
        if position is None or position + 1 >= len(self.index.passages_):
            return None
        after = self.index.passages_[position + 1]
        return after if after.doc_id == passage.doc_id else None

    def _defined(self, abbreviation: str) -> bool:
        """Whether the corpus defines the abbreviation in brackets: "Neuroendocrine tumors (NET)"."""
        if abbreviation not in self._definitions:
            long_form = re.escape(self.vocabulary.abbreviations[abbreviation])
            pattern = re.compile(rf"{long_form}\s*\(\s*{re.escape(abbreviation)}\s*\)", re.IGNORECASE)
            self._definitions[abbreviation] = any(pattern.search(d.text) for d in self.corpus.documents)
        return self._definitions[abbreviation]

    def _idf_of(self, term: str) -> float:
        return self._idf.get(term, 0.0)

    def _alternatives(self, entries: tuple[tuple[str, tuple[str, ...]], ...],
                      weight: float) -> tuple[list[str], list[tuple[str, float]]]:
        """The document words that question words stand for ("people" -> patients, individuals), as the ones
        searched at `weight` and the rarer ones, each with its own weight. A word stands for any one of its document
        words, the commonest first: a rare one ("individuals") weighs only as much as the commonest ("patients"),
        weight * idf(commonest) / idf(rare), so it does not pull the search towards the one passage using it."""
        usual: list[str] = []
        rarer: list[tuple[str, float]] = []
        for _, document_words in entries:
            rarity = {w: max((self._idf_of(t) for t in word_terms(w)), default=0.0) for w in document_words}
            commonest = min((r for r in rarity.values() if r > 0), default=0.0)
            for word, r in rarity.items():
                if r <= commonest:
                    usual.append(word)
                else:
                    rarer.append((word, weight * commonest / r))
        return list(dict.fromkeys(usual)), rarer

    def _queries(self, expansion: Expansion, resolution: Resolution, story: str = ""):
        """Groups of word terms and of words, each with its weight. A story longer than the question has each term
        weigh STORY_WEIGHT * sqrt(question terms / story terms), so its norm stays within STORY_WEIGHT times the
        question's: however much is told, it stays a hint. (The rarer document words a word stands for come last,
        see _alternatives.)"""
        added, rarer_added = self._alternatives(expansion.synonyms, EXPANSION_WEIGHT)
        related, rarer_related = self._alternatives(expansion.related, RELATED_WEIGHT)
        groups = [(expansion.search_text, 1.0), (" ".join(added), EXPANSION_WEIGHT),  # CONTEXT_GROUP: 3
                  (" ".join(related), RELATED_WEIGHT), (resolution.context, CONTEXT_WEIGHT),
                  (story, STORY_WEIGHT),
                  (" ".join(w for _, forms in expansion.long_forms for w in forms), LONG_FORM_WEIGHT),
                  (" ".join(expansion.defined_added), DEFINED_WEIGHT), *rarer_added, *rarer_related]
        word_query = [(word_terms(text), weight) for text, weight in groups]
        char_query = [(char_words(text), weight) for text, weight in groups]
        if story:
            share = min(1.0, len(word_query[0][0]) / max(1, len(word_query[4][0]))) ** 0.5
            word_query[4] = (word_query[4][0], STORY_WEIGHT * share)
            char_query[4] = (char_query[4][0], STORY_WEIGHT * share)
        return word_query, char_query


def _without_group(query: list[tuple[list, float]], group: int) -> list[tuple[list, float]]:
    return [([] if i == group else terms, weight) for i, (terms, weight) in enumerate(query)]


def _metadata(directory: Path) -> dict:
    """The corpus's metadata.json as a dict ({} when there is none or it cannot be read)."""
    try:
        data = json.loads((directory / METADATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _names(corpus: Corpus) -> Names:
    """How replies name the corpus and its documents; "the article" where metadata.json says `"kind": "article"`."""
    described = _metadata(corpus.directory).get("documents", {})
    described = described if isinstance(described, dict) else {}

    def is_article(document: Document) -> bool:
        inside = document.path.is_relative_to(corpus.directory)
        entry = described.get(document.path.relative_to(corpus.directory).as_posix() if inside else document.path.name)
        return isinstance(entry, dict) and entry.get("kind") == "article"

    articles = frozenset(d.title for d in corpus.documents if is_article(d))
    if len(corpus.documents) == 1:
        only = corpus.documents[0].title
        return Names("the article" if only in articles else f'"{only}"', articles)
    return Names(f"these {len(corpus.documents)} documents", articles)

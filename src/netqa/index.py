"""Passages -> TF-IDF matrices (word and character n-grams); a query -> scored passages and sentences."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from netqa.corpus import Passage
from netqa.text import char_terms, word_terms


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float


@dataclass(frozen=True)
class SentenceHit:
    passage: Passage
    sentence_index: int  # into passage.sentences
    score: float


@dataclass
class _Space:
    """One TF-IDF space: term -> column, idf per column, L2-normalised rows in CSC form."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    matrix: sparse.csc_matrix

    def vector(self, weighted_terms: list[tuple[list[str], float]]) -> tuple[np.ndarray, np.ndarray]:
        """The query's columns and weights: sum of weight * (1 + log tf) * idf, L2-normalised."""
        counts: Counter[int] = Counter()
        for terms, weight in weighted_terms:
            for col, tf in Counter(self.vocabulary[t] for t in terms if t in self.vocabulary).items():
                counts[col] += weight * (1.0 + np.log(tf))
        if not counts:
            return np.empty(0, dtype=np.int64), np.empty(0)
        cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        weights = np.fromiter(counts.values(), dtype=float, count=len(counts)) * self.idf[cols]
        return cols, weights / np.linalg.norm(weights)

    def scores(self, cols: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Cosine of every row with the query: a sum over the query's few columns only."""
        m = self.matrix
        if not len(cols):
            return np.zeros(m.shape[0])
        starts, ends = m.indptr[cols], m.indptr[cols + 1]
        rows = np.concatenate([m.indices[s:e] for s, e in zip(starts, ends)])
        values = np.concatenate([m.data[s:e] * w for s, e, w in zip(starts, ends, weights)])
        return np.bincount(rows, weights=values, minlength=m.shape[0])


def _fit_space(texts: list[str], analyzer, max_df: float = 1.0) -> _Space:
    # Imported here: scikit-learn's text module is slow to import and only building needs it.
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, max_df=max_df, dtype=np.float32)
    matrix = vectorizer.fit_transform(texts).tocsc()
    return _Space(dict(vectorizer.vocabulary_), vectorizer.idf_.astype(np.float32), matrix)


class PassageIndex:
    """TF-IDF over passages (word and character n-grams) and over sentences (words) for choosing quotes.

    Built once with `fit`; `search` and `rank_sentences` never change it, so threads may share it.
    """

    def __init__(self, word_weight: float = 0.7, char_weight: float = 0.3):
        self.word_weight = word_weight
        self.char_weight = char_weight

    def fit(self, passages: tuple[Passage, ...]) -> "PassageIndex":
        texts = [f"{p.section}\n{p.text}" if p.section != p.document else p.text for p in passages]
        self.passages_ = passages
        self.words_ = _fit_space(texts, word_terms)
        self.chars_ = _fit_space(texts, char_terms, max_df=0.5 if len(texts) > 50 else 1.0)
        sentence_texts = [s.text for p in passages for s in p.sentences]
        self.sentence_first_ = np.concatenate([[0], np.cumsum([len(p.sentences) for p in passages])])
        self.sentences_ = _fit_space(sentence_texts, word_terms)
        self.position_ = {p.id: i for i, p in enumerate(passages)}
        return self

    def search(self, word_query: list[tuple[list[str], float]],
               char_query: list[tuple[list[str], float]], k: int = 5) -> list[Hit]:
        """The k best passages by weighted cosine similarity, best first; only positive scores."""
        scores = self.word_weight * self._scores(self.words_, word_query)
        if self.char_weight:
            scores = scores + self.char_weight * self._scores(self.chars_, char_query)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [Hit(self.passages_[i], float(scores[i])) for i in top if scores[i] > 0]

    def rank_sentences(self, word_query: list[tuple[list[str], float]], hits: list[Hit]) -> list[SentenceHit]:
        """Sentences of the given passages by their own word cosine with the query, best first."""
        scores = self._scores(self.sentences_, word_query)
        ranked = [
            SentenceHit(hit.passage, j, float(scores[first + j]))
            for hit in hits
            for first in [self.sentence_first_[self.position_[hit.passage.id]]]
            for j in range(len(hit.passage.sentences))
        ]
        return sorted(ranked, key=lambda s: -s.score)

    @staticmethod
    def _scores(space: _Space, query: list[tuple[list[str], float]]) -> np.ndarray:
        return space.scores(*space.vector(query))

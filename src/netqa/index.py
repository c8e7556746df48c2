"""Passages -> TF-IDF spaces (word and character n-grams), saved to and loaded from disk; a query -> scored passages."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, repeat
from pathlib import Path

import numpy as np

from netqa import __version__, kernels
from netqa.cache import user_cache
from netqa.documents import (
    LEXICON_FILE,
    METADATA_FILE,
    Document,
    Passage,
    Sentence,
    Skipped,
    corpus_files,
    default_corpus_dir,
    read_corpus,
)
from netqa.documents.converters import versions as converter_versions
from netqa.documents.names import searched_names
from netqa.documents.passages import shown_by
from netqa.text import char_terms, content_words, normalise, stem, word_grams, word_terms

log = logging.getLogger("netqa")

FORMAT_VERSION = 4  # bump when the saved layout changes
INDEX_DIR_NAME = ".netqa-index"
_MANIFEST, _ARRAYS, _TABLES = "manifest.json", "arrays.npz", "tables.json"
# Files whose content decides what an index holds: any change to them makes saved indexes stale.
_BUILDER_MODULES = ("netqa.text", "netqa.terms", "netqa.index", "netqa.documents", "netqa.documents.model",
                    "netqa.documents.converters", "netqa.documents.text", "netqa.documents.passages",
                    "netqa.documents.names", "netqa.documents.plain", "netqa.documents.markdown",
                    "netqa.documents.html", "netqa.documents.pdf", "netqa.documents.docx")
_BUILDER_DATA = (("netqa.lang.en", "stopwords.txt"), ("netqa.data", "boilerplate.txt"),
                 ("netqa.data", "definitions.txt"))
_SPACES = ("words", "chars", "sentences")
# A column with more postings than this is read only for rows that can still reach the top k:
# at 60,000 documents, that skips seven tenths of the postings a question would otherwise read.
# Holding columns back costs a few passes over all rows, so below about this length reading the
# postings is cheaper (measured at 6,000 and 60,000 documents: 4,000 was slower at both).
COMMON_POSTINGS = 8000
_MAX_CANDIDATES = 3000  # beyond this many rows, reading the common postings whole is cheaper
_WORDS_REMEMBERED = 20_000  # words whose n-gram columns are kept, per index


@dataclass(frozen=True, slots=True)  # slots: a search makes up to k of them, and frozen init is slow
class Hit:
    passage: Passage
    score: float


@dataclass(frozen=True, slots=True)
class SentenceHit:
    passage: Passage
    sentence_index: int  # into passage.sentences
    score: float


@dataclass(frozen=True)
class _Common:
    """The entries of a space's common columns again, row by row, with each row's L2 norm over them.

    A common column (more than COMMON_POSTINGS rows) is read for a handful of candidate rows
    only; reading a few rows here costs the same whatever the number of the query's common terms.
    """

    indptr: np.ndarray  # int64, rows + 1
    indices: np.ndarray  # int32 columns
    data: np.ndarray  # float32
    norm: np.ndarray  # float64, per row: the most the common columns can add to a unit query's cosine

    @classmethod
    def of(cls, matrix) -> _Common | None:
        """From a fitted CSC matrix (scipy), or None when no column is common."""
        from scipy import sparse

        lengths = np.diff(matrix.indptr)
        if not (lengths > COMMON_POSTINGS).any():
            return None
        in_common = np.repeat(lengths > COMMON_POSTINGS, lengths)
        columns = np.repeat(np.arange(matrix.shape[1]), lengths)[in_common]
        rows = sparse.csr_matrix((matrix.data[in_common], (matrix.indices[in_common], columns)), shape=matrix.shape)
        rows.sort_indices()
        norm = np.sqrt(np.bincount(matrix.indices[in_common], weights=np.square(matrix.data[in_common], dtype=float),
                                   minlength=matrix.shape[0]))
        return cls(rows.indptr.astype(np.int64), rows.indices.astype(np.int32), rows.data.astype(np.float32), norm)

    def values(self, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """sum_t x_rt * q_t over the query's common columns `cols` (ascending), for each of the given rows."""
        return kernels.row_dots(self.indptr, self.indices, self.data, rows, cols, weights)


@dataclass(frozen=True)
class _Space:
    """One TF-IDF space: term -> column, idf per column, and L2-normalised rows as compressed arrays.

    `by_column` spaces (passages) keep each term's postings together, so a query reads only its
    own terms' postings; the sentence space is kept row by row, since only the sentences of a
    few candidate passages are ever scored.
    """

    vocabulary: dict[str, int]
    idf: np.ndarray  # float32, one per column
    indptr: np.ndarray  # int64: where each column's (or row's) entries start
    indices: np.ndarray  # int32: the row (or column) of each entry
    data: np.ndarray  # float32: the entry's tf-idf weight
    rows: int
    by_column: bool
    common: _Common | None = None  # by-column spaces only
    lengths: np.ndarray = field(init=False, repr=False)  # postings per column (entries per row if by row)

    def __post_init__(self):
        object.__setattr__(self, "lengths", np.diff(self.indptr))

    def vector(self, weighted_terms: list[tuple[list[str], float]]) -> tuple[np.ndarray, np.ndarray]:
        """The query's columns (ascending) and weights: q_t = idf_t * sum over groups g of w_g * (1 + ln tf_t,g),
        L2-normalised."""
        return self.weigh([(self.columns(terms), weight) for terms, weight in weighted_terms])

    def columns(self, terms: Sequence[str]) -> np.ndarray:
        """Each term's column; -1 for a term the corpus lacks."""
        # map() looks the terms up in C.
        return np.fromiter(map(self.vocabulary.get, terms, repeat(-1)), np.int64)

    def weigh(self, weighted_columns: list[tuple[np.ndarray, float]]) -> tuple[np.ndarray, np.ndarray]:
        """`vector` for terms already looked up: one group of columns (-1 where unknown) per weight."""
        groups = [(cols, weight) for cols, weight in weighted_columns if len(cols)]
        if not groups:
            return np.empty(0, dtype=np.int64), np.empty(0)
        cols = groups[0][0] if len(groups) == 1 else np.concatenate([c for c, _ in groups])
        return kernels.query_vector(cols, np.array([len(c) for c, _ in groups], dtype=np.int64),
                                    np.array([weight for _, weight in groups], dtype=np.float64), self.idf)

    def add_scores(self, cols: np.ndarray, weights: np.ndarray, scores: np.ndarray) -> None:
        """scores_r += sum_t x_rt * q_t, read from the query terms' postings only (a by-column space)."""
        kernels.add_postings(self.indptr, self.indices, self.data, cols, weights, scores)

    def row_scores(self, first: np.ndarray, count: np.ndarray, cols: np.ndarray,
                   weights: np.ndarray) -> np.ndarray:
        """Cosine with the query (`cols` ascending, as `vector` gives them) of rows first[i] .. first[i] + count[i] - 1,
        concatenated (a by-row space). Each row's sum runs in column order, as `add_scores` adds."""
        rows = np.repeat(first - np.cumsum(count) + count, count) + np.arange(count.sum())
        return kernels.row_dots(self.indptr, self.indices, self.data, rows, cols, weights)

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        arrays = {f"{name}.idf": self.idf, f"{name}.indptr": self.indptr, f"{name}.indices": self.indices,
                  f"{name}.data": self.data, f"{name}.shape": np.array([self.rows, len(self.idf)], dtype=np.int64)}
        if self.common is not None:
            arrays.update({f"{name}.common.{part}": getattr(self.common, part)
                           for part in ("indptr", "indices", "data", "norm")})
        return arrays

    @classmethod
    def from_arrays(cls, name: str, terms: list, arrays, by_column: bool) -> _Space:
        """Rebuild a saved space, checking that every array fits the others (so queries cannot index out of range)."""
        idf, indptr = arrays[f"{name}.idf"], arrays[f"{name}.indptr"]
        indices, data = arrays[f"{name}.indices"], arrays[f"{name}.data"]
        rows, cols = (int(x) for x in arrays[f"{name}.shape"])
        lines, targets = (cols, rows) if by_column else (rows, cols)
        ok = (idf.dtype == np.float32 and data.dtype == np.float32 and indices.dtype == np.int32
              and indptr.dtype == np.int64 and len(idf) == cols == len(terms) and len(indptr) == lines + 1
              and len(indices) == len(data) == (indptr[-1] if len(indptr) else -1) and indptr[0] == 0
              and bool(np.all(np.diff(indptr) >= 0))
              and (not len(indices) or 0 <= indices.min() and indices.max() < targets))
        if not ok:
            raise ValueError(f"the {name} arrays do not fit together")
        common = None
        if f"{name}.common.indptr" in arrays:
            common = _Common(*(arrays[f"{name}.common.{part}"] for part in ("indptr", "indices", "data", "norm")))
            if not (by_column and common.indptr.dtype == np.int64 and common.indices.dtype == np.int32
                    and common.data.dtype == np.float32 and common.norm.dtype == np.float64
                    and len(common.indptr) == rows + 1 == len(common.norm) + 1 and common.indptr[0] == 0
                    and len(common.indices) == len(common.data) == common.indptr[-1]
                    and bool(np.all(np.diff(common.indptr) >= 0))
                    and (not len(common.indices) or 0 <= common.indices.min() and common.indices.max() < cols)):
                raise ValueError(f"the {name} common-column arrays do not fit together")
        vocabulary = dict(zip(terms, range(len(terms)), strict=False))
        if len(vocabulary) != len(terms):
            raise ValueError(f"the {name} vocabulary repeats a term")
        return cls(vocabulary, idf, indptr, indices, data, rows, by_column, common)


PIVOT_SLOPE = 0.6  # pivoted length normalisation of passage word vectors (Singhal et al. 1996)
# A question that names a document ("in GPLv3", "under the MPL") adds up to this much to that document's
# passages (see PassageIndex.search).
NAME_WEIGHT = 0.3
# Names are searched only where documents are long (on average this many passages or more): a short document's
# passages already say what it is about, and its name is then just more of the same words (in the Debian
# benchmark, two passages a package, names cost 1.3 points of top-1 at 6,000 documents).
NAMES_MIN_PASSAGES = 4
CODE_WEIGHT = 0.6  # a code block's passage scores this share of what its words alone would give it
# A passage's section heading counts this many times in its text: a heading says in a few words what the whole
# passage is about ("Installing on Windows"), which one mention among a hundred words of body does not.
SECTION_REPEATS = 2


# A word of the only document's name that at most this share of its passages holds points at the ones that repeat
# the name (see PassageIndex._named_only).
RARE_NAME_SHARE = 0.2
_VERSION_WORDS = frozenset({"version", "v", "releas"})  # stems of the words a version number follows


def _without(groups: list[tuple[list[str], float]], is_naming) -> list[tuple[list[str], float]]:
    """Query groups less the terms that name a document (see PassageIndex._named)."""
    return [([t for t in group if not is_naming(t)], weight) for group, weight in groups]


def _fit_names(texts: list[str], words: _Space, passage_document: np.ndarray) -> _Space:
    """Documents' names as a by-column space whose entries are 1 (the name holds the term), each term weighing
    idf_t = ln(N / df_t), df_t = the documents whose name or text holds it: a query's weights then say how much of
    it a name covers, and a word every document uses ("license" in a folder of licences) names none of them."""
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(analyzer=word_terms, binary=True, dtype=np.float32)
    matrix = vectorizer.fit_transform(texts).tocsc()
    matrix.sort_indices()
    # documents x name terms, nonzero where the document's name or its text holds the term
    terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    name_cols = [col for col, t in enumerate(terms) if t in words.vocabulary]
    text = sparse.csc_matrix((words.data, words.indices, words.indptr), shape=(words.rows, len(words.idf)))
    text = text[:, [words.vocabulary[terms[col]] for col in name_cols]]
    passages = len(passage_document)
    of_document = sparse.csr_matrix((np.ones(passages), (passage_document, np.arange(passages))),
                                    shape=(len(texts), passages))
    to_names = sparse.csr_matrix((np.ones(len(name_cols)), (np.arange(len(name_cols)), name_cols)),
                                 shape=(len(name_cols), len(terms)))
    used = (matrix + of_document @ (text != 0) @ to_names).tocsc()
    used.eliminate_zeros()
    idf = np.log(len(texts) / np.maximum(np.diff(used.indptr), 1)).astype(np.float32)
    return _Space(dict(vectorizer.vocabulary_), idf, matrix.indptr.astype(np.int64), matrix.indices.astype(np.int32),
                  matrix.data.astype(np.float32), matrix.shape[0], True)


def _fit_space(texts: list[str], analyzer, by_column: bool, max_df: float = 1.0, progress=None,
               pivoted: bool = False, row_weights: np.ndarray | None = None) -> _Space:
    """TF-IDF rows, L2-normalised; or, pivoted, divided by (1 - s) * mean_norm + s * norm; then each row times
    its weight, when `row_weights` are given.

    Pivoting keeps cosine from favouring the shorter of two near-duplicate passages just for being short.
    """
    # Imported here: scikit-learn's text module is slow to import and only building needs it.
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, max_df=max_df, dtype=np.float32,
                                 norm=None if pivoted else "l2")
    fitted = vectorizer.fit_transform(texts if progress is None else progress(texts))
    if pivoted:
        from scipy import sparse

        norms = np.sqrt(np.asarray(fitted.multiply(fitted).sum(axis=1)).ravel())
        pivot = (1 - PIVOT_SLOPE) * norms.mean() + PIVOT_SLOPE * norms
        fitted = sparse.diags((1.0 / np.maximum(pivot, 1e-12)).astype(np.float32)) @ fitted
    if row_weights is not None:
        from scipy import sparse

        fitted = sparse.diags(row_weights.astype(np.float32)) @ fitted
    matrix = fitted.tocsc() if by_column else fitted.tocsr()
    matrix.sort_indices()
    return _Space(dict(vectorizer.vocabulary_), vectorizer.idf_.astype(np.float32),
                  matrix.indptr.astype(np.int64), matrix.indices.astype(np.int32), matrix.data, matrix.shape[0],
                  by_column, _Common.of(matrix) if by_column else None)


class PassageIndex:
    """TF-IDF over passages (word and character n-grams) and over sentences (words) for choosing quotes.

    Built once with `fit` (or read back by `load_index`); `search` and `rank_sentences` never
    change it, so threads may share it.
    """

    def __init__(self, word_weight: float = 0.7, char_weight: float = 0.3):
        self.word_weight = word_weight
        self.char_weight = char_weight

    def fit(self, passages: tuple[Passage, ...], progress=None, names: list[str] | None = None) -> PassageIndex:
        """Fit the three spaces, and the space of document names when there are several documents (`names`, one
        per document in the order of the passages' documents); `progress(iterable, desc)` may wrap each pass
        over the texts (a tqdm)."""
        def stage(desc):
            return None if progress is None else (lambda items: progress(items, desc))

        texts = [f"{p.section}\n" * SECTION_REPEATS + p.text if p.section != p.document else p.text
                 for p in passages]
        # A code block matches a question's words (names of functions) without saying anything about them.
        code = np.array([p.kind == "code" for p in passages])
        weights = np.where(code, CODE_WEIGHT, 1.0) if code.any() else None
        words = _fit_space(texts, word_terms, True, progress=stage("word terms"), pivoted=True, row_weights=weights)
        chars = _fit_space(texts, char_terms, True, max_df=0.5 if len(texts) > 50 else 1.0,
                           progress=stage("character n-grams"), pivoted=True, row_weights=weights)
        sentences = _fit_space([s.text for p in passages for s in p.sentences], word_terms, False,
                               progress=stage("sentences"))
        named = None
        if names and len(passages) >= NAMES_MIN_PASSAGES * len(names):
            order = {doc_id: i for i, doc_id in enumerate(dict.fromkeys(p.doc_id for p in passages))}
            document_of = np.array([order[p.doc_id] for p in passages], dtype=np.int64)
            named = (_fit_names(names, words, document_of), document_of)
        return self._set(passages, words, chars, sentences, named)

    def _set(self, passages, words: _Space, chars: _Space, sentences: _Space,
             named: tuple[_Space, np.ndarray] | None = None) -> PassageIndex:
        self.passages_ = passages
        self.words_, self.chars_, self.sentences_ = words, chars, sentences
        # The names space (a row per document) and each passage's document row, or None for one document.
        self.names_: _Space | None = named[0] if named is not None else None
        self.passage_document_: np.ndarray | None = named[1] if named is not None else None
        self.sentence_first_ = np.concatenate([[0], np.cumsum([len(p.sentences) for p in passages])]).astype(np.int64)
        self.position_ = {p.id: i for i, p in enumerate(passages)}
        self._columns_of_word: dict[str, np.ndarray] = {}
        self._rows_of_document: dict[str, np.ndarray] | None = None  # doc_id -> its passages' rows, when first asked
        return self

    def search(self, word_query: list[tuple[list[str], float]],
               char_query: list[tuple[list[str], float]], k: int = 5, within: str | None = None) -> list[Hit]:
        """The k best passages by s = word_weight * cos_words + char_weight * cos_chars, best first; only s > 0.

        `word_query` holds groups of word terms (`word_terms`), `char_query` groups of words
        (`char_words`), each group with its weight. `within`: only the passages of that document (a doc_id).

        Common columns are held back (see _Common): every row first gets the score of
        the query's rarer terms, then only rows whose score plus their bound can still reach the
        k-th best get the common columns added. The result is the same top k, far fewer reads.
        """
        bonus = None
        if self.names_ is not None and self.passage_document_ is not None:
            named = self._named(self.names_, word_query, char_query)
            if named is not None:
                bonus, word_query, char_query = named
        parts = [(self.words_, self.word_weight, self.words_.vector(word_query))]
        if self.char_weight:
            parts.append((self.chars_, self.char_weight, self.chars_.weigh(
                [(self._gram_columns(words), weight) for words, weight in char_query])))
        scores = np.zeros(len(self.passages_))
        bound = None
        held: list = []  # (space, its common columns, their weights): see _search_with_common
        for space, weight, (cols, weights) in parts:
            weights *= weight
            if space.common is not None:
                common = space.lengths[cols] > COMMON_POSTINGS
                if common.any():
                    held.append((space, cols[common], weights[common]))
                    # Cauchy-Schwarz: a row gains at most |q_common| * |x_row,common| from them.
                    limit = space.common.norm * float(np.linalg.norm(weights[common]))
                    if bound is None:
                        bound = limit
                    else:
                        bound += limit
                    cols, weights = cols[~common], weights[~common]
            space.add_scores(cols, weights, scores)
        if within is not None:
            rows = self._document_rows(within)
            exact = scores[rows]
            for space, cols, weights in held:
                exact += space.common.values(rows, cols, weights)
            return self._hits(exact, k, rows)
        if bonus is not None and self.passage_document_ is not None:
            scores += bonus[self.passage_document_]
        if held and bound is not None:
            return self._search_with_common(scores, bound, held, k)
        return self._hits(scores, k)

    def named_document(self, word_query: list[tuple[list[str], float]]) -> str | None:
        """The doc_id of the document the question's own words name (see _named), or None when they name none."""
        if self.names_ is None:
            return None
        named = self._named(self.names_, word_query, [])
        if named is None:
            return None
        return list(self._documents())[int(named[0].argmax())]

    def _documents(self) -> dict[str, np.ndarray]:
        """doc_id -> the rows of its passages, documents in the order of the names space's rows."""
        if self._rows_of_document is None:
            rows: dict[str, list[int]] = {}
            for i, passage in enumerate(self.passages_):
                rows.setdefault(passage.doc_id, []).append(i)
            self._rows_of_document = {doc: np.array(found, dtype=np.int64) for doc, found in rows.items()}
        return self._rows_of_document

    def _document_rows(self, doc_id: str) -> np.ndarray:
        return self._documents().get(doc_id, np.empty(0, dtype=np.int64))

    def _named(self, names: _Space, word_query: list[tuple[list[str], float]],
               char_query: list[tuple[list[str], float]]):
        """When the question names a document ("in GPLv3", "under the MPL"): a bonus per document, and the queries
        without the naming words. They pick the document; within it they say nothing about which passage is meant,
        and would only pull towards the passages that happen to repeat its name. None when it names none.

        The bonus of document d is NAME_WEIGHT * (n_d - min_d n_d), where n_d = sum of the question's name weights
        q_t over the terms t of d's name: a word every name shares favours no document, and one every document
        uses ("license" among licences) weighs nothing (see _fit_names).
        """
        terms, weight = word_query[0]  # the question's own words, not expansions or context
        if names.rows == 1:
            return self._named_only(names, word_query, char_query)
        cols, weights = names.vector([(terms, weight)])
        if not len(cols):
            return None
        named = np.zeros(names.rows)
        names.add_scores(cols, weights, named)
        low, best = named.min(), int(named.argmax())
        if named[best] <= low:
            return None
        named -= low
        named *= NAME_WEIGHT
        # The naming words: the question's and its expansions' ("LGPL" -> "Lesser General Public License").
        every = sorted({t for group, _ in word_query for t in group})
        naming = {term for term, col in zip(every, names.columns(every).tolist(), strict=True)
                  if col >= 0 and best in names.indices[names.indptr[col]:names.indptr[col + 1]]}

        return (named, _without(word_query, naming.__contains__),
                _without(char_query, lambda word: stem(word) in naming))

    def _named_only(self, names: _Space, word_query: list[tuple[list[str], float]],
                    char_query: list[tuple[list[str], float]]):
        """_named for the only document of a corpus: the question's words of its name ("Does the Apache License 2.0
        give a patent grant?") pick no passage but those that repeat the name (the title, "Licensed under the
        Apache License, Version 2.0"); left out, unless they are all the question asks ("What is XZ Utils?").
        Only a name word few passages use (RARE_NAME_SHARE) points at those: one the text uses throughout is what it
        is about ("xz" in the README of XZ Utils, "license" in a licence), and stays. A version after the name
        ("License Version 2.0") is a part of it; a number alone names nothing ("section 2")."""
        every = sorted({t for group, _ in word_query for t in group})
        rare = self.words_.rows * RARE_NAME_SHARE
        of_name = {term: word for term, col, word in zip(every, names.columns(every).tolist(),
                                                           self.words_.columns(every).tolist(), strict=True)
                   if col >= 0 and not term.replace(" ", "").isdigit()}
        naming = {term for term, word in of_name.items() if word < 0 or self.words_.lengths[word] <= rare}
        if not naming:
            return None
        own = word_query[0][0]
        words = [t for t in own if " " not in t]  # the question's own words in their order, then its word pairs
        for before, word in zip(words, words[1:], strict=False):
            if (before in of_name or before in naming) and (word.isdigit() or word in _VERSION_WORDS):
                naming.add(word)
        naming.update(t for t in own if " " in t and all(part in naming for part in t.split()))
        if all(term in naming for term in own):
            return None
        return (np.zeros(1), _without(word_query, naming.__contains__),
                _without(char_query, lambda word: stem(word) in naming))

    def _hits(self, scores: np.ndarray, k: int, rows: np.ndarray | None = None) -> list[Hit]:
        """The k best of `scores`, scored passages `rows` (default: every passage, in order)."""
        best = kernels.top_rows(scores, k)
        top = best if rows is None else rows[best]
        return [Hit(self.passages_[i], s) for i, s in zip(top.tolist(), scores[best].tolist(), strict=False)]

    def _search_with_common(self, scores: np.ndarray, bound: np.ndarray, held: list, k: int) -> list[Hit]:
        best = kernels.top_rows(scores, k)
        kth = float(scores[best[-1]]) if len(best) == k else 0.0
        # The bound is rounded up a little: float sums must not drop a row that ties the k-th.
        # In place: at 100,000 rows every temporary array costs as much as the postings read.
        reach = bound
        reach *= 1 + 1e-9
        reach += scores
        reach += 1e-12
        candidates = np.flatnonzero(reach >= kth) if kth > 0 else np.flatnonzero(reach > 1e-12)
        if len(candidates) > _MAX_CANDIDATES:
            for space, cols, weights in held:
                space.add_scores(cols, weights, scores)
            return self._hits(scores, k)
        exact = scores[candidates]
        for space, cols, weights in held:
            exact += space.common.values(candidates, cols, weights)
        return self._hits(exact, k, candidates)

    def _gram_columns(self, words: list[str]) -> np.ndarray:
        """The character space's columns of the words' n-grams (-1 where unknown), each word looked up once.

        A question's hundred-odd n-grams cost as many lookups in a dictionary too big for the CPU's
        caches; most of a question's words were seen in an earlier question.
        """
        known = self._columns_of_word
        parts = []
        for word in words:
            cols = known.get(word)
            if cols is None:
                if len(known) >= _WORDS_REMEMBERED:
                    known.clear()
                cols = known[word] = self.chars_.columns(word_grams(word))
            parts.append(cols)
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    def rank_sentences(self, word_query: list[tuple[list[str], float]], hits: list[Hit]) -> list[SentenceHit]:
        """Sentences of the given passages by their own word cosine with the query, best first; the words that
        name a document (see _named) have picked the passages and say nothing about which sentence is meant."""
        if not hits:
            return []
        if self.names_ is not None:
            named = self._named(self.names_, word_query, [])
            if named is not None:
                word_query = named[1]
        positions = np.array([self.position_[hit.passage.id] for hit in hits])
        first, count = self.sentence_first_[positions], np.diff(self.sentence_first_)[positions]
        scores = self.sentences_.row_scores(first, count, *self.sentences_.vector(word_query))
        flat = iter(scores.tolist())  # the hits' sentences, in order
        ranked = [SentenceHit(hit.passage, j, next(flat)) for hit in hits for j in range(len(hit.passage.sentences))]
        return sorted(ranked, key=lambda s: -s.score)


# ---------------------------------------------------------------- the whole corpus, built or saved


@dataclass(frozen=True)
class CorpusIndex:
    """Everything `Bot.load` derives from a corpus folder; built from the documents or read back from disk."""

    directory: Path
    documents: tuple[Document, ...]
    passages: tuple[Passage, ...]
    index: PassageIndex
    words: frozenset[str]  # the content words of the passages (typo correction and "do we know it")
    stems: frozenset[str]
    abbreviations: dict[str, str]  # abbreviation -> long form, learned from the text
    skipped: tuple[Skipped, ...] = ()  # files of the folder that could not be read, and why


def corpus_words(passages, documents=()) -> set[str]:
    """The content words of the passages and of the documents' names ("GPLv3" is a word the corpus knows)."""
    return {w for text in chain((p.text for p in passages), (d.names for d in documents))
            for w in content_words(normalise(text))}


def build(directory: Path, progress: bool = False, state: _CorpusState | None = None) -> CorpusIndex:
    """Parse the folder and fit the index; `progress` shows tqdm bars on stderr (if it is a terminal)."""
    from netqa.terms import find_abbreviations

    bar = _progress_bar if progress else None
    read = read_corpus(directory, progress=(lambda files: bar(files, "documents")) if bar else None,
                       raw=state.raw if state is not None else None)
    documents = read.documents
    passages = tuple(p for doc in documents for p in doc.passages)
    index = PassageIndex().fit(passages, progress=bar, names=searched_names(documents))
    words = corpus_words(passages, documents)
    abbreviations = find_abbreviations("\n".join(p.text for p in passages))
    return CorpusIndex(directory, documents, passages, index, frozenset(words),
                       frozenset(stem(w) for w in words), abbreviations, read.skipped)


def _progress_bar(items, desc: str):
    from tqdm import tqdm

    # Small folders build in well under a second: a bar would only flicker.
    return tqdm(items, desc=desc, unit=" texts", file=sys.stderr, leave=False,
                disable=True if len(items) < 2000 else None, mininterval=0.5)


def cache_dir(directory: Path) -> Path:
    """Where the index of the built-in or a read-only corpus folder goes: the user's cache, one folder per path."""
    return user_cache() / hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:16]


def index_locations(directory: Path) -> list[Path]:
    """Where an index of the folder is looked for, and saved to, in this order.

    The built-in corpus ships inside the installed package, which netqa never writes into: its index
    lives in the user's cache only.
    """
    if directory.resolve() == default_corpus_dir().resolve():
        return [cache_dir(directory)]
    return [directory / INDEX_DIR_NAME, cache_dir(directory)]


def open_index(directory: Path, index_dir: Path | None = None, progress: bool = False) -> CorpusIndex:
    """The saved index of the folder if one is fresh, else a new build, saved where it can be (best effort)."""
    locations = [index_dir] if index_dir is not None else index_locations(directory)
    state = _CorpusState.read(directory)
    for location in locations:
        loaded = load_index(directory, location, state)
        if loaded is not None:
            return loaded
    built = build(directory, progress=progress, state=state)
    for location in locations:
        try:
            save_index(built, location, state)
            return built
        except OSError as exc:
            log.info("netqa: cannot save the index to %s (%s)", location, exc.strerror or exc)
    return built


# ---------------------------------------------------------------- saving and loading


@dataclass(frozen=True)
class _CorpusState:
    """The content hashes that a saved index must match to be used."""

    sources: dict[str, str]  # relative path -> sha256 of the file's bytes
    extras: dict[str, str | None]  # lexicon and metadata files -> sha256, None when absent
    raw: dict[str, bytes]  # the files' bytes, so loading reads each file once

    @classmethod
    def read(cls, directory: Path) -> _CorpusState:
        files = corpus_files(directory)
        raw = {}
        for path, rel in zip(files, _relative_names(files, directory), strict=False):
            with open(path, "rb", buffering=0) as handle:  # unbuffered: one read call, no copy
                raw[rel] = handle.read()
        extras = {name: hashlib.sha256((directory / name).read_bytes()).hexdigest()
                  if (directory / name).is_file() else None for name in (LEXICON_FILE, METADATA_FILE)}
        return cls({rel: hashlib.sha256(data).hexdigest() for rel, data in raw.items()}, extras, raw)


def _relative_names(files: list[Path], directory: Path) -> list[str]:
    """Posix paths relative to the folder; cutting the common prefix is 10x faster than Path.relative_to."""
    prefix = "" if str(directory) == "." else str(directory).rstrip(os.sep) + os.sep
    if all(str(f).startswith(prefix) for f in files):
        return [str(f)[len(prefix):].replace(os.sep, "/") for f in files]
    return [f.relative_to(directory).as_posix() for f in files]


@lru_cache(maxsize=1)  # once per process: the code that runs, even if the files change meanwhile
def _builder() -> str:
    """A hash of the code and data that decide an index's content: a new netqa version or edit makes it stale."""
    import importlib
    from importlib import resources

    digest = hashlib.sha256(f"{FORMAT_VERSION} {__version__}".encode())
    for module in _BUILDER_MODULES:
        digest.update(Path(str(importlib.import_module(module).__file__)).read_bytes())
    digest.update(converter_versions().encode())  # a new trafilatura or pypdf may extract other text
    for package, name in _BUILDER_DATA:
        digest.update(resources.files(package).joinpath(name).read_bytes())
    return digest.hexdigest()


def _file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _write_atomically(path: Path, write) -> str:
    """Write via a temporary file in the same folder, then rename: readers never see half a file."""
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False)
    try:
        with handle:
            write(handle)
        digest = _file_sha256(Path(handle.name))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(handle.name, 0o666 & ~umask)  # temporary files are private; the index need not be
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return digest


def save_index(built: CorpusIndex, location: Path, state: _CorpusState | None = None) -> None:
    """Write the index as numpy arrays (.npz, no pickles) and JSON tables, then the manifest that vouches for them.

    The manifest goes last and holds the hashes of the other two files, so a reader that finds
    a half-replaced index sees a mismatch and rebuilds instead of mixing two builds.
    """
    state = state or _CorpusState.read(built.directory)
    index = built.index
    location.mkdir(parents=True, exist_ok=True)
    passages = built.passages
    arrays = {**index.words_.arrays("words"), **index.chars_.arrays("chars"),
              **index.sentences_.arrays("sentences"),
              # Offsets as arrays, not JSON: they are most of the data and numpy reads them 20x faster.
              "document.passages": np.array([len(d.passages) for d in built.documents], dtype=np.int64),
              "passage.start": np.array([p.start for p in passages], dtype=np.int64),
              "passage.end": np.array([p.end for p in passages], dtype=np.int64),
              "passage.sentences": np.diff(index.sentence_first_),
              "sentence.start": np.array([s.start for p in passages for s in p.sentences], dtype=np.int64),
              "sentence.end": np.array([s.end for p in passages for s in p.sentences], dtype=np.int64),
              "passage.page": np.array([p.page or 0 for p in passages], dtype=np.int64)}
    if index.names_ is not None and index.passage_document_ is not None:
        arrays.update(index.names_.arrays("names"))
        arrays["passage.document"] = index.passage_document_
    tables = {
        "settings": {"word_weight": index.word_weight, "char_weight": index.char_weight},
        "vocabularies": {name: _terms_by_column(getattr(index, f"{name}_").vocabulary) for name in _SPACES
                         + (("names",) if index.names_ is not None else ())},
        # A document's text is re-read from its file when it is the file decoded (`encoding`); extracted text
        # (HTML, PDF, DOCX) is kept here, so citations index exactly the text /source shows.
        "documents": [{"path": doc.relative_path, "id": doc.id, "title": doc.title, "source": doc.source,
                       "sha256": doc.sha256, "format": doc.format, "encoding": doc.encoding, "names": doc.names,
                       **({"text": doc.text} if doc.encoding is None else {})} for doc in built.documents],
        "passages": {"id": [p.id for p in passages], "section": [p.section for p in passages],
                     # Sentences not shown as their reflowed source (code kept verbatim, table rows with headers).
                     "shown": _shown_otherwise(built.documents),
                     "kind": {str(i): p.kind for i, p in enumerate(passages) if p.kind != "text"}},
        "skipped": [[item.path, item.reason] for item in built.skipped],
        "words": sorted(built.words),
        "stems": sorted(built.stems),
        "abbreviations": built.abbreviations,
    }
    files = {
        _ARRAYS: _write_atomically(location / _ARRAYS, lambda f: np.savez(f, **arrays)),  # type: ignore[arg-type]
        _TABLES: _write_atomically(location / _TABLES, lambda f: f.write(
            json.dumps(tables, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))),
    }
    manifest = {"format": FORMAT_VERSION, "netqa": __version__, "builder": _builder(),
                "sources": state.sources, **state.extras, "files": files,
                "documents": len(built.documents), "passages": len(built.passages), "saved": time.time()}
    _write_atomically(location / _MANIFEST, lambda f: f.write(json.dumps(manifest, indent=1).encode("utf-8")))


def _shown_otherwise(documents: tuple[Document, ...]) -> dict[str, str]:
    """Sentence number -> text, for the sentences whose text is not their stretch of the document as it reads
    (code kept verbatim, also inside a prose passage under its lead-in; table rows shown with their headers).
    Every other sentence is its stretch as it reads, so loading rebuilds it; a reflowed one never holds a line
    break or two spaces in a row, so only passages with such a sentence (or not prose) are compared."""
    shown, i = {}, 0
    for doc in documents:
        reads = shown_by(doc.format)
        for p in doc.passages:
            if p.kind != "text" or any("\n" in s.text or "  " in s.text for s in p.sentences):
                for k, sentence in enumerate(p.sentences):
                    if sentence.text != reads(doc.text[sentence.start:sentence.end]):
                        shown[str(i + k)] = sentence.text
            i += len(p.sentences)
    return shown


def _terms_by_column(vocabulary: dict[str, int]) -> list[str]:
    terms = [""] * len(vocabulary)
    for term, col in vocabulary.items():
        terms[col] = term
    return terms


def load_index(directory: Path, location: Path, state: _CorpusState | None = None) -> CorpusIndex | None:
    """The index saved at `location` if it was built from exactly these files by this netqa, else None.

    Trust model: a saved index is data, never code. Arrays are read with allow_pickle=False
    and everything else is JSON, so a tampered index cannot run anything. The manifest's
    hashes detect staleness (a source, lexicon.txt or metadata.json changed, another netqa
    version) and corruption (a file truncated or replaced); the arrays are checked to fit
    together, so a bad file is rejected and rebuilt rather than crashing a query. Whoever
    can write the index folder can still change answers, exactly as they could by editing
    the documents beside it: protect it as you protect the corpus.
    """
    manifest_path = location / _MANIFEST
    if not manifest_path.is_file():
        return None
    try:
        return _read_index(directory, location, state or _CorpusState.read(directory))
    except _Stale as exc:
        log.info("netqa: the index at %s is stale (%s); rebuilding", location, exc)
    except (OSError, EOFError, ValueError, KeyError, TypeError, IndexError, AttributeError, zipfile.BadZipFile) as exc:
        log.warning("netqa: ignoring the unreadable index at %s (%s: %s); rebuilding", location,
                    type(exc).__name__, exc)
    return None


class _Stale(Exception):
    """The saved index was built from other files or by another netqa."""


def _read_index(directory: Path, location: Path, state: _CorpusState) -> CorpusIndex:
    manifest = json.loads((location / _MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT_VERSION or manifest.get("netqa") != __version__:
        raise _Stale(f"format {manifest.get('format')}, netqa {manifest.get('netqa')}")
    if manifest.get("builder") != _builder():
        raise _Stale("built by different netqa code")
    if manifest.get("sources") != state.sources:
        changed = set(manifest.get("sources") or {}) ^ set(state.sources) or {
            rel for rel, digest in state.sources.items() if manifest["sources"].get(rel) != digest}
        raise _Stale(f"changed documents: {', '.join(sorted(changed)[:3])}")
    for name, digest in state.extras.items():
        if manifest.get(name, None) != digest:
            raise _Stale(f"{name} changed")
    for name in (_ARRAYS, _TABLES):
        if _file_sha256(location / name) != manifest["files"][name]:
            raise ValueError(f"{name} does not match the manifest's hash")

    tables = json.loads((location / _TABLES).read_text(encoding="utf-8"))
    with np.load(location / _ARRAYS, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    vocabularies = tables["vocabularies"]
    words = _Space.from_arrays("words", vocabularies["words"], arrays, by_column=True)
    chars = _Space.from_arrays("chars", vocabularies["chars"], arrays, by_column=True)
    sentences = _Space.from_arrays("sentences", vocabularies["sentences"], arrays, by_column=False)

    documents = _documents(directory, tables, arrays, state.raw)
    passages = tuple(p for doc in documents for p in doc.passages)
    if words.rows != len(passages) or chars.rows != len(passages) or \
            sentences.rows != sum(len(p.sentences) for p in passages):
        raise ValueError("the matrices do not match the passages")
    named = None
    if "names.idf" in arrays:
        names = _Space.from_arrays("names", vocabularies["names"], arrays, by_column=True)
        passage_document = arrays["passage.document"]
        if not (names.rows == len(documents) and passage_document.dtype == np.int64
                and len(passage_document) == len(passages)
                and (not len(passages) or 0 <= passage_document.min() and passage_document.max() < names.rows)):
            raise ValueError("the names arrays do not match the documents")
        named = (names, passage_document)
    settings = tables["settings"]
    index = PassageIndex(float(settings["word_weight"]), float(settings["char_weight"]))._set(
        passages, words, chars, sentences, named)
    abbreviations = tables["abbreviations"]
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in abbreviations.items()):
        raise ValueError("abbreviations must map text to text")
    skipped = tuple(Skipped(str(path), str(reason)) for path, reason in tables["skipped"])
    return CorpusIndex(directory, documents, passages, index, frozenset(tables["words"]),
                       frozenset(tables["stems"]), abbreviations, skipped)


def _documents(directory: Path, tables: dict, arrays: dict, raw: dict[str, bytes]) -> tuple[Document, ...]:
    """Documents whose passages and sentences are cut from the files' verified text by the saved offsets."""
    records, ids, sections = tables["documents"], tables["passages"]["id"], tables["passages"]["section"]
    shown = {int(i): str(text) for i, text in tables["passages"]["shown"].items()}
    kinds = {int(i): str(kind) for i, kind in tables["passages"]["kind"].items()}
    paths = [r["path"] for r in records]
    position = {rel: i for i, rel in enumerate(raw)}
    if any(rel not in position for rel in paths) or paths != sorted(paths, key=position.__getitem__):
        raise ValueError("the documents do not match the corpus files")
    texts = [str(r["text"]) if r["encoding"] is None else raw[r["path"]].decode(r["encoding"]) for r in records]
    pages = arrays["passage.page"].tolist()
    per_document, per_passage = arrays["document.passages"], arrays["passage.sentences"]
    p_start, p_end = arrays["passage.start"], arrays["passage.end"]
    s_start, s_end = arrays["sentence.start"], arrays["sentence.end"]
    if not (len(per_document) == len(records) and per_document.sum() == len(ids) == len(sections)
            == len(p_start) == len(p_end) == len(per_passage) == len(pages)
            and per_passage.sum() == len(s_start) == len(s_end)):
        raise ValueError("the passage tables do not fit together")
    # Every offset must fall inside its own document's text.
    length = np.repeat(np.array([len(t) for t in texts], dtype=np.int64), per_document)
    sentence_length = np.repeat(length, per_passage)
    if not (np.all((0 <= p_start) & (p_start <= p_end) & (p_end <= length))
            and np.all((0 <= s_start) & (s_start <= s_end) & (s_end <= sentence_length))):
        raise ValueError("an offset falls outside its document")

    p_start, p_end, s_start, s_end = p_start.tolist(), p_end.tolist(), s_start.tolist(), s_end.tolist()
    s_first = np.concatenate([[0], np.cumsum(per_passage)]).tolist()
    documents, p = [], 0
    for record, text, count in zip(records, texts, per_document.tolist(), strict=False):
        title, doc_id, path = str(record["title"]), str(record["id"]), str(record["path"])
        reads = shown_by(str(record["format"]))
        passages = []
        for i in range(p, p + count):
            sentences = tuple([Sentence(shown[k] if k in shown else reads(text[s_start[k]:s_end[k]]), s_start[k],
                                        s_end[k]) for k in range(s_first[i], s_first[i + 1])])
            passages.append(Passage(str(ids[i]), doc_id, title, str(sections[i]),
                                    " ".join(s.text for s in sentences), p_start[i], p_end[i], sentences, path,
                                    pages[i] or None, kinds.get(i, "text")))
        p += count
        documents.append(Document(doc_id, title, str(record["source"]), directory / path, text,
                                  tuple(passages), str(record["sha256"]), path, str(record["format"]),
                                  record["encoding"], str(record["names"])))
    return tuple(documents)

"""Search against the definition it speeds up: s = 0.7 cos(words) + 0.3 cos(chars), computed densely."""

from __future__ import annotations

import math
import random
from collections import Counter

import numpy as np
import pytest

from netqa import index as index_module
from netqa import kernels
from netqa.text import char_words, word_grams, word_terms

VOCABULARY = [f"{a}{b}" for a in ("tumor", "trial", "dose", "scan", "liver", "lung", "pancrea", "fatigue")
              for b in ("", "s", "al", "ing", "ed", "ic")]


def write_corpus(folder, documents: int, seed: int):
    """Documents of Zipf-distributed words: a few words are in most passages (common columns), most are rare."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(VOCABULARY))]
    for d in range(documents):
        paragraphs = ["\n".join(" ".join(rng.choices(VOCABULARY, weights, k=rng.randint(6, 30))) + "."
                                for _ in range(rng.randint(1, 3)))]
        (folder / f"doc{d:04d}.txt").write_text(f"Document {d}\n\n" + "\n\n".join(paragraphs) + "\n")


def dense(space) -> np.ndarray:
    matrix = np.zeros((space.rows, len(space.idf)))
    for col in range(len(space.idf)):
        start, end = space.indptr[col], space.indptr[col + 1]
        matrix[space.indices[start:end], col] = space.data[start:end]
    return matrix


def query_vector(space, groups) -> np.ndarray:
    """q_t = idf_t * sum_g w_g (1 + ln tf_t,g), L2-normalised: the definition, term by term."""
    q = np.zeros(len(space.idf))
    for terms, weight in groups:
        for term, n in Counter(t for t in terms if t in space.vocabulary).items():
            q[space.vocabulary[term]] += weight * (1 + math.log(n))
    q *= space.idf
    norm = np.linalg.norm(q)
    return q / norm if norm else q


def reference_search(index, questions: list[tuple[str, float]], k: int) -> list[tuple[int, float]]:
    word_q = query_vector(index.words_, [(word_terms(q), w) for q, w in questions])
    char_q = query_vector(index.chars_, [([g for word in char_words(q) for g in word_grams(word)], w)
                                         for q, w in questions])
    scores = index.word_weight * dense(index.words_) @ word_q + index.char_weight * dense(index.chars_) @ char_q
    ranked = sorted((row for row in range(len(scores)) if scores[row] > 0), key=lambda row: (-scores[row], row))
    return [(row, scores[row]) for row in ranked[:k]]


QUESTIONS = [
    [("Which tumors were scanned in the trial?", 1.0)],
    [("liver dose", 1.0)],
    [("fatigued lungs", 1.0), ("pancreatic trials", 0.4)],  # a second group, as lexicon expansions come
    [("tumr trail dosing livr", 1.0)],  # typos: only character n-grams match
    [("zebra", 1.0)],  # nothing in common with the corpus
]


@pytest.fixture(scope="module", params=[(200, 1), (60, 2)], ids=["200-documents", "60-documents"])
def built(request, tmp_path_factory):
    """A corpus where common columns (held back, then added for candidate rows) are in most questions."""
    documents, seed = request.param
    folder = tmp_path_factory.mktemp("zipf")
    write_corpus(folder, documents, seed)
    patch = pytest.MonkeyPatch()
    patch.setattr(index_module, "COMMON_POSTINGS", 25)
    yield index_module.build(folder).index
    patch.undo()


@pytest.mark.parametrize("questions", QUESTIONS, ids=lambda q: q[0][0])
@pytest.mark.parametrize("k", [1, 5, 20])
def test_search_finds_the_same_top_k_as_the_dense_definition(built, questions, k):
    patch = pytest.MonkeyPatch()
    patch.setattr(index_module, "COMMON_POSTINGS", 25)
    try:
        hits = built.search([(word_terms(q), w) for q, w in questions], [(char_words(q), w) for q, w in questions], k)
    finally:
        patch.undo()
    expected = reference_search(built, questions, k)
    assert [built.position_[h.passage.id] for h in hits] == [row for row, _ in expected]
    assert [h.score for h in hits] == pytest.approx([score for _, score in expected], rel=1e-9, abs=1e-12)


def test_the_common_columns_path_is_the_one_exercised(built):
    """Guard for the test above: in this corpus some columns are long enough to be held back."""
    assert built.words_.common is not None and built.chars_.common is not None


def test_a_question_with_no_known_term_finds_nothing(built):
    assert built.search([(word_terms("zebra"), 1.0)], [(char_words("qqq"), 1.0)], 5) == []


def test_top_rows_ranks_highest_first_and_breaks_ties_by_the_earlier_row():
    scores = np.array([0.0, 0.5, 0.9, 0.5, -1.0, 0.5, 0.1])
    assert kernels.top_rows(scores, 3).tolist() == [2, 1, 3]
    assert kernels.top_rows(scores, 10).tolist() == [2, 1, 3, 5, 6]  # only positive scores
    assert kernels.top_rows(scores, 0).tolist() == []
    assert kernels.top_rows(np.zeros(4), 2).tolist() == []

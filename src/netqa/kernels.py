"""The loops of a search that run once per posting or per row, compiled with numba.

A question reads tens of thousands of postings at 6,000 documents. Done with numpy, each
pass over them (gather, repeat, multiply, bincount) is a separate sweep through memory and a
separate call; here each loop is one sweep, and a call costs a microsecond, not tens.
Compiled code is cached (numba's `cache=True`) in the user's cache folder, not beside the module
inside the installed package (see netqa.cache), so only the first run after an install pays for compiling.
"""

from __future__ import annotations

import math

import numpy as np
from numba import config as numba_config
from numba import njit

from netqa.cache import compiled_cache

# NUMBA_CACHE_DIR, when set, wins; set before the functions below are defined, which is when numba picks the folder.
if not numba_config.CACHE_DIR:  # type: ignore[attr-defined]
    numba_config.CACHE_DIR = str(compiled_cache())  # type: ignore[attr-defined]


@njit(cache=True, nogil=True)
def query_vector(cols, group_sizes, group_weights, idf):
    """A query's columns (ascending) and weights q_t = idf_t * sum_g w_g * (1 + ln tf_t,g), L2-normalised.

    `cols` holds each group's terms looked up, group after group (`group_sizes` long each);
    -1 marks a term the corpus lacks.
    """
    groups = group_sizes.shape[0]
    keys = np.empty(cols.shape[0], np.int64)  # column * groups + group: sorting counts tf per group
    kept, start = 0, 0
    for g in range(groups):
        for i in range(start, start + group_sizes[g]):
            if cols[i] >= 0:
                keys[kept] = cols[i] * groups + g
                kept += 1
        start += group_sizes[g]
    keys = np.sort(keys[:kept])
    out_cols = np.empty(kept, np.int64)
    out_weights = np.zeros(kept)
    distinct, i = 0, 0
    while i < kept:
        j = i + 1
        while j < kept and keys[j] == keys[i]:
            j += 1
        col = keys[i] // groups
        if distinct == 0 or out_cols[distinct - 1] != col:
            out_cols[distinct] = col
            distinct += 1
        out_weights[distinct - 1] += group_weights[keys[i] % groups] * (1.0 + math.log(j - i))
        i = j
    norm = 0.0
    for i in range(distinct):
        out_weights[i] *= idf[out_cols[i]]
        norm += out_weights[i] * out_weights[i]
    if norm > 0.0:
        norm = math.sqrt(norm)
        for i in range(distinct):
            out_weights[i] /= norm
    return out_cols[:distinct], out_weights[:distinct]


@njit(cache=True, nogil=True)
def add_postings(indptr, indices, data, cols, weights, scores):
    """scores[r] += x_rt * w_t for every entry of every given column t of a by-column matrix.

    Columns are added in the given order, and each column's entries in row order, so the
    same question always sums in the same order.
    """
    for j in range(cols.shape[0]):
        weight = weights[j]
        for p in range(indptr[cols[j]], indptr[cols[j] + 1]):
            scores[indices[p]] += data[p] * weight


@njit(cache=True, nogil=True)
def row_dots(indptr, indices, data, rows, cols, weights):
    """sum_t x_rt * w_t over the given columns, for each given row of a by-row matrix.

    `cols` must be ascending (with `weights` in the same order), as each row's entries are:
    one merge of the two sorted lists per row.
    """
    out = np.zeros(rows.shape[0])
    for i in range(rows.shape[0]):
        r, j, total = rows[i], 0, 0.0
        for p in range(indptr[r], indptr[r + 1]):
            col = indices[p]
            while j < cols.shape[0] and cols[j] < col:
                j += 1
            if j == cols.shape[0]:
                break
            if cols[j] == col:
                total += data[p] * weights[j]
        out[i] = total
    return out


@njit(cache=True, nogil=True)
def top_rows(scores, k):
    """Rows of the k highest positive scores, highest first; of equal scores, the lower row first.

    One pass, keeping the best k so far in order: after the first few thousand rows, almost
    every row fails the first comparison.
    """
    k = max(0, min(k, scores.shape[0]))
    rows = np.empty(k, np.int64)
    best = np.empty(k)
    kept = 0
    if k == 0:
        return rows
    cut = 0.0  # a row must beat this: 0 until k rows are kept, then the k-th best (one compare a row)
    for r in range(scores.shape[0]):
        score = scores[r]
        if score <= cut:
            continue
        j = kept if kept < k else k - 1
        while j > 0 and best[j - 1] < score:
            best[j] = best[j - 1]
            rows[j] = rows[j - 1]
            j -= 1
        best[j] = score
        rows[j] = r
        if kept < k:
            kept += 1
        if kept == k:
            cut = best[k - 1]
    return rows[:kept]

"""Shuffles that keep a sequence's k-mer counts: the dinucleotide shuffle of attribution baselines and backgrounds.

Pure NumPy, in the data layer, so that ``train --background shuffle`` (data) and the ``shuffle``
baseline of attribution (interpretation) use the one implementation.
"""

from __future__ import annotations

import functools

import numpy as np


def dinucleotide_shuffle_order(symbols, rng: np.random.Generator) -> np.ndarray:
    """A random reordering of a sequence's positions that keeps every dinucleotide count.

    Altschul and Erickson's shuffle as an Eulerian walk: the symbols are vertices and every
    pair of neighbouring positions is an edge. For each symbol except the last one of the
    sequence a "last exit" edge is drawn so that these edges form a random tree pointing to
    the last symbol (Wilson's algorithm); the other exits are put in random order before it.
    Walking from the first symbol and always leaving by the next unused exit uses every edge
    once, so the result starts and ends with the same symbols and has exactly the same
    counts of every pair of neighbouring symbols.

    Parameters
    ----------
    symbols : array-like, shape=(length,)
        Any hashable symbols (integer codes, letters).
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray of int, shape=(length,)
        ``order`` such that ``symbols[order]`` is the shuffled sequence; a permutation of
        ``range(length)`` with ``order[0] == 0`` (other per-position arrays, such as a
        structure PWM, can be reordered along).
    """
    symbols = np.asarray(symbols)
    n = len(symbols)
    if n < 3:
        return np.arange(n)
    _, codes = np.unique(symbols, return_inverse=True)
    codes = codes.ravel()
    k = int(codes.max()) + 1
    # Edge e goes from codes[e] to codes[e + 1]; walking it emits position e + 1.
    by_vertex = np.argsort(codes[:-1], kind="stable")
    starts = np.concatenate([[0], np.cumsum(np.bincount(codes[:-1], minlength=k))])
    exits = [by_vertex[starts[v]:starts[v + 1]] for v in range(k)]
    last = int(codes[-1])

    in_tree = np.zeros(k, dtype=bool)
    in_tree[last] = True
    last_exit = np.full(k, -1)
    for vertex in range(k):
        # Random walk until the tree is reached; revisiting a vertex overwrites its exit,
        # which erases the loop (Wilson's algorithm).
        u = vertex
        while not in_tree[u]:
            edge = exits[u][rng.integers(len(exits[u]))]
            last_exit[u] = edge
            u = codes[edge + 1]
        u = vertex
        while not in_tree[u]:
            in_tree[u] = True
            u = codes[last_exit[u] + 1]

    ordered = []
    for vertex in range(k):
        edges = exits[vertex]
        if vertex == last:
            ordered.append(rng.permutation(edges))
        else:
            ordered.append(np.append(rng.permutation(edges[edges != last_exit[vertex]]), last_exit[vertex]))
    # Each vertex's exits, in the order the walk leaves by them, one after another (they start at ``starts``).
    return _euler_walk()(codes.astype(np.int64), np.concatenate(ordered).astype(np.int64), starts.astype(np.int64))


def _walk(codes, ordered, starts):
    """The positions in the order the walk emits them: from position 0, always the vertex's next unused exit."""
    n = len(codes)
    pointer = starts[:-1].copy()
    order = np.empty(n, dtype=np.int64)
    order[0] = 0
    u = codes[0]
    for step in range(1, n):
        edge = ordered[pointer[u]]
        pointer[u] += 1
        order[step] = edge + 1
        u = codes[edge + 1]
    return order


@functools.lru_cache(maxsize=1)
def _euler_walk():
    """:func:`_walk` compiled by numba (memelite's dependency) on first use, so importing motifnet stays quick."""
    import numba

    return numba.njit(cache=True, nogil=True)(_walk)


def dinucleotide_shuffle(symbols, rng: np.random.Generator) -> np.ndarray:
    """The sequence ``symbols`` shuffled with its dinucleotide counts kept (see
    :func:`dinucleotide_shuffle_order`)."""
    symbols = np.asarray(symbols)
    return symbols[dinucleotide_shuffle_order(symbols, rng)]


def kmer_shuffle(letters, k: int, rng: np.random.Generator) -> np.ndarray:
    """The sequence ``letters`` shuffled with the count of every k-mer kept (Altschul and Erickson for k=2).

    The walk of :func:`dinucleotide_shuffle_order` runs over the sequence's overlapping (k-1)-mers:
    each step follows a k-mer of the original, so the result has exactly its k-mer counts and
    starts with its first (k-1)-mer.

    Parameters
    ----------
    letters : array-like, shape=(length,)
        Symbols (bytes as uint8, integer codes).
    k : int
        1 permutes the letters; 2 keeps dinucleotides (the default of ``--shuffle-k``), 3 trinucleotides...
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray, shape=(length,)
    """
    letters = np.asarray(letters)
    n = len(letters)
    if k < 1:
        raise ValueError(f"k must be at least 1, received: {k}")
    if k == 1:
        return letters[rng.permutation(n)]
    if k == 2:
        return letters[dinucleotide_shuffle_order(letters, rng)]
    if n <= k:
        return letters.copy()  # a single k-mer: nothing to reorder
    # Vertex i is the (k-1)-mer starting at i, as one integer per vertex.
    width = k - 1
    _, codes = np.unique(letters, return_inverse=True)
    codes = codes.ravel().astype(np.int64)
    base = int(codes.max()) + 1
    vertices = np.zeros(n - width + 1, dtype=object if base ** width > 2**62 else np.int64)
    for offset in range(width):
        vertices = vertices * base + codes[offset:n - width + 1 + offset]
    order = dinucleotide_shuffle_order(vertices, rng)
    shuffled = np.empty_like(letters)
    shuffled[:width] = letters[order[0]:order[0] + width]
    shuffled[width:] = letters[order[1:] + width - 1]
    return shuffled

"""Connected components of a graph given as two arrays of edge ends (numpy union-find).

Merging crossing points (:mod:`borderzone.crossings.detect`) and joining the ways of a route
(:mod:`borderzone.crossings.attributes`) both label nodes by their component.
"""

from __future__ import annotations

import numpy as np


def components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Label each of ``n`` nodes by its connected component.

    Parameters
    ----------
    n
        Number of nodes, ``0`` to ``n - 1``.
    a, b
        The two ends of each edge.

    Returns
    -------
    numpy.ndarray
        For each node, the index of its component; components are numbered in the order of
        their lowest node.

    Examples
    --------
    >>> components(5, np.array([0, 3]), np.array([2, 4])).tolist()
    [0, 1, 0, 2, 2]
    """
    parent = np.arange(n)
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    while len(a):
        ra, rb = parent[a], parent[b]
        differ = ra != rb
        if not differ.any():
            break
        ra, rb = ra[differ], rb[differ]
        np.minimum.at(parent, np.maximum(ra, rb), np.minimum(ra, rb))
        while True:  # pointer jumping until every node points at its root
            nxt = parent[parent]
            if np.array_equal(nxt, parent):
                break
            parent = nxt
        a, b = a[differ], b[differ]
    return np.unique(parent, return_inverse=True)[1]

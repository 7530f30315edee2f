"""Tests of borderzone.crossings.graph: connected components by numpy union-find."""

import numpy as np
import pytest

from borderzone.crossings.graph import components


def test_components_are_numbered_by_their_lowest_node():
    labels = components(7, np.array([5, 3, 1, 0]), np.array([6, 0, 1, 5]))
    assert labels.tolist() == [0, 1, 2, 0, 3, 0, 0]


def test_no_edges_gives_one_component_per_node():
    assert components(3, np.array([], dtype=int), np.array([], dtype=int)).tolist() == [0, 1, 2]


def test_a_long_chain_is_one_component():
    n = 1000
    order = np.random.default_rng(0).permutation(n)
    labels = components(n, order[:-1], order[1:])
    assert (labels == 0).all()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_components_match_a_plain_search(seed):
    rng = np.random.default_rng(seed)
    n = 60
    a, b = rng.integers(0, n, 40), rng.integers(0, n, 40)
    labels = components(n, a, b)
    seen, expected, nxt = {}, [], 0
    adj = {i: set() for i in range(n)}
    for u, v in zip(a, b, strict=True):
        adj[int(u)].add(int(v))
        adj[int(v)].add(int(u))
    for start in range(n):
        if start in seen:
            continue
        stack = [start]
        while stack:
            u = stack.pop()
            if u not in seen:
                seen[u] = nxt
                stack.extend(adj[u])
        nxt += 1
    expected = [seen[i] for i in range(n)]
    assert labels.tolist() == expected

"""A typology of border segments: clusters of the per-segment metrics, labelled in words."""

import logging
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from borderzone.errors import InputDataError

log = logging.getLogger(__name__)

CLUSTER_COLUMNS = (
    "pop_density_km2",
    "road_km_per_km2",
    "rail_km_per_km2",
    "dist_road_crossing_km",
    "time_to_crossing_min",
    "time_to_town_min",
    "n_crossings",
)
"""Measures the segment typology clusters on (standardised)."""

LABEL_RULES: dict[str, dict[str, float]] = {
    "transit corridor": {
        "n_crossings": 1.0,
        "time_to_crossing_min": -1.0,
        "dist_road_crossing_km": -1.0,
        "main_road_km_per_km2": 0.5,
        "rail_km_per_km2": 0.5,
    },
    "isolated stretch": {
        "isolation_index": 1.0,
        "time_to_town_min": 0.5,
        "time_to_crossing_min": 0.5,
        "pop_density_km2": -1.0,
        "road_km_per_km2": -0.5,
    },
    "populated borderland": {
        "pop_density_km2": 1.0,
        "population": 1.0,
        "n_settlements": 0.5,
        "time_to_town_min": -0.5,
    },
    "rural road-served borderland": {
        "road_km_per_km2": 1.0,
        "share_within_road_km": 1.0,
        "track_km_per_km2": 0.5,
        "pop_density_km2": -0.5,
    },
}
"""Weights of the standardised profile columns that make each label's score."""

AVERAGE_LABEL = "average borderland"


def _standardise(metrics: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    missing = [c for c in columns if c not in metrics.columns]
    if missing:
        raise InputDataError(f"metrics lack column(s) {', '.join(missing)}")
    x = metrics[list(columns)].apply(pd.to_numeric, errors="coerce").to_numpy(float, copy=True)
    x[~np.isfinite(x)] = np.nan
    med = np.nanmedian(x, axis=0)
    med = np.where(np.isfinite(med), med, 0.0)
    x = np.where(np.isnan(x), med, x)
    sd = x.std(axis=0)
    return (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def _fit(z: np.ndarray, k: int, method: str, random_state: int) -> np.ndarray:
    if method == "kmeans":
        from sklearn.cluster import KMeans

        return KMeans(n_clusters=k, n_init=10, random_state=random_state).fit_predict(z)
    from sklearn.cluster import AgglomerativeClustering

    return AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(z)


def choose_k(
    z: np.ndarray,
    *,
    ks: Sequence[int] = range(2, 9),
    method: Literal["kmeans", "ward"] = "kmeans",
    random_state: int = 0,
) -> int:
    """Choose the number of clusters in ``ks`` with the highest mean silhouette (ties: fewer)."""
    from sklearn.metrics import silhouette_score

    best_k, best = None, -np.inf
    for k in ks:
        if not 2 <= k < len(z):
            continue
        labels = _fit(z, k, method, random_state)
        if len(np.unique(labels)) < 2:
            continue
        score = silhouette_score(z, labels)
        log.info("k=%d: silhouette %.3f", k, score)
        if score > best + 1e-12:
            best_k, best = k, score
    if best_k is None:
        raise ValueError(f"cannot choose k among {list(ks)} for {len(z)} rows")
    return best_k


def cluster_segments(
    metrics: pd.DataFrame,
    *,
    columns: Sequence[str],
    k: int | None = None,
    method: Literal["kmeans", "ward"] = "kmeans",
    random_state: int = 0,
) -> tuple[pd.Series, pd.DataFrame]:
    """Cluster segments on their metrics and label each cluster in plain words.

    The columns are standardised (z-scores; missing values take the column median), then
    clustered by k-means (``n_init=10``, seeded) or Ward's agglomerative clustering. When
    ``k`` is None it is the value in 2..8 with the highest mean silhouette. Clusters are
    numbered 0, 1, ... in the order they first occur in ``metrics``, so the same data and
    seed give the same numbers.

    Each cluster's label is chosen from its profile (the mean z-score of each column): the
    rule of :data:`LABEL_RULES` with the highest weighted score over the columns present,
    or ``"average borderland"`` when no score exceeds 0.25; labels used by several clusters
    get a suffix " (2)", " (3)" in order of cluster number.

    Parameters
    ----------
    metrics
        One row per segment (and side), e.g. from
        :func:`borderzone.metrics.segment.segment_metrics`.
    columns
        Numeric columns to cluster on.
    k
        Number of clusters; None chooses it by silhouette.
    method
        ``"kmeans"`` or ``"ward"``.
    random_state
        Seed of k-means.

    Returns
    -------
    cluster : pandas.Series
        Cluster number of each row, aligned to ``metrics``.
    profile : pandas.DataFrame
        One row per cluster: ``label``, ``n``, then the mean z-score of each column
        (suffix ``_z``) and its mean value.
    """
    if method not in ("kmeans", "ward"):
        raise ValueError(f"method must be 'kmeans' or 'ward', got {method!r}")
    if len(columns) == 0:
        raise ValueError("columns is empty")
    z = _standardise(metrics, columns)
    if k is None:
        k = choose_k(z, method=method, random_state=random_state)
    if not 1 <= k <= len(z):
        raise ValueError(f"k={k} must lie between 1 and the number of rows ({len(z)})")
    raw = _fit(z, k, method, random_state) if k > 1 else np.zeros(len(z), dtype=int)
    _, first = np.unique(raw, return_index=True)
    order = np.argsort(first)
    renumber = np.empty(len(order), dtype=int)
    renumber[np.unique(raw)[order]] = np.arange(len(order))
    labels = renumber[raw]
    cluster = pd.Series(labels, index=metrics.index, name="cluster")

    zf = pd.DataFrame(z, columns=[f"{c}_z" for c in columns], index=metrics.index)
    vals = metrics[list(columns)].apply(pd.to_numeric, errors="coerce")
    profile = pd.concat(
        [zf.groupby(labels).mean(), vals.groupby(labels).mean()], axis=1
    ).rename_axis("cluster")
    profile.insert(0, "n", np.bincount(labels))
    names = []
    for _, row in profile.iterrows():
        scores = {
            label: sum(w * row[f"{c}_z"] for c, w in rule.items() if c in columns)
            / max(sum(abs(w) for c, w in rule.items() if c in columns), 1e-12)
            for label, rule in LABEL_RULES.items()
            if any(c in columns for c in rule)
        }
        best = max(scores, key=lambda s: (scores[s], s)) if scores else AVERAGE_LABEL
        names.append(best if scores and scores[best] > 0.25 else AVERAGE_LABEL)
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            names[i] = f"{name} ({seen[name]})"
    profile.insert(0, "label", names)
    log.info("%d clusters: %s", k, "; ".join(f"{i}: {n}" for i, n in enumerate(names)))
    return cluster, profile

import numpy as np
import pandas as pd
import pytest

from borderzone.errors import InputDataError
from borderzone.metrics.typology import cluster_segments

COLUMNS = ["pop_density_km2", "time_to_crossing_min", "isolation_index", "n_crossings"]
CENTRES = {
    "populated borderland": [80.0, 60.0, 0.3, 0.0],
    "transit corridor": [5.0, 10.0, 0.4, 3.0],
    "isolated stretch": [1.0, 200.0, 0.9, 0.0],
}


def blobs(n: int = 40, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for centre in CENTRES.values():
        c = np.asarray(centre)
        rows.append(c + rng.normal(0, 0.03, (n, len(c))) * np.maximum(np.abs(c), 1))
    return pd.DataFrame(np.concatenate(rows), columns=COLUMNS)


def test_k_from_silhouette_is_the_number_of_blobs():
    cluster, profile = cluster_segments(blobs(), columns=COLUMNS)
    assert len(profile) == 3
    # one cluster per blob, numbered in order of first appearance
    assert cluster.tolist() == [0] * 40 + [1] * 40 + [2] * 40
    assert list(profile["label"]) == list(CENTRES)
    assert profile["n"].tolist() == [40, 40, 40]


def test_deterministic_for_a_seed():
    m = blobs(seed=5)
    a, pa = cluster_segments(m, columns=COLUMNS, k=4, random_state=3)
    b, pb = cluster_segments(m, columns=COLUMNS, k=4, random_state=3)
    assert a.equals(b)
    pd.testing.assert_frame_equal(pa, pb)
    w1, _ = cluster_segments(m, columns=COLUMNS, method="ward")
    assert w1.nunique() == 3


def test_missing_values_and_bad_columns():
    m = blobs()
    m.loc[3, "time_to_crossing_min"] = np.nan
    cluster, _ = cluster_segments(m, columns=COLUMNS, k=3)
    assert cluster.iloc[3] == 0
    with pytest.raises(InputDataError, match="nope"):
        cluster_segments(m, columns=["nope"])
    with pytest.raises(ValueError, match="method"):
        cluster_segments(m, columns=COLUMNS, method="dbscan")

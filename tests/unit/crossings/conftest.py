"""The synthetic worlds shared by the crossings tests, built once for the package."""

import pytest
from crossings_helpers import OUTLINES, run_world

from borderzone.io import read_countries


@pytest.fixture(scope="package", params=["seed0", "seed1", "rus_kaz"])
def synth_run(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"world_{request.param}")
    if request.param == "rus_kaz":  # the real outlines: 7,700 km, ~100 extra crossings
        countries = read_countries(OUTLINES, iso3=["RUS", "KAZ"])
        return run_world(out, 0, countries, ("RUS", "KAZ"))
    return run_world(out, int(request.param[-1]))

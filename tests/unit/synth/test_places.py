import shapely

from borderzone.border.zones import corridor_zone
from borderzone.synth.places import geonames_places


def test_geonames_places_near_the_rus_kaz_border(rus_kaz_border):
    line = rus_kaz_border["border"].geometry.iloc[0]
    corridor = corridor_zone(line, width_km=50)
    places = geonames_places(corridor, pair=["RUS", "KAZ"])
    assert set(places["iso3"]) == {"RUS", "KAZ"}
    assert 100 < len(places) < 300  # DATA.md: 164 GeoNames places within 50 km
    assert "Orsk" in set(places["name"])  # on the Ural, at the border
    zone = corridor.geometry.iloc[0]
    assert shapely.contains_xy(zone, places["lon"], places["lat"]).all()
    assert (places["population"] >= 500).all()
    assert places["geonameid"].is_monotonic_increasing


def test_no_places_for_user_assigned_codes(rus_kaz_border):
    corridor = corridor_zone(rus_kaz_border["border"].geometry.iloc[0], width_km=10)
    assert geonames_places(corridor, pair=["XAA", "XBB"]).empty

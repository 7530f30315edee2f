import pytest

from borderzone.osm.tags import SafeTags


class Way:
    """A stand-in with pyosmium's tag behaviour on a value that is not UTF-8."""

    id = 12

    class tags:  # noqa: N801 (pyosmium's attribute name)
        @staticmethod
        def get(key, default=None):
            if key == "name":
                raise UnicodeDecodeError("utf-8", b"Ab\xff", 2, 3, "invalid start byte")
            return {"highway": "track"}.get(key, default)

    def is_node(self):
        return False

    def is_way(self):
        return True


def test_bad_bytes_become_replacement_characters_and_the_object_is_counted_once():
    bad = []
    tags = SafeTags(Way(), bad)
    assert tags["name"] == "Ab\ufffd" and tags.get("name") == "Ab\ufffd"
    assert tags["highway"] == "track" and tags.get("missing") is None
    with pytest.raises(KeyError):
        tags["missing"]
    assert bad == ["way 12"]

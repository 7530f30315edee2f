"""OSM tags read safely: values that are not UTF-8 become U+FFFD, and are counted."""


class SafeTags:
    """An object's tags, read with U+FFFD in place of bytes that are not UTF-8.

    pyosmium decodes a tag value strictly; the error carries the raw bytes, decoded here
    with replacement. The first bad value of an object adds it (``"way 12"``) to ``bad``.
    """

    __slots__ = ("_obj", "_tags", "_bad", "_seen")

    def __init__(self, obj, bad: list[str]) -> None:
        self._obj = obj
        self._tags = obj.tags
        self._bad = bad
        self._seen = False

    def __contains__(self, key: str) -> bool:
        return key in self._tags

    def get(self, key: str, default: str | None = None) -> str | None:
        """Value of ``key`` (bytes that are not UTF-8 replaced), else ``default``."""
        try:
            return self._tags.get(key, default)
        except UnicodeDecodeError as exc:
            if not self._seen:
                self._seen = True
                self._bad.append(object_label(self._obj))
            return bytes(exc.object).decode("utf-8", errors="replace")

    def __getitem__(self, key: str) -> str:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value


def object_label(obj) -> str:
    """``"node 1"``, ``"way 2"`` or ``"relation 3"``."""
    if obj.is_node():
        return f"node {obj.id}"
    if obj.is_way():
        return f"way {obj.id}"
    return f"{'way' if obj.from_way() else 'relation'} {obj.orig_id()}"

"""Place names compared across Russian, English and transliterated spellings.

:func:`name_key` reduces a name to a key that the usual spellings of one name share: the
Russian «Соль-Илецкий район», the English "Sol-Iletsky District" and the transliterations
"Sol'-Iletskiy rayon" (BGN/PCGN) or "Solʹ-Ileckij rajon" (ISO 9) all give ``sol let``.

1. lower case, ``ё`` -> ``е``, the ISO 9 letters with diacritics written as the BGN/PCGN
   digraphs (``č`` -> ``ch``...), other diacritics dropped, apostrophes and prime marks
   (soft and hard signs) dropped;
2. Cyrillic letters to Latin by the BGN/PCGN table (:data:`BGN_PCGN`, Russian, without
   its diacritic marks; Kazakh letters beside it);
3. what spellings of one sound vary in folded to one: ``kh``/``x`` -> ``h``, a ``c``
   not in ``ch`` -> ``ts``, ``ye``/``yo``/``je`` -> ``e``, ``yu``/``ju`` -> ``u``,
   ``ya``/``ja`` -> ``a``, and every ``i``, ``y`` and ``j`` dropped (``-sky``, ``-skiy``,
   ``-skii``, ``-skij`` and ``-ий``/``-ый`` endings then agree);
4. words that say what kind of area it is (:data:`KIND_WORDS`: район, district, rayon,
   муниципальный, городской округ, область, край...) dropped, then the adjective ending
   ``sk`` (and ``ska``, ``skaa``, ``sko``, ``ske``, ``skoe``: the folded ``-ский``,
   ``-ская``, ``-ское``) cut from each word.

Exact matches are told apart by :func:`plain_name` (case, ``ё`` and blanks only).
"""

import re
import unicodedata

BGN_PCGN: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
    # Kazakh letters beyond the Russian alphabet
    "ә": "a", "ғ": "gh", "қ": "q", "ң": "ng", "ө": "o", "ұ": "u", "ү": "u", "һ": "h",
    "і": "i",
}  # fmt: skip
"""Cyrillic to Latin, BGN/PCGN romanisation of Russian (1947) without diacritic marks."""

ISO9_LETTERS: dict[str, str] = {
    "č": "ch", "š": "sh", "ž": "zh", "ŝ": "shch", "û": "yu", "â": "ya", "ë": "e", "è": "e",
    "ǵ": "g",
}  # fmt: skip
"""ISO 9 (GOST 7.79 A) letters with diacritics, written as the BGN/PCGN digraphs."""

KIND_WORDS: tuple[str, ...] = (
    "район", "rayon", "raion", "rajon", "district", "муниципальный", "municipal",
    "municipality", "городской", "gorodskoy", "urban", "округ", "okrug", "national",
    "национальный", "natsionalnyy", "область", "oblast", "region", "край", "krai", "kray",
    "республика", "republic", "respublika", "облысы", "oblysy", "р-н", "r-n",
)  # fmt: skip
"""Words that say what kind of area a name is; dropped from the key."""

_APOSTROPHES = re.compile("['’ʹʺʼ`ʻ″]")
_FOLDS = (
    ("kh", "h"),
    ("x", "h"),
    ("ye", "e"),
    ("yo", "e"),
    ("je", "e"),
    ("yu", "u"),
    ("ju", "u"),
    ("ya", "a"),
    ("ja", "a"),
)
_ENDING = re.compile(r"sk(?:a|aa|o|e|oe)?$")


def plain_name(name: str | None) -> str:
    """``name`` in lower case, ``ё`` as ``е``, blanks collapsed: what an exact match compares."""
    if not isinstance(name, str):
        return ""
    return " ".join(name.lower().replace("ё", "е").split())


def _folded(name: str) -> list[str]:
    text = plain_name(name)
    text = "".join(ISO9_LETTERS.get(ch, ch) for ch in text)
    text = _APOSTROPHES.sub("", text)
    text = "".join(BGN_PCGN.get(ch, ch) for ch in text)
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = re.sub(r"c(?!h)", "ts", text)
    for a, b in _FOLDS:
        text = text.replace(a, b)
    return re.sub(r"[iyj]", "", text).split()


_KIND_KEYS = frozenset(w for word in KIND_WORDS for w in _folded(word))


def name_key(name: str | None) -> str:
    """Return the key that the Russian, English and transliterated spellings share.

    Examples
    --------
    >>> name_key("Соль-Илецкий городской округ"), name_key("Sol'-Iletskiy")
    ('sol let', 'sol let')
    >>> name_key("Кош-Агачский район") == name_key("Kosh-Agachsky District")
    True
    >>> name_key("Дергачёвский район") == name_key("Dergachevskiy rayon")
    True
    """
    if not isinstance(name, str):
        return ""
    words = [w for w in _folded(name) if w not in _KIND_KEYS]
    return " ".join(_ENDING.sub("", w) or w for w in words)

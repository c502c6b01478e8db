"""Street-name normalisation: "N. Fifth Street", "north 5th st" and "5 St N" get one key.

Both the city's names and what residents type go through the same function, so the
rules only have to be consistent, not complete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import OSA

STREET_TYPES = {
    "st": "st", "street": "st", "str": "st", "stree": "st",
    "stret": "st", "steet": "st", "sreet": "st", "streeet": "st", "strret": "st",
    "ave": "ave", "av": "ave", "avenue": "ave", "avn": "ave", "aven": "ave",
    "avenu": "ave", "avnue": "ave", "avneue": "ave", "aveneu": "ave", "avenie": "ave",
    "blvd": "blvd", "boulevard": "blvd", "boul": "blvd", "bvd": "blvd",
    "boulavard": "blvd", "boulvard": "blvd", "bulevard": "blvd",
    "rd": "rd", "road": "rd", "raod": "rd",
    "dr": "dr", "drive": "dr", "drv": "dr", "drvie": "dr",
    "ln": "ln", "lane": "ln",
    "pl": "pl", "place": "pl",
    "ct": "ct", "court": "ct",
    "ter": "ter", "terr": "ter", "terrace": "ter",
    "pkwy": "pkwy", "parkway": "pkwy", "pky": "pkwy",
    "hwy": "hwy", "highway": "hwy",
    "sq": "sq", "square": "sq",
    "cir": "cir", "circle": "cir",
    "way": "way",
    "row": "row",
    "ext": "ext", "extension": "ext",
}  # fmt: skip
# Full words a typo in the type is checked against ("stret", "avenu", "boulavard").
_TYPE_WORDS = tuple(w for w in STREET_TYPES if len(w) >= 5)
DIRECTIONS = {
    "n": "n", "north": "n", "s": "s", "south": "s", "e": "e", "east": "e", "w": "w", "west": "w",
    "ne": "ne", "northeast": "ne", "nw": "nw", "northwest": "nw",
    "se": "se", "southeast": "se", "sw": "sw", "southwest": "sw",
}  # fmt: skip
# Before a name, not at its end: "St James Ave", "Mount Vernon St".
PREFIXES = {"saint": "st", "st": "st", "mount": "mt", "mt": "mt", "fort": "ft", "ft": "ft"}
ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20,
}  # fmt: skip
_ORDINAL_NUMBER = re.compile(r"^(\d+)(?:st|nd|rd|th)?$")
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class StreetKey:
    base: str  # "5th", "main", "mt vernon"
    type: str | None  # "st", "ave", ... or None ("Broadway", or a resident's "Main")
    direction: str | None  # "n", "sw", ...

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.direction, self.base, self.type) if p)


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def tokens(text: str) -> list[str]:
    # "O'Brien" and "Mc-Grath" read as one word; periods of abbreviations vanish.
    return _TOKEN.findall(re.sub(r"(?<=\w)['’\-.](?=\w)", "", text.casefold()))


def street_key(name: str) -> StreetKey:
    words = tokens(name)
    direction = None
    if len(words) >= 2 and words[-1] in DIRECTIONS:  # "Cross St E", "Fellsway W"
        direction, words = DIRECTIONS[words[-1]], words[:-1]
    if len(words) >= 2 and words[-1] not in STREET_TYPES and len(words[-1]) >= 5:
        # A misspelt type at the end ("Main Stret") still reads as the type.
        close = [w for w in _TYPE_WORDS if OSA.distance(words[-1], w) <= 1]
        if close:
            words = [*words[:-1], close[0]]
    street_type = None
    if len(words) >= 2 and words[-1] in STREET_TYPES:
        street_type, words = STREET_TYPES[words[-1]], words[:-1]
    if direction is None and len(words) >= 2 and words[0] in DIRECTIONS:  # "N Union St", not "North St"
        direction, words = DIRECTIONS[words[0]], words[1:]
    normal = [_word(w, i < len(words) - 1) for i, w in enumerate(words)]
    if len(normal) == 1:
        normal = [_single_base(normal[0])]
    return StreetKey(" ".join(normal), street_type, direction)


def _word(word: str, followed: bool) -> str:
    if followed and word in PREFIXES:
        return PREFIXES[word]
    if word in ORDINAL_WORDS:
        return ordinal(ORDINAL_WORDS[word])
    return STREET_TYPES.get(word, word) if word != "st" else word


def _single_base(word: str) -> str:
    # "5", "5th" and "fifth" are the same street when they are the whole name.
    match = _ORDINAL_NUMBER.match(word)
    return ordinal(int(match.group(1))) if match else word


def display_name(name: str) -> str:
    """A city's ALL-CAPS name as residents write it: "MT VERNON ST" -> "Mt Vernon St", "1ST ST" -> "1st St"."""
    name = " ".join(name.split())
    if name != name.upper():
        return name
    return " ".join(w.lower() if w[:1].isdigit() else w.capitalize() for w in name.split(" "))

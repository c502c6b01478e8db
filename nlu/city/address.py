"""Splitting an address typed as an address ("119 Central St", "Main and 5th",
"42 Clarendon Avenue Somerville, MA 02144, USA") into a LocationMention.

For the command line and postal-style strings; finding a place inside a resident's
free-text message, in any language, is the understanding step's job (nlu/location.py).
"""

from __future__ import annotations

import re

from nlu.city.index import CityIndex
from nlu.city.names import DIRECTIONS, STREET_TYPES
from nlu.city.types import GeocodeResult, LocationMention, Precision

_CORNER = re.compile(r"^\s*(?:the\s+)?corner\s+of\s+", re.IGNORECASE)
_CROSSING = re.compile(r"\s+(?:and|at|y|et|x|with)\s+|\s*(?:&|@|/|\+)\s*", re.IGNORECASE)
_LEADING_NUMBER = re.compile(r"^\d+\s")  # a house number, not an ordinal ("2nd St")
_NUMBER_FIRST = re.compile(r"^(?:no\.?\s*|#\s*)?(\d+[a-z]?)(?:\s*[-–]\s*\d+[a-z]?)?,?\s+(\D.*)$", re.IGNORECASE)
_NUMBER_LAST = re.compile(r"^(\D.*?),?\s+(?:no\.?\s*|#\s*)?(\d+[a-z]?)$", re.IGNORECASE)


def parse_address(text: str) -> LocationMention:
    written = " ".join(text.split())
    place, _, postal = written.partition(",")
    place = _CORNER.sub("", place).strip()
    parts = [p.strip() for p in _CROSSING.split(place) if p.strip()]
    if len(parts) == 2 and not any(_LEADING_NUMBER.match(p) for p in parts):
        return LocationMention(text=written, street=parts[0], cross_street=parts[1])
    number_first = _NUMBER_FIRST.match(place)
    number_last = _NUMBER_LAST.match(place)
    if number_first and not _only_type(number_first.group(2)):  # "5 St" is 5th St
        number, street = number_first.group(1), number_first.group(2)
    elif number_last and not _is_ordinal_street(place):
        street, number = number_last.group(1), number_last.group(2)
    else:
        number, street = None, place
    if postal:  # "... Clarendon Avenue Somerville, MA": the town follows the street type
        street = _without_town(street)
    return LocationMention(text=written, house_number=number, street=street or None)


def geocode_text(index: CityIndex, text: str) -> GeocodeResult:
    """Geocodes an address typed on its own; a name that is no street is tried as a landmark."""
    mention = parse_address(text)
    if mention.street and not (mention.house_number or mention.cross_street):
        # A landmark's whole name ("Central Park") beats the street inside it (Central St).
        landmark = index.geocode_landmark(mention.street, whole_name=True)
        if landmark.precision is not Precision.NONE:
            return landmark
    found = index.geocode(mention)
    if found.precision is Precision.NONE and mention.street and not mention.cross_street:
        return index.geocode(LocationMention(text=mention.text, landmark=mention.street))
    return found


def _only_type(words: str) -> bool:
    return words.casefold().strip(". ") in STREET_TYPES


def _is_ordinal_street(place: str) -> bool:
    # "Avenue 5" or "Route 28" name a street; only treat a trailing number as a house
    # number when something other than a street type word precedes it.
    words = place.split()
    return len(words) == 2 and words[0].casefold().strip(".") in STREET_TYPES


def _without_town(street: str) -> str:
    words = street.split()
    types = [i for i, w in enumerate(words) if i > 0 and w.casefold().strip(".") in STREET_TYPES]
    if not types:
        return street
    end = types[-1] + 1
    while end < len(words) and words[end].casefold().strip(".") in DIRECTIONS:
        end += 1
    return " ".join(words[:end])

"""Where the problem is, as the resident wrote it: house number and street, an
intersection, or a landmark, in each language's own word order.

Street names in US cities are written in English whatever the message's language
("enfrente del 230 de Elm Street", "Pine Ave 88号门口", "возле дома 45 Lincoln Blvd"),
so one set of street patterns serves every language; the words around them
(connectors, house-number markers, landmark nouns) are per language. Spelling is
corrected later, against the city's own street names, by the geocoder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_SUFFIXES = (
    "street|st|str|avenue|ave|av|boulevard|blvd|road|rd|drive|dr|lane|ln|way|place|pl|court|ct|terrace|ter|"
    "parkway|pkwy|highway|hwy|square|sq|circle|cir|row|plaza|plz|alley|aly|extension|ext|"
    # the street types residents misspell most on a phone keyboard
    "stret|steet|sreet|streeet|strret|avenu|avnue|avneue|aveneu|avenie|boulavard|boulvard|bulevard|raod|drvie"
)
_ORDINAL = r"\d{1,3}(?:st|nd|rd|th)"
_NAME_WORD = r"[A-Za-z][A-Za-z'.-]*"
# Words that never start or continue a street name, so "pepper on Main St" is "Main St".
_NOT_NAME = (
    r"(?!(?:and|on|at|the|in|of|de|del|la|el|en|to|from|near|by|is|are|a|an|my|our|y|e|et|sa|ng|na|"
    r"street|st|ave|avenue|corner|esquina|front|frente|devant|light|hole|pothole)(?![A-Za-z]))"
)
_PREFIX_WORD = rf"{_NOT_NAME}{_NAME_WORD}"
# Before the last word of a street name only capitalised words count ("Martin Luther
# King Blvd"), so the resident's own words stay out of it ("twou nan kwen Oak St").
_CAPITALISED = rf"{_NOT_NAME}(?-i:[A-Z])[A-Za-z'.-]*"
# "Elm Street", "mian st", "Martin Luther King Jr Blvd", "5th Ave", "3rd" (ordinals stand alone)
# Ends are "not a Latin letter" rather than \b: in "3rd Ave交叉口" the Chinese text that
# follows is a word character too.
_END = r"(?![A-Za-z0-9])"
# "E 16th St", "N Main St": a capital compass letter before the name (a lower-case "e"
# is Portuguese "and", so only the capital counts).
_DIRECTION = r"(?:(?-i:N|S|E|W|NE|NW|SE|SW)\.?\s+)?"
_STREET = (
    rf"(?<![A-Za-z0-9'.-]){_DIRECTION}(?:(?:{_CAPITALISED}|{_ORDINAL})\s+){{0,3}}(?:{_PREFIX_WORD}|{_ORDINAL})\s+"
    rf"(?:{_SUFFIXES}){_END}\.?"
    rf"|(?<![A-Za-z0-9]){_DIRECTION}{_ORDINAL}{_END}|(?<![A-Za-z])broadway{_END}"
)
_STREET_RE = re.compile(_STREET, re.IGNORECASE)
_NUMBER_MARKERS = r"(?:de\s+(?:la\s+)?|del\s+|da\s+|do\s+|,\s*|#\s*|no\.?\s*|n[º°]\s*)?"
# 230 Elm St | 230 de Elm Street | дом 45 Lincoln Blvd
_NUMBER_FIRST = re.compile(rf"(?<![\w-])(\d{{1,6}}[A-Za-z]?)(?=[\s,])\s*{_NUMBER_MARKERS}({_STREET})", re.IGNORECASE)
# Pine Ave 88号 | Main St 12번지 | Rua Oak St, 45
_STREET_FIRST = re.compile(
    rf"({_STREET})\s*(?:,|#|no\.?|n[º°]|number|numero|número|số|дом|д\.)?\s*(\d{{1,6}}[A-Za-z]?)(?=\s*(?:号|號|번지|번|호)|\b)",
    re.IGNORECASE,
)
# Word connectors need spaces around them ("e" is inside "de"); symbols and the
# connectors of scripts without spaces do not.
_WORD_CONNECTORS = r"and|at|y|e|et|ak|и|và|va|sa|with|con|com|com a|avec|с|و"
_TIGHT_CONNECTORS = r"&|@|/|和|与|與|跟|及|와|과|이랑|랑|하고|و|مع"
_STRONG = re.compile(r"\s*(?:&|@|/)\s*")
_SIDE = rf"(?:{_STREET}|(?<![A-Za-z0-9'.-]){_PREFIX_WORD})"
_INTERSECTION = re.compile(
    rf"({_SIDE})(\s+(?:{_WORD_CONNECTORS})\s+|\s*(?:{_TIGHT_CONNECTORS})\s*)({_SIDE})", re.IGNORECASE
)
_STOPWORDS = frozenset("of de del la el the на и y at on in to a".split())
_CORNER_MARKERS = re.compile(
    r"corner|intersection|esquina|cruce|interseccion|intersección|coin|carrefour|intersection|kwen|kwa|kanto|"
    r"interseksyon|kafou|перекрест|угол|углу|góc|goc|giao|nga tu|路口|交叉|交汇|拐角|교차|사거리|모퉁이|تقاطع|زاوية|"
    r"cruzamento|esquina|between|entre|ant|между|بين|사이|之间|pagitan|giua",
    re.IGNORECASE,
)
# Latin-script names must stand as words: "park" is not inside "parking", nor "pak" in "pakin".
_LANDMARKS = re.compile(
    r"(?:(?<![A-Za-zÀ-ÿ])|(?=[^A-Za-zÀ-ÿ]))(?:the\s+)?(?:public\s+)?"
    r"(?:library|school|elementary school|high school|park|playground|church|hospital|"
    r"post office|city hall|bus stop|train station|subway station|station|supermarket|grocery store|pharmacy|"
    r"community center|fire station|police station|gas station|laundromat|mall|ymca|stadium|"
    r"centro comunitario|centre communautaire|parc|sant kominot[eè]|pak|trung tam cong dong|"
    r"trung tâm cộng đồng|社区中心|活动中心|주민센터|커뮤니티 센터|المركز المجتمعي|مركز|"
    r"biblioteca|escuela|colegio|parque|iglesia|hospital|correo|parada de(?:l)? (?:autobus|autobús|bus|guagua)|"
    r"estacion|estación|supermercado|farmacia|ayuntamiento|alcaldia|alcaldía|"
    r"bibliothèque|bibliotheque|école|ecole|église|eglise|hôpital|hopital|arrêt de bus|arret de bus|mairie|gare|"
    r"bibliyotèk|bibliyotek|lekòl|lekol|legliz|lopital|estasyon|"
    r"aklatan|paaralan|eskwelahan|simbahan|ospital|parke|palengke|munisipyo|"
    r"библиотек\w*|школ\w*|парк(?:е|а|у|ом|и|ов)?(?![а-яё])|церкв\w*|больниц\w*|остановк\w*|вокзал\w*|магазин\w*|аптек\w*|"
    r"thư viện|thu vien|trường|truong|công viên|cong vien|nhà thờ|nha tho|bệnh viện|benh vien|trạm xe buýt|chợ|"
    r"escola|igreja|parada de ônibus|parada de onibus|ponto de ônibus|ponto de onibus|prefeitura|mercado|"
    r"图书馆|学校|公园|教堂|医院|邮局|市政厅|公交车站|公交站|车站|超市|药店|"
    r"도서관|학교|공원|교회|병원|우체국|시청|버스 정류장|정류장|역|마트|약국|"
    r"المكتبة|مكتبة|المدرسة|مدرسة|الحديقة|حديقة|الكنيسة|المسجد|مسجد|الجامع|المستشفى|مستشفى|موقف الباص|محطة)"
    r"(?:(?![A-Za-zÀ-ÿ])|(?<=[^A-Za-zÀ-ÿ]))",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class LocationText:
    """A location as written: spans of the message, not yet matched to the city."""

    text: str
    house_number: str | None = None
    street: str | None = None
    cross_street: str | None = None
    landmark: str | None = None


def find_location(message: str) -> LocationText | None:
    """The most specific location the message mentions, or None."""
    for pattern, number_group, street_group in ((_NUMBER_FIRST, 1, 2), (_STREET_FIRST, 2, 1)):
        match = pattern.search(message)
        if match and not _looks_like_time_or_date(match.group(number_group), message, match.start()):
            street = _tidy(match.group(street_group))
            return LocationText(match.group(0).strip(), house_number=match.group(number_group), street=street)
    intersection = _intersection(message)
    if intersection is not None:
        return intersection
    lone = _STREET_RE.search(message)
    if lone and not re.fullmatch(_ORDINAL, lone.group(0), re.IGNORECASE):
        return LocationText(lone.group(0).strip(), street=_tidy(lone.group(0)))
    landmark = _LANDMARKS.search(message)
    if landmark:
        return LocationText(landmark.group(0), landmark=landmark.group(0).strip())
    return None


def _intersection(message: str) -> LocationText | None:
    has_marker = _CORNER_MARKERS.search(message) is not None
    for match in _overlapping(_INTERSECTION, message):
        first, second = _tidy(match.group(1)), _tidy(match.group(3))
        if first.lower() in _STOPWORDS or second.lower() in _STOPWORDS:
            continue
        streetlike = sum(bool(_STREET_RE.fullmatch(side)) for side in (first, second))
        named = all(side[:1].isupper() or side[:1].isdigit() for side in (first, second))
        strong = _STRONG.fullmatch(match.group(2)) is not None
        # Plain words joined by "and" are not an intersection ("trash and recycling"):
        # it takes two street-like sides, or one plus a capitalised name, a "corner"
        # word, an ordinal or a symbol connector, or two capitalised names with a hint.
        if (
            streetlike == 2
            or (streetlike == 1 and (named or has_marker or strong or _is_ordinal(first) or _is_ordinal(second)))
            or (named and (has_marker or strong))
        ):
            return LocationText(match.group(0).strip(), street=first, cross_street=second)
    return None


def _overlapping(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Every match, including those that overlap ("out at Main and 5th" holds two)."""
    position = 0
    while (match := pattern.search(text, position)) is not None:
        yield match
        position = match.start() + 1


def _is_ordinal(text: str) -> bool:
    return re.fullmatch(rf"{_ORDINAL}(?:\s+(?:{_SUFFIXES})\.?)?", text, re.IGNORECASE) is not None


def _tidy(street: str) -> str:
    return " ".join(street.strip(" ,.").split())


def _looks_like_time_or_date(number: str, message: str, start: int) -> bool:
    before = message[max(0, start - 1) : start]
    return before in (":", "/")

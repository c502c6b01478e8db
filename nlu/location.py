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
    r"street|st|ave|avenue|corner|esquina|kanto|kwen|front|frente|devant|light|hole|pothole)(?![A-Za-z]))"
)
_PREFIX_WORD = rf"{_NOT_NAME}{_NAME_WORD}"
# Before the last word of a street name only capitalised words count ("Martin Luther
# King Blvd"), so the resident's own words stay out of it ("twou nan kwen Oak St").
# Capitalised particles belong to names ("De Long St", "Del Mar Ave", "La Salle St").
_CAPITALISED = rf"(?:(?-i:De|Del|La|Le|Van|Von|Du|Da)(?=\s+(?-i:[A-Z]))|{_NOT_NAME}(?-i:[A-Z])[A-Za-z'.-]*)"
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
    # The type first, as Spanish, French and Portuguese write it ("calle Elm", "rue Oak"),
    # and New York's lettered avenues ("Avenue U").
    rf"|(?<![A-Za-z0-9'.-])(?:calle|avenida|rue|rua|avenue|ave){_END}\s+(?-i:[A-Z])[A-Za-z'.-]*"
)
_STREET_RE = re.compile(_STREET, re.IGNORECASE)
# After a house number every word up to the street type is the name, capitalised or
# not ("77 west end ave").
_COMPASS = r"(?:(?:n|s|e|w|ne|nw|se|sw|north|south|east|west)\.?\s+)?"
_NUMBERED_STREET = (
    rf"{_COMPASS}(?:(?:{_PREFIX_WORD}|{_ORDINAL})\s+){{0,3}}(?:{_PREFIX_WORD}|{_ORDINAL})\s+(?:{_SUFFIXES}){_END}\.?"
    rf"|{_COMPASS}broadway{_END}|{_STREET}"
)
# "150-24" (Queens), "14Б"
_HOUSE_NUMBER = r"\d{1,6}(?:-\d{1,4})?[A-Za-zА-Яа-я]?"
_NUMBER_MARKERS = r"(?:de\s+(?:la\s+)?|del\s+|da\s+|do\s+|по\s+|đường\s+|duong\s+|,\s*|#\s*|no(?:\.|\s)\s*|n[º°]\s*)?"
# 230 Elm St | 230 de Elm Street | дом 45 Lincoln Blvd
_NUMBER_FIRST = re.compile(
    rf"(?<![A-Za-z0-9_-])({_HOUSE_NUMBER})(?=[\s,])\s*{_NUMBER_MARKERS}({_NUMBERED_STREET})", re.IGNORECASE
)
# Pine Ave 88号 | Main St 12번지 | Rua Oak St, 45
_STREET_FIRST = re.compile(
    rf"({_STREET})\s*(?:,|#|no\.?|n[º°]|number|numero|número|au num[eé]ro|nimewo|số|so|bilang|дом|д\.|رقم)?\s*"
    rf"({_HOUSE_NUMBER})(?=\s*(?:号|號|번지|번|호)|\b)",
    re.IGNORECASE,
)
# Word connectors need spaces around them ("e" is inside "de"); symbols and the
# connectors of scripts without spaces do not.
_WORD_CONNECTORS = (
    r"and|at|meets|crosses|cross|x|y|e|et|ak|kwaze|и|và|va|giao với|giao voi|với|voi|sa|with|con|com|com a|avec|с|و"
)
_TIGHT_CONNECTORS = r"&|@|/|和|与|與|跟|及|와|과|이랑|랑|하고|و|مع"
_STRONG = re.compile(r"\s*(?:&|@|/)\s*")
# Vietnamese and French letters count as letters: "tắt @ Huxley st" has no street "t".
_SIDE = rf"(?:{_STREET}|(?<![A-Za-z0-9À-ɏḀ-ỿ'.-]){_PREFIX_WORD})"
_AND = re.compile(
    r"\s*(?:and|y|et|ak|и|và|com a|com|con|with|avec|с|&|/|和|与|跟|이랑|랑|하고|과|와|مع|و)\s*", re.IGNORECASE
)
_AT_BEFORE = re.compile(r"(?:\bat|\bon|\bcorner of)\s*$", re.IGNORECASE)
# "calle Main y calle 5th", "شارع Dorchester مع شارع Holt": the word for "street"
# before a name belongs to neither side.
_STREET_WORD = r"(?:(?:calle|avenida|rua|rue|улица|ул\.|đường|duong|kalye|شارع)\s*)?"
_INTERSECTION = re.compile(
    rf"({_SIDE})(\s+(?:{_WORD_CONNECTORS})\s+|\s*(?:{_TIGHT_CONNECTORS})\s*){_STREET_WORD}({_SIDE})", re.IGNORECASE
)
# "Biscayne Blvd near the intersection with 79th St", "86th St у пересечения с Bay Pkwy"
_CROSSING_WORDS = (
    r"intersection|corner|crosses|cross|meets|cruza|cruce|kwaze|croise|hauteur|пересечени\w*|угла|угол|"
    r"перекрест\w*|nga tu|ngã tư|giao|تقاطع|kanto|interseksyon|intersecci[oó]n|esquina|cruzamento|"
    r"교차로|사거리|코너|路口|交叉口"
)
_NEAR_CORNER = re.compile(
    rf"({_STREET})[^.;!?\n]{{0,30}}?(?:{_CROSSING_WORDS})\s*"
    rf"(?:(?:with|of|con|com a|com|с|avec|de la|de|da|do|ng|مع)\s+)?{_STREET_WORD}({_SIDE})",
    re.IGNORECASE,
)
_STOPWORDS = frozenset("of de del la el the на и y at on in to a".split())
_CORNER_MARKERS = re.compile(
    r"corner|intersection|esquina|cruce|interseccion|intersección|coin|carrefour|intersection|kwen|kwa|kanto|"
    r"interseksyon|kafou|перекрест|угол|углу|góc|goc|giao|nga tu|路口|交叉|交汇|交界|拐角|교차|사거리|모퉁이|코너|"
    r"تقاطع|زاوية|angle|"
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
    r"bibliothèque|bibliotheque|bureau de poste|école|ecole|église|eglise|hôpital|hopital|"
    r"arrêt de bus|arret de bus|mairie|gare|"
    r"bibliyotèk|bibliyotek|klinik|lekòl|lekol|legliz|lopital|estasyon|arè bis|are bis|arè otobis|"
    r"aklatan|paaralan|eskwelahan|simbahan|ospital|parke|palengke|munisipyo|"
    r"библиотек\w*|школ\w*|парк(?:е|а|у|ом|и|ов)?(?![а-яё])|церкв\w*|церков\w*|больниц\w*|остановк\w*|вокзал\w*|магазин\w*|аптек\w*|"
    r"thư viện|thu vien|trường|truong|công viên|cong vien|nhà thờ|nha tho|bệnh viện|benh vien|trạm xe buýt|chợ|"
    r"posto de saúde|posto de saude|parquinho|clínica|clinica|"
    r"escola|igreja|parada de ônibus|parada de onibus|ponto de ônibus|ponto de onibus|prefeitura|mercado|"
    r"图书馆|学校|公园|教堂|医院|邮局|市政厅|公交车站|公交站|车站|超市|药店|"
    r"도서관|놀이터|학교|공원|교회|병원|우체국|시청|버스 정류장|정류장|역|마트|약국|"
    r"المكتبة|مكتبة|المدرسة|مدرسة|الحديقة|حديقة|الكنيسة|المسجد|مسجد|الجامع|المستشفى|مستشفى|موقف الباص|محطة)"
    r"(?:(?![A-Za-zÀ-ÿ])|(?<=[^A-Za-zÀ-ÿ]))",
    re.IGNORECASE,
)

# Shops and places known by their own name ("behind Dollar Tree", "enfrente de Family
# Dollar", "Safeway 后面", "H Mart 앞"): a capitalised Latin-script name right after a
# word that places something beside it, or right before such a word in the languages
# that put it after. Brand names stay in Latin script in every language.
_PLACE_NAME = r"(?-i:[A-Z][\w'’.-]*|\d+-[A-Z][\w'’-]*)(?:\s+(?:&\s+)?(?-i:[A-Z][\w'’.-]*)){0,3}"
_NOT_PLACE = re.compile(
    r"(?:my|our|his|her|their|the|this|that|it|i|me|you|mi|su|mon|ma|notre|mwen|nou|min|ko|nhà|nha)",
    re.IGNORECASE,
)
_BESIDE_BEFORE = (
    r"in front of|behind|next to|outside(?: of)?|near|across from|opposite|beside|"
    r"enfrente de(?:l)?|frente a(?:l)?|delante de(?:l)?|detr[aá]s de(?:l)?|atr[aá]s de(?:l)?|al lado de(?:l)?|"
    r"junto a(?:l)?|cerca de(?:l)?|afuera de(?:l)?|fuera de(?:l)?|"
    r"em frente (?:a|ao|à|da|do|de)|na frente d[aoe]|atr[aá]s d[aoe]|ao lado d[aoe]|perto d[aoe]|"
    r"devant|derri[eè]re|[aà] c[oô]t[eé] d[eu]|en face d[eu]|pr[eè]s d[eu]|"
    r"devan|d[eè]y[eè]|bò kote|bo kote|akote|toupre|anfas|"
    r"sa harap ng|sa likod ng|sa tabi ng|malapit sa|sa tapat ng|tapat ng|sa labas ng|"
    r"phía trước|phia truoc|trước|truoc|phía sau|phia sau|bên cạnh|ben canh|cạnh|gần|gan|đối diện|doi dien|"
    r"возле|около|у|напротив|рядом с|за|перед|"
    r"أمام|امام|قدام|خلف|وراء|ورا|بجانب|جنب|قرب|قريب من|مقابل|"
    # a shop's parking lot: "parking ng Seafood City", "estacionamento do Seabra"
    r"parking lot (?:of|at|ng|sa)|(?:parking|estacionamiento|estacionamento|pakin|paradahan|stasyonman)"
    r"(?: (?:of|at|de(?:l)?|do|da|du|ng|sa|nan))?|bãi đậu xe(?: của)?|bai dau xe(?: cua)?|"
    r"парковк\w*(?: у)?|стоянк\w*(?: у)?|магазин\w*|супермаркет\w*|موقف سيارات|موقف|"
    # "tiệm Pho Hoa": the shop's own name after the word for a shop
    r"tiệm|tiem|quán|nhà hàng|nha hang"
)
_BESIDE_AFTER = (
    r"parking lot|后面|後面|前面|门口|門口|旁边|旁邊|附近|对面|對面|门前|停车场|停車場|"
    r"앞|뒤|옆|근처|건너편|맞은편|주차장"
)
_NAMED_BEFORE = re.compile(
    rf"(?<![\w'])(?:{_BESIDE_BEFORE})\s+(?:the\s+|l['’]\s*|le\s+|la\s+)?({_PLACE_NAME})(?![\w'])", re.IGNORECASE
)
_NAMED_AFTER = re.compile(rf"(?<![A-Za-z0-9'])({_PLACE_NAME})\s*(?:{_BESIDE_AFTER})")


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
    named = _named_place(message)
    if named is not None:
        return LocationText(named, landmark=named)
    landmark = _LANDMARKS.search(message)
    if landmark:
        return LocationText(landmark.group(0), landmark=landmark.group(0).strip())
    return None


def _named_place(message: str) -> str | None:
    for pattern in (_NAMED_BEFORE, _NAMED_AFTER):
        for match in pattern.finditer(message):
            name = _tidy(match.group(1))
            if not _NOT_PLACE.fullmatch(name.split()[0]) and not _LANDMARKS.fullmatch(name):
                return name
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
        # "at Franklin and Grand": two names after "at" or "on" are a corner; so are two
        # plain words joined by "and" right beside a corner word ("угол emmons и nostrand").
        after_at = _AT_BEFORE.search(message, max(0, match.start() - 12), match.start()) is not None
        beside = (
            _AND.fullmatch(match.group(2)) is not None
            and not any(_CORNER_MARKERS.search(side) for side in (first, second))
            and _CORNER_MARKERS.search(message, max(0, match.start() - 14), min(len(message), match.end() + 6))
            is not None
        )
        hinted = has_marker or strong
        if (
            streetlike == 2
            or (streetlike == 1 and (named or hinted or _is_ordinal(first) or _is_ordinal(second)))
            or (named and (hinted or after_at))
            or beside
        ):
            return LocationText(match.group(0).strip(), street=first, cross_street=second)
    return _near_corner(message)


def _near_corner(message: str) -> LocationText | None:
    match = _NEAR_CORNER.search(message)
    if match is None:
        return None
    first, second = _tidy(match.group(1)), _tidy(match.group(2))
    if _STREET_RE.fullmatch(second) or second[:1].isupper():
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

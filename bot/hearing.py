"""From an inbound message and its understanding to what the engine hears: the place
geocoded against the city's streets, a pin or a photo's GPS reverse-geocoded, a typed
answer matched to the list it answers."""

from __future__ import annotations

import re
from dataclasses import replace

from rapidfuzz import fuzz, process

from bot.dialogue.heard import CategoryGuess, Heard, Intent, Place
from bot.dialogue.messages import GeoPoint, InboundMessage
from nlu.city import CityIndex, GeocodeResult, LocationMention, Precision
from nlu.understand import Understood

MAX_SUGGESTIONS = 3
# "1 3", "1, 3 and 4": several picks from a list ("choose all that apply").
_NUMBERS_ONLY = re.compile(r"^\s*\d{1,2}(?:\s*(?:[,;/&+]|\s|and|y|et|e|и|和|와)\s*\d{1,2})*\s*[.!]?\s*$", re.IGNORECASE)
_NUMBER = re.compile(r"\d{1,2}")
# "MUTE 311-000123" in the words residents use; CJK words have no spaces around them.
_MUTE = re.compile(
    r"(?<![a-z])(?:mute|silenciar|sourdine|silans|i-?mute|desativar avisos|"
    r"отключить уведомления|без уведомлений|tat thong bao|tắt thông báo)(?![a-z])|静音|免打扰|알림 ?끄기|كتم",
    re.IGNORECASE,
)
_CASE_NUMBER = re.compile(r"(?<!\d)311-?(\d{3,9})(?!\d)")
_CASE_CODE = re.compile(r"(?<!\d)311-?\d{3,9}\W+([A-Za-z2-7]{6})(?![A-Za-z0-9])")
# A typed answer must be this close to a button's label to count as pressing it.
LABEL_MATCH = 88


def hear(
    message: InboundMessage,
    understood: Understood,
    city: CityIndex | None,
    options: tuple[tuple[str, str], ...],
) -> Heard:
    intent = Intent(understood.intent.intent.value)
    choices = _choices(message, understood, options)
    if choices and intent not in (Intent.CHOICE, Intent.YES, Intent.NO):
        intent = Intent.CHOICE
    categories: tuple[CategoryGuess, ...] = ()
    if understood.category:
        categories = (
            CategoryGuess(understood.category, understood.category_confidence),
            *(CategoryGuess(code, p) for code, p in understood.alternatives),
        )
    heard = Heard(
        text=understood.text,
        language=understood.language.code,
        language_detected=understood.language.detected,
        intent=intent,
        choices=choices,
        target_language=understood.intent.language,
        categories=categories,
        emergency=understood.emergency.emergency,
        photos=tuple(photo.name for photo in message.photos),
        case_number=_case_number(understood.text),
        case_code=(code.group(1).upper() if (code := _CASE_CODE.search(understood.text)) else None),
        mute=_MUTE.search(understood.text) is not None,
    )
    if city is None:
        return heard
    if message.location is not None:
        return replace(heard, place=_pinned(city, message.location, "pin"))
    gps = next((photo.gps for photo in message.photos if photo.gps), None)
    if gps is not None:
        heard = replace(heard, photo_place=_pinned(city, gps, "photo"))
    if understood.location is not None and not choices:
        heard = _placed(heard, city, understood)
    return heard


def _choices(message: InboundMessage, understood: Understood, options: tuple[tuple[str, str], ...]) -> tuple[int, ...]:
    text = message.button_payload or understood.text
    if _NUMBERS_ONLY.match(text):
        return tuple(int(n) for n in _NUMBER.findall(text))
    if understood.intent.choice is not None:
        return (understood.intent.choice,)
    numbered = {label.casefold(): int(value) for label, value in options if value.isdigit()}
    if not numbered or not text.strip() or len(text) > 80:
        return ()
    found = process.extractOne(text.casefold(), list(numbered), scorer=fuzz.ratio, score_cutoff=LABEL_MATCH)
    return (numbered[found[0]],) if found else ()


def _case_number(text: str) -> str | None:
    found = _CASE_NUMBER.search(text)
    return f"311-{int(found.group(1)):06d}" if found else None


def _pinned(city: CityIndex, point: GeoPoint, precision: str) -> Place:
    found = city.reverse(point.lat, point.lon)
    label = _label(found) or f"{point.lat:.5f}, {point.lon:.5f}"
    return Place(label, precision, point.lat, point.lon, found.in_city, found.ward, found.neighborhood)


def _placed(heard: Heard, city: CityIndex, understood: Understood) -> Heard:
    written = understood.location
    assert written is not None
    mention = LocationMention(
        text=written.text,
        house_number=written.house_number,
        street=written.street,
        cross_street=written.cross_street,
        landmark=written.landmark,
    )
    found = city.geocode(mention)
    if found.precision is not Precision.NONE and found.lat is not None:
        return replace(heard, place=_place_of(found))
    suggestions = []
    for name in found.suggestions[:MAX_SUGGESTIONS]:
        option = city.geocode(LocationMention(text=name, house_number=written.house_number, street=name))
        if option.precision is not Precision.NONE:
            suggestions.append(_place_of(option))
    if suggestions:
        return replace(heard, place_suggestions=tuple(suggestions))
    return replace(heard, place_written=written.text)


def _place_of(found: GeocodeResult) -> Place:
    return Place(
        _label(found) or "", str(found.precision), found.lat, found.lon, found.in_city, found.ward, found.neighborhood
    )


def _label(found: GeocodeResult) -> str | None:
    if found.precision is Precision.ADDRESS and found.house_number and found.street:
        return f"{found.house_number} {found.street}"
    if found.precision is Precision.INTERSECTION and found.street and found.cross_street:
        return f"{found.street} & {found.cross_street}"
    if found.precision is Precision.LANDMARK and found.landmark:
        return found.landmark
    return found.street

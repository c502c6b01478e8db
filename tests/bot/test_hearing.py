"""From a message and its understanding to what the engine hears."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.app import AppServices
from bot.dialogue import Intent
from bot.dialogue.messages import GeoPoint, InboundMessage
from bot.hearing import hear
from nlu.city import CityIndex, city_index
from nlu.intents import Intent as NluIntent
from nlu.understand import Understanding

pytestmark = pytest.mark.usefixtures("demo_city")


@pytest.fixture
def city(services: AppServices) -> CityIndex:
    with services.sessions() as session:
        return city_index(session)


def message(text: str = "", **kwargs: object) -> InboundMessage:
    return InboundMessage("web", "s1", "m1", datetime.now(UTC), text=text, **kwargs)  # type: ignore[arg-type]


def test_engine_intents_are_the_understanding_intents() -> None:
    assert [i.value for i in Intent] == [i.value for i in NluIntent]


def test_address_is_geocoded_to_a_place(understanding: Understanding, city: CityIndex) -> None:
    text = "pothole in front of 1450 Oak St"
    heard = hear(message(text), understanding.understand(text), city, ())
    assert heard.place is not None and heard.place.label == "1450 Oak St" and heard.place.precision == "address"
    assert heard.categories[0].code == "pothole"


def test_misspelt_street_is_corrected_or_offered(understanding: Understanding, city: CityIndex) -> None:
    text = "streetlight out at 40 mian st"
    heard = hear(message(text), understanding.understand(text), city, ())
    offered = [heard.place.label] if heard.place else [p.label for p in heard.place_suggestions]
    assert any("Main St" in label for label in offered)


def test_unknown_place_is_kept_as_written(understanding: Understanding, city: CityIndex) -> None:
    text = "graffiti at 12 Zebulon Parkway"
    heard = hear(message(text), understanding.understand(text), city, ())
    assert heard.place is None and heard.place_written and "Zebulon" in heard.place_written


def test_pin_outside_the_city_is_marked(understanding: Understanding, city: CityIndex) -> None:
    heard = hear(message(location=GeoPoint(40.0, -75.0)), understanding.understand(""), city, ())
    assert heard.place is not None and heard.place.in_city is False and heard.place.precision == "pin"


def test_several_numbers_are_several_choices(understanding: Understanding, city: CityIndex) -> None:
    for text, choices in (("1 3", (1, 3)), ("2, 4 and 5", (2, 4, 5)), ("3", (3,))):
        heard = hear(message(text), understanding.understand(text), city, ())
        assert (heard.choices, heard.intent) == (choices, Intent.CHOICE)


def test_typed_label_picks_its_button(understanding: Understanding, city: CityIndex) -> None:
    options = (("It's out", "1"), ("It flickers", "2"), ("Talk to a person", "3"))
    heard = hear(message("it flickers"), understanding.understand("it flickers"), city, options)
    assert heard.choices == (2,) and heard.intent is Intent.CHOICE
    text = "the whole block is dark"
    unrelated = hear(message(text), understanding.understand(text), city, options)
    assert unrelated.choices == ()

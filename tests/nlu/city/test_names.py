"""Street names: normalisation and matching typed names against a city's names."""

from __future__ import annotations

import pytest

from nlu.city.matching import StreetMatcher
from nlu.city.names import display_name, street_key


@pytest.mark.parametrize(
    ("typed", "city"),
    [
        ("Main Street", "MAIN ST"),
        ("main st.", "Main St"),
        ("Fifth Avenue", "5th Ave"),
        ("5 Ave", "5th Ave"),
        ("5th avenue", "FIFTH AVE"),
        ("North Union Street", "N UNION ST"),
        ("n. union st", "N UNION ST"),
        ("Mount Vernon Street", "MT VERNON ST"),
        ("Saint James Avenue", "ST JAMES AVE"),
        ("Lincoln Boulevard", "Lincoln Blvd"),
        ("Cross Street East", "CROSS ST E"),
        ("Mcgrath Highway", "McGRATH HWY"),
        ("Somerville Avenue Extension", "SOMERVILLE AVE EXT"),
        ("Main Stret", "Main St"),  # a typo in the type still reads as the type
        ("twentieth st", "20th St"),
    ],
)
def test_written_forms_share_the_city_names_key(typed: str, city: str) -> None:
    assert street_key(typed) == street_key(city)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("North St", "N St"),  # "North" is the name here, not a direction
        ("Main St", "Main Ave"),
        ("5th St", "6th St"),
        ("E Albion St", "Albion St"),
    ],
)
def test_different_streets_keep_different_keys(one: str, other: str) -> None:
    assert street_key(one) != street_key(other)


def test_direction_type_and_base_are_separated() -> None:
    key = street_key("N. Fifth Street")
    assert (key.direction, key.base, key.type) == ("n", "5th", "st")
    assert street_key("Broadway").type is None


def test_display_names_read_naturally() -> None:
    assert display_name("MT VERNON ST") == "Mt Vernon St"
    assert display_name("1ST ST") == "1st St"
    assert display_name("McGREGOR AVE") == "McGREGOR AVE"  # mixed case is the city's choice


NAMES = ["Main St", "Maine Ave", "Elm St", "Elm Ct", "Central St", "5th St", "6th St", "Broadway", "Holland St"]
LENGTHS = [900.0, 300.0, 800.0, 80.0, 700.0, 600.0, 600.0, 2000.0, 500.0]


@pytest.fixture(scope="module")
def matcher() -> StreetMatcher:
    return StreetMatcher(NAMES, LENGTHS)


def names(matcher: StreetMatcher, text: str) -> list[str]:
    return [NAMES[i] for i in matcher.match(text).streets]


def test_exact_names_are_sure_and_need_no_suggestions(matcher: StreetMatcher) -> None:
    found = matcher.match("central street")
    assert names(matcher, "central street")[0] == "Central St"
    assert found.exact and found.confident and found.suggestions == ()


def test_a_bare_name_means_the_main_street_and_offers_the_others(matcher: StreetMatcher) -> None:
    found = matcher.match("Elm")
    assert [NAMES[i] for i in found.streets] == ["Elm St", "Elm Ct"]
    assert found.suggestions == ("Elm St", "Elm Ct")
    assert matcher.match("fifth").exact and names(matcher, "5")[0] == "5th St"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("mian st", "Main St"), ("Centrl Street", "Central St"), ("Holand St", "Holland St"), ("Brodway", "Broadway")],
)
def test_typos_are_corrected_with_the_correction_suggested_first(
    matcher: StreetMatcher, typed: str, meant: str
) -> None:
    found = matcher.match(typed)
    assert NAMES[found.streets[0]] == meant
    assert found.confident and not found.exact
    assert found.suggestions[0] == meant


def test_a_number_is_never_corrected_into_another(matcher: StreetMatcher) -> None:
    assert matcher.match("7th St").streets == ()


def test_unknown_names_find_nothing(matcher: StreetMatcher) -> None:
    assert matcher.match("Xylophone Rd").streets == ()
    assert matcher.match("").streets == ()
    assert matcher.match("!!").streets == ()


def test_stray_words_after_a_name_are_ignored(matcher: StreetMatcher) -> None:
    assert names(matcher, "Broadway Somerville")[0] == "Broadway"
    assert names(matcher, "Holland St please")[0] == "Holland St"


def test_the_wrong_type_finds_the_street_but_asks(matcher: StreetMatcher) -> None:
    found = matcher.match("Central Avenue")
    assert NAMES[found.streets[0]] == "Central St" and not found.exact
    assert found.suggestions == ("Central St",)

"""Addresses typed on their own (the CLI, postal strings) split into mentions."""

from __future__ import annotations

import pytest

from nlu.city import LocationMention, parse_address


@pytest.mark.parametrize(
    ("text", "number", "street", "cross"),
    [
        ("119 Central St", "119", "Central St", None),
        ("Pine Ave 88", "88", "Pine Ave", None),
        ("230 Elm Street", "230", "Elm Street", None),
        ("Main and 5th", None, "Main", "5th"),
        ("corner of Elm St & 3rd", None, "Elm St", "3rd"),
        ("Broadway @ Oak St", None, "Broadway", "Oak St"),
        ("Elm St / 2nd St", None, "Elm St", "2nd St"),
        ("5 St", None, "5 St", None),
        ("64-68 Broadway Somerville, MA 02145, USA", "64", "Broadway Somerville", None),
        ("42 Clarendon Avenue Somerville, MA 02144, USA", "42", "Clarendon Avenue", None),
        ("570 Somerville Ave Somerville, Massachusetts", "570", "Somerville Ave", None),
        ("Oak St", None, "Oak St", None),
    ],
)
def test_addresses_split_into_number_street_and_cross_street(
    text: str, number: str | None, street: str, cross: str | None
) -> None:
    assert parse_address(text) == LocationMention(text=text, house_number=number, street=street, cross_street=cross)


@pytest.mark.parametrize("text", ["", "   ", "\x00", "🙂", "12345", "a" * 10_000])
def test_odd_input_gives_a_mention_not_an_error(text: str) -> None:
    assert isinstance(parse_address(text), LocationMention)

"""Location mentions as residents write them, in each language's own word order."""

from __future__ import annotations

import pytest

from nlu.location import LocationText, find_location


def loc(text: str, number: str | None = None, street: str | None = None, cross: str | None = None,
        landmark: str | None = None) -> LocationText:  # fmt: skip
    return LocationText(text, house_number=number, street=street, cross_street=cross, landmark=landmark)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("huge pothole in front of 1450 Oak St", loc("1450 Oak St", "1450", "Oak St")),
        ("hay un bache enorme enfrente del 230 de Elm Street", loc("230 de Elm Street", "230", "Elm Street")),
        ("Pine Ave 88号门口路面有个大坑", loc("Pine Ave 88", "88", "Pine Ave")),
        ("уберите снег возле дома 45 Lincoln Blvd", loc("45 Lincoln Blvd", "45", "Lincoln Blvd")),
        ("streetlight out at 119 Central St.", loc("119 Central St.", "119", "Central St")),
        ("pothole at 12B Elm st", loc("12B Elm st", "12B", "Elm st")),
        ("lixo na calçada, 77 Washington St", loc("77 Washington St", "77", "Washington St")),
        ("Main St 12번지 앞에 쓰레기", loc("Main St 12", "12", "Main St")),
        ("theres a crater on main and 5th", loc("main and 5th", None, "main", "5th")),
        ("corner of Oak & Pine", loc("Oak & Pine", None, "Oak", "Pine")),
        ("Elm @ Broadway light is out", loc("Elm @ Broadway", None, "Elm", "Broadway")),
        ("esquina de Main y 5th", loc("Main y 5th", None, "Main", "5th")),
        ("the light at Elm St and 3rd is out", loc("Elm St and 3rd", None, "Elm St", "3rd")),
        ("在Oak St与3rd Ave交叉口有个坑", loc("Oak St与3rd Ave", None, "Oak St", "3rd Ave")),
        ("Main St과 5th Ave 교차로에 신호등 고장", loc("Main St과 5th Ave", None, "Main St", "5th Ave")),
        ("mian st has a big hole", loc("mian st", None, "mian st")),
        ("salt and pepper spilled on Main St", loc("Main St", None, "Main St")),
        ("trash all over in front of the library", loc("the library", landmark="the library")),
        ("basura frente a la biblioteca", loc("biblioteca", landmark="biblioteca")),
        ("图书馆门口有很多垃圾", loc("图书馆", landmark="图书馆")),
    ],
)
def test_finds_the_location_as_written(message: str, expected: LocationText) -> None:
    assert find_location(message) == expected


@pytest.mark.parametrize(
    "message",
    [
        "trash and recycling not picked up",
        "it has been 3 days now",
        "call me at 10:30 tomorrow",
        "the 2nd time I report this",
        "",
        "🙂🙂🙂",
        "rats rats rats",
    ],
)
def test_no_location_when_there_is_none(message: str) -> None:
    assert find_location(message) is None


def test_long_and_hostile_input_is_handled_quickly() -> None:
    assert find_location("a " * 5000 + "12 Elm St") == loc("12 Elm St", "12", "Elm St")
    assert find_location("<script>alert(1)</script> 5 Main St") == loc("5 Main St", "5", "Main St")

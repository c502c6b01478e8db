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
        # Shops known by their own names, before or after the word that places them
        ("someone dumps mattresses behind Dollar Tree", loc("Dollar Tree", landmark="Dollar Tree")),
        ("banqueta levantada enfrente de Family Dollar", loc("Family Dollar", landmark="Family Dollar")),
        ("有人在 Safeway 后面乱扔床垫", loc("Safeway", landmark="Safeway")),
        ("H Mart 주차장에 유리 조각이 많아요", loc("H Mart", landmark="H Mart")),
        ("vit kase toupatou nan pakin Sedano's la", loc("Sedano's", landmark="Sedano's")),
        ("broken glass all over the Walgreens parking lot", loc("Walgreens", landmark="Walgreens")),
        ("trash in front of my house", None),
        # The type before the name; lettered avenues; lower-case names after a number
        ("hay una fuga de agua en la calle Elm 1120", loc("calle Elm 1120", "1120", "calle Elm")),
        ("fuite d'eau devant chez moi au 3040 rue Oak", loc("3040 rue Oak", "3040", "rue Oak")),
        ("граффити на стене дома 1205 Avenue U", loc("1205 Avenue U", "1205", "Avenue U")),
        ("abandoned car outside 77 west end ave", loc("77 west end ave", "77", "west end ave")),
        ("égout bouché devant le 9 nostrand ave", loc("9 nostrand ave", "9", "nostrand ave")),
        ("тротуар разбит перед домом 14Б Ellsworth Ln", loc("14Б Ellsworth Ln", "14Б", "Ellsworth Ln")),
        ("мусор у дома 32 по Whitaker St", loc("32 по Whitaker St", "32", "Whitaker St")),
        # Corners in more connectors
        ("traffic light stuck on red at Franklin and Grand", loc("Franklin and Grand", None, "Franklin", "Grand")),
        ("paint faded where hawthorne meets 22nd st", loc("hawthorne meets 22nd st", None, "hawthorne", "22nd st")),
        (
            "ngập nước ở ngã tư Pellham Blvd với Winslow St",
            loc("Pellham Blvd với Winslow St", None, "Pellham Blvd", "Winslow St"),
        ),
        ("đèn đường tắt @ Huxley st và Bonner st", loc("Huxley st và Bonner st", None, "Huxley st", "Bonner st")),
        (
            "الإنارة طافية عند تقاطع شارع Dorchester مع شارع Holt",
            loc("Dorchester مع شارع Holt", None, "Dorchester", "Holt"),
        ),
        ("burado ang lane sa kanto ng Lombard at W 18th", loc("Lombard at W 18th", None, "Lombard", "W 18th")),
        ("Vermont랑 Olympic 코너에 큰 구멍이 생겼어요", loc("Vermont랑 Olympic", None, "Vermont", "Olympic")),
        # Compass words, Queens numbers, the number after the street with its marker
        ("streetlight out outside 45 w 18th st", loc("45 w 18th st", "45", "w 18th st")),
        ("drain clogged infront of 2040 North Broadway", loc("2040 North Broadway", "2040", "North Broadway")),
        ("Northern Blvd 150-24 건물 벽에 낙서", loc("Northern Blvd 150-24", "150-24", "Northern Blvd")),
        ("我家门口路灯坏了，地址是1520 Clement St", loc("1520 Clement St", "1520", "Clement St")),
        (
            "voiture abandonnée sur Flatbush Ave au numéro 2310",
            loc("Flatbush Ave au numéro 2310", "2310", "Flatbush Ave"),
        ),
        ("سيارة متروكة في شارع Ford Rd رقم 13900", loc("Ford Rd رقم 13900", "13900", "Ford Rd")),
        # A street, then the one it crosses, named after a word for crossing
        (
            "lampadaires éteints sur Biscayne Blvd à la hauteur de 79th St",
            loc("Biscayne Blvd à la hauteur de 79th St", None, "Biscayne Blvd", "79th St"),
        ),
        (
            "разметка стерлась на 86th St у пересечения с Bay Pkwy",
            loc("86th St у пересечения с Bay Pkwy", None, "86th St", "Bay Pkwy"),
        ),
        (
            "Valley Blvd 跟 Del Mar Ave 交叉口的路灯",
            loc("Valley Blvd 跟 Del Mar Ave", None, "Valley Blvd", "Del Mar Ave"),
        ),
        # Plain lower-case names joined by "and" right beside a corner word
        ("затопило угол emmons и nostrand", loc("emmons и nostrand", None, "emmons", "nostrand")),
        ("alagou tudo na esquina da union com a chestnut", loc("union com a chestnut", None, "union", "chestnut")),
        (
            "traffic light stuck on red at Galloway Rd & N Tillman Ave",
            loc("Galloway Rd & N Tillman Ave", None, "Galloway Rd", "N Tillman Ave"),
        ),
        (
            "malaking lubak sa intersection ng Carver Ave at Dewey Rd",
            loc("Carver Ave at Dewey Rd", None, "Carver Ave", "Dewey Rd"),
        ),
    ],
)
def test_finds_the_location_as_written(message: str, expected: LocationText | None) -> None:
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
        "trottoir défoncé, quelqu'un va se blesser",
    ],
)
def test_no_location_when_there_is_none(message: str) -> None:
    assert find_location(message) is None


def test_long_and_hostile_input_is_handled_quickly() -> None:
    assert find_location("a " * 5000 + "12 Elm St") == loc("12 Elm St", "12", "Elm St")
    assert find_location("<script>alert(1)</script> 5 Main St") == loc("5 Main St", "5", "Main St")

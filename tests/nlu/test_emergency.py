"""The emergency phrase lexicon: recall first, but no alarm for what only looks alarming."""

from __future__ import annotations

import pytest

from nlu.emergency import is_routine_context, matches_emergency_phrase


@pytest.mark.parametrize(
    "text",
    [
        "I smell gas in my building",
        "GAS LEAK on Elm st!!!",
        "the gas station is on fire",
        "power line down and sparking on Oak Ave",
        "huele a gas en todo el edificio",
        "hay un incendio en la casa de al lado",
        "ça sent le gaz dans l'immeuble",
        "gen dife nan kay vwazen an",
        "gen yon moun ki san konesans nan pak la",
        "may sunog sa kanto ng Main",
        "пахнет газом в подъезде",
        "горит дом на Lincoln Blvd",
        "có mùi gas nồng nặc trong nhà",
        "楼道里煤气味很重",
        "暴风雨后有根带电的电线横在路上",
        "가스 냄새가 심하게 나요",
        "옆집에 불이 났어요",
        "في رائحة غاز قوية في العمارة",
        "tem um cheiro de gás forte na cozinha",
        "acidente com feridos na esquina",
    ],
)
def test_emergency_phrases_in_every_language(text: str) -> None:
    assert matches_emergency_phrase(text)


@pytest.mark.parametrize(
    "text",
    [
        "the fire hydrant on Oak St is leaking",
        "el hidrante de incendios gotea poquito",
        "le feu rouge est en panne au coin de Main",
        "фонарь не горит уже неделю",
        "가로등 불이 안 켜져요",
        "the wire hanging from the pole is not sparking",
        "lots of litter at the gas station on Route 9",
        "smoke shop plays loud music every night",
        "đèn đường bị cháy bóng rồi",
        "Sheridan Rd has a pothole",
        "la tienda de humo pone música alta",
    ],
)
def test_phrases_that_only_look_alarming(text: str) -> None:
    assert not matches_emergency_phrase(text)


@pytest.mark.parametrize(
    "text",
    ["someone wrote FIRE in graffiti on the school wall", "有人在墙上涂鸦写了个火字", "debris from a crash last week"],
)
def test_routine_context(text: str) -> None:
    assert is_routine_context(text)

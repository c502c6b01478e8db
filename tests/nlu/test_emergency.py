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
    [
        "someone wrote FIRE in graffiti on the school wall",
        "有人在墙上涂鸦写了个火字",
        "debris from a crash last week",
        "pixaram FOGO no muro da escola",
        "ainda tem pedaco de um acidente antigo no acostamento",
    ],
)
def test_routine_context(text: str) -> None:
    assert is_routine_context(text)


@pytest.mark.parametrize(
    "text",
    [
        # Harm denied in the same message: "nobody hurt", "everyone is fine"
        "alguien choco contra el letrero y lo tumbo, nadie salio herido",
        "le panneau stop a été renversé par une voiture, personne de blessé",
        "路口的限速牌被车撞歪了，没人受伤",
        "naipit yung kotse ko sa snow pero okay naman kami lahat",
        "mi carro quedo atrapado por la nieve, estamos todos bien",
        # Smoke with its harmless source
        "le voisin fait son barbecue tous les soirs, la fumée rentre chez moi",
        "соседи жарят шашлыки, весь дым идет к нам в окна",
        "옆집 바베큐 연기가 주말마다 우리집으로 들어와요",
        "vizinho faz churrasco todo dia e a fumaça entra na minha casa",
        "the streetlight has been burning all day for a week",
        # Bills and prices
        "conta de gás veio absurda esse mês",
        "цены на коммуналку просто огонь, счет за газ в два раза больше",
        "الاسعار نار والايجارات مجنونة",
        # A chirping alarm, a light left on, denied sparks in Chinese and Korean
        "alam lafimen nan bibliyotek la ap sonnen chak minit, se pil la ki fini",
        "o poste da rua ta aceso o dia todo queimando energia a toa",
        "电线垂得很低,不过没冒火花也没断",
        "전깃줄이 좀 처져 있는데 끊어지거나 불꽃 튀는 건 없어요",
    ],
)
def test_denied_harm_and_harmless_smoke(text: str) -> None:
    assert not matches_emergency_phrase(text)


@pytest.mark.parametrize(
    "text",
    [
        # A denial of harm does not cancel a hazard; a barbecue does not excuse a fire.
        "car crashed into the pole, nobody hurt, but I smell gas",
        "the neighbour's grill set the fence on fire",
        "se vino abajo la zanja y hay un trabajador enterrado",
        "inatake ata sa puso si tatay sa bus stop",
        "мужчине стало плохо на остановке, схватился за сердце",
        "마트 주차장 차 안에 애기 혼자 있어요",
        "сбили пешехода на перекрестке, он весь в крови",
    ],
)
def test_hazards_stay_emergencies(text: str) -> None:
    assert matches_emergency_phrase(text)


def test_a_word_that_denies_in_one_language_is_a_plain_word_in_another() -> None:
    # Portuguese "no" is "in the", not "no".
    text = "cheiro de produto quimico no condominio, varias pessoas com falta de ar"
    assert matches_emergency_phrase(text, "pt")
    assert not matches_emergency_phrase("no one trapped, the elevator is just out of order", "en")


@pytest.mark.parametrize(
    "text",
    [
        # Described by what is seen, not by a keyword; some phrases hold their own denial.
        "my neighbor is lying at the bottom of the stairs and she wont answer me",
        "mi vecina esta tirada en la escalera y no me contesta",
        "there's a woman on the wrong side of the railing on the bridge, crying",
        "con tui nuot cuc keo bi nghen ko tho duoc",
        "아빠가 땅콩 먹고 입술이 퉁퉁 부어서 숨쉬기 힘들어해요",
        "عامل النظافة طاح من الحر وما يرد",
        "um moco ta do lado de fora da grade da ponte, parece que vai pular",
    ],
)
def test_situations_described_indirectly(text: str) -> None:
    assert matches_emergency_phrase(text)


def test_a_word_inside_another_word_is_not_the_word() -> None:
    # "غصن" (a branch) begins with "غص" (choked).
    assert not matches_emergency_phrase("غصن شجرة وقع على الرصيف، ما حدا انصاب", "ar")

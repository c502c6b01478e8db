"""`intake-bot geocode`: one JSON object per call."""

from __future__ import annotations

import json

import pytest

from bot.app import AppServices
from tests.nlu.city.conftest import run_city, run_geocode
from tests.nlu.city.test_import import DEMO_IMPORT

KEYS = ["lat", "lon", "precision", "street", "cross_street", "ward", "neighborhood", "in_city", "suggestions"]


def geocoded(*args: str) -> dict[str, object]:
    result = run_geocode(args)
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert list(shown) == KEYS
    return shown


@pytest.mark.usefixtures("cli_env")
def test_geocode_uses_the_demo_city_on_a_fresh_store(services: AppServices) -> None:
    shown = geocoded("119 Central St")
    assert shown["precision"] == "address" and shown["street"] == "Central St"
    assert shown["in_city"] is True and shown["ward"] == "Ward 1" and shown["suggestions"] == []
    assert isinstance(shown["lat"], float) and isinstance(shown["lon"], float)


@pytest.mark.usefixtures("cli_env")
def test_geocode_forms(services: AppServices) -> None:
    assert run_city(DEMO_IMPORT).exit_code == 0
    crossing = geocoded("Main and 5th")
    assert (crossing["precision"], crossing["street"], crossing["cross_street"]) == (
        "intersection",
        "Main St",
        "5th St",
    )
    typo = geocoded("mian", "st")  # words need no quotes
    assert (typo["precision"], typo["street"], typo["suggestions"]) == ("street", "Main St", ["Main St"])
    landmark = geocoded("City Hall")
    assert landmark["precision"] == "landmark" and landmark["neighborhood"] == "Downtown"
    nothing = geocoded("Xylophone Road")
    assert nothing == dict.fromkeys(KEYS) | {"precision": "none", "in_city": False, "suggestions": []}


@pytest.mark.usefixtures("cli_env")
def test_geocode_reverse(services: AppServices) -> None:
    inside = geocoded("--reverse", "42.3887", "-71.1005")  # a negative longitude is a value, not an option
    assert (inside["lat"], inside["lon"]) == (42.3887, -71.1005)
    assert inside["precision"] == "address" and inside["street"] == "5th St" and inside["in_city"] is True
    assert (inside["ward"], inside["neighborhood"]) == ("Ward 2", "Downtown")
    outside = geocoded("--reverse", "42.36", "-71.06")
    assert outside["in_city"] is False and outside["precision"] == "none" and outside["ward"] is None


@pytest.mark.usefixtures("cli_env")
def test_geocode_needs_exactly_one_question(services: AppServices) -> None:
    assert run_geocode([]).exit_code == 2
    assert run_geocode(["Main St", "--reverse", "42.3", "-71.1"]).exit_code == 2
    assert run_geocode(["--reverse", "42.3"]).exit_code == 2
    assert run_geocode(["--reverse", "north", "west"]).exit_code == 2

"""The real Somerville, MA data (../shared/data; skipped when absent).

Somerville publishes no house-number ranges, so addresses land somewhere on their
street (precision "street"); the figures below are what that is worth.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from bot.app import AppServices
from nlu.city import CityIndex, CitySources, LocationMention, Precision, city_index, geocode_text, read_city
from nlu.city.names import street_key
from tests.conftest import shared_data
from tests.nlu.city.conftest import metres, run_city


def somerville_sources() -> CitySources:
    folder = shared_data("city", "somerville")
    return CitySources(
        streets=folder / "streets.geojson",
        street_name_field="STNAME",
        wards=folder / "wards.geojson",
        ward_field="Ward",
        neighborhoods=folder / "neighborhoods.geojson",
        neighborhood_field="title",
        boundary=folder / "somerville_outline.geojson",
    )


def dev_addresses() -> list[dict[str, object]]:
    path = shared_data("eval", "somerville_addresses_dev.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def somerville() -> CityIndex:
    return CityIndex(read_city(somerville_sources()))


def names_street(address: str, street: str | None) -> bool:
    """Whether the address names this street: "42 Clarendon Avenue Somerville, MA" names Clarendon Ave."""
    words = address.split(",")[0].split()[1:]
    wanted = street_key(street or "")
    return any(street_key(" ".join(words[:end])) == wanted for end in range(1, len(words) + 1))


@pytest.mark.usefixtures("cli_env")
def test_import_somerville_through_the_cli_and_geocode_its_real_addresses(services: AppServices) -> None:
    sources = somerville_sources()
    result = run_city(
        [
            "import",
            "--streets", str(sources.streets), "--street-name-field", "STNAME",
            "--wards", str(sources.wards), "--ward-field", "Ward",
            "--neighborhoods", str(sources.neighborhoods), "--neighborhood-field", "title",
            "--boundary", str(sources.boundary),
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2243 street segments" in result.output and "7 wards, 13 neighbourhoods, a boundary" in result.output
    assert "56 segments without a name skipped" in result.output

    with services.sessions() as session:
        index = city_index(session)

    rows = dev_addresses()
    recognised = within_1km = with_ward = 0
    distances: list[float] = []
    for row in rows:
        found = geocode_text(index, str(row["address"]))
        assert found.precision is Precision.STREET, row["address"]  # no ranges in Somerville's data
        assert found.lat is not None and found.lon is not None and found.in_city
        recognised += names_street(str(row["address"]), found.street)
        distance = metres(float(row["lat"]), float(row["lon"]), found.lat, found.lon)  # type: ignore[arg-type]
        distances.append(distance)
        within_1km += distance <= 1000
        with_ward += found.ward is not None
    n = len(rows)
    figures = (
        f"Somerville dev addresses: {n}; street recognised {recognised / n:.0%}; within 1 km {within_1km / n:.0%}; "
        f"median distance {statistics.median(distances):.0f} m; ward found {with_ward / n:.0%}"
    )
    print(figures)
    assert recognised / n >= 0.9, figures
    assert within_1km / n >= 0.9, figures
    assert with_ward / n >= 0.9, figures


def test_reverse_geocoding_real_pins(somerville: CityIndex) -> None:
    rows = dev_addresses()
    same_ward = 0
    for row in rows:
        pin = somerville.reverse(float(row["lat"]), float(row["lon"]))  # type: ignore[arg-type]
        assert pin.in_city and pin.ward in {str(w) for w in range(1, 8)} and pin.neighborhood
        assert pin.precision in (Precision.STREET, Precision.INTERSECTION) and pin.street
        address = geocode_text(somerville, str(row["address"]))
        same_ward += address.ward == pin.ward
    print(f"Somerville: geocoded address in the pin's ward for {same_ward}/{len(rows)}")
    # Davis Square, Harvard Square (Cambridge) and Boston Common.
    assert somerville.reverse(42.39674, -71.12226).neighborhood == "Davis Square"
    assert not somerville.reverse(42.37340, -71.11900).in_city
    assert not somerville.reverse(42.35500, -71.06560).in_city


def test_real_names_typos_and_crossings(somerville: CityIndex) -> None:
    crossing = geocode_text(somerville, "Highland Ave and Walnut St")
    assert crossing.precision is Precision.INTERSECTION and crossing.ward == "3"
    assert geocode_text(somerville, "College Ave @ Broadway").precision is Precision.INTERSECTION
    typo = geocode_text(somerville, "Sommerville Avenue")
    assert typo.street == "Somerville Ave" and typo.suggestions[0] == "Somerville Ave"
    assert geocode_text(somerville, "6 Mount Vernon Street").street == "Mt Vernon St"
    elm = geocode_text(somerville, "Elm")
    assert elm.street == "Elm St" and set(elm.suggestions) == {"Elm St", "Elm Ct", "Elm Pl"}
    square = somerville.geocode(LocationMention(landmark="Union Square"))
    assert square.precision is Precision.STREET and square.street == "Union Sq" and square.ward in {"2", "3"}


def test_skips_cleanly_without_the_shared_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import tests.conftest

    monkeypatch.setattr(tests.conftest, "SHARED_DATA", tmp_path / "absent")
    with pytest.raises(pytest.skip.Exception, match="not found"):
        somerville_sources()

"""``intake-bot city import`` and ``intake-bot geocode``: the city's map data.

Registered on the main command group by bot/cli.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import SettingsError, load_settings
from case_store import migrate
from case_store.db import make_engine, make_session_factory
from nlu.city import (
    AddressFields,
    CityDataError,
    CitySources,
    city_index,
    do_import_city,
    ensure_city_loaded,
    geocode_text,
    read_city,
)

_GEOJSON = click.Path(exists=True, dir_okay=False, path_type=Path)


def _store() -> tuple[Engine, sessionmaker[Session]]:
    # Only the database: these commands need neither Redis nor photo storage.
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.sqlalchemy_url)
    migrate.upgrade(engine)
    return engine, make_session_factory(engine)


@click.group()
def city() -> None:
    """The city's streets, wards and neighbourhoods, used to locate reports."""


@city.command("import")
@click.option("--streets", required=True, type=_GEOJSON, help="Street centerlines: GeoJSON LineStrings in WGS84.")
@click.option("--street-name-field", default="name", show_default=True, help="Property with the street's name.")
@click.option("--from-left-field", help="Property with the first house number on the left side (optional).")
@click.option("--to-left-field", help="Property with the last house number on the left side (optional).")
@click.option("--from-right-field", help="Property with the first house number on the right side (optional).")
@click.option("--to-right-field", help="Property with the last house number on the right side (optional).")
@click.option("--wards", type=_GEOJSON, help="Ward polygons (GeoJSON).")
@click.option("--ward-field", default="name", show_default=True, help="Property with the ward's name.")
@click.option("--neighborhoods", type=_GEOJSON, help="Neighbourhood polygons (GeoJSON).")
@click.option("--neighborhood-field", default="name", show_default=True, help="Property with the neighbourhood's name.")
@click.option("--landmarks", type=_GEOJSON, help="Named places residents mention: points or polygons (GeoJSON).")
@click.option("--landmark-field", default="name", show_default=True, help="Property with the landmark's name.")
@click.option("--boundary", type=_GEOJSON, help="The city limits (GeoJSON polygons); default: the wards' union.")
def city_import(
    streets: Path,
    street_name_field: str,
    from_left_field: str | None,
    to_left_field: str | None,
    from_right_field: str | None,
    to_right_field: str | None,
    wards: Path | None,
    ward_field: str,
    neighborhoods: Path | None,
    neighborhood_field: str,
    landmarks: Path | None,
    landmark_field: str,
    boundary: Path | None,
) -> None:
    """Replaces the city's map data with these files; nothing changes if any of them is invalid.

    Files are GeoJSON (a FeatureCollection or a single Feature) in longitude/latitude.
    House-number ranges run from a segment's first vertex to its last; with them,
    addresses are placed on their block, without them on their street.
    """
    sources = CitySources(
        streets=streets,
        street_name_field=street_name_field,
        address_fields=AddressFields(from_left_field, to_left_field, from_right_field, to_right_field),
        wards=wards,
        ward_field=ward_field,
        neighborhoods=neighborhoods,
        neighborhood_field=neighborhood_field,
        landmarks=landmarks,
        landmark_field=landmark_field,
        boundary=boundary,
    )
    try:
        data = read_city(sources)
    except CityDataError as exc:
        raise click.ClickException(str(exc)) from None
    engine, sessions = _store()
    try:
        with sessions.begin() as session:
            summary = do_import_city(session, data, source=str(streets.resolve()))
    finally:
        engine.dispose()
    click.echo(f"City imported: {summary}")


@click.command()
@click.argument("address", nargs=-1)
@click.option("--reverse", nargs=2, type=float, metavar="LAT LON", help="Describe a point instead of an address.")
def geocode(address: tuple[str, ...], reverse: tuple[float, float] | None) -> None:
    """Prints where ADDRESS is ("119 Central St", "Main and 5th"), or what is at --reverse LAT LON, as JSON.

    Keys: lat, lon, precision (address, intersection, street, landmark or none), street,
    cross_street, ward, neighborhood, in_city, suggestions. Uses the demo city until a
    city is imported.
    """
    text = " ".join(address).strip()
    if bool(text) == bool(reverse):
        raise click.UsageError("give either an ADDRESS or --reverse LAT LON")
    engine, sessions = _store()
    try:
        with sessions.begin() as session:
            ensure_city_loaded(session)
        with sessions() as session:
            index = city_index(session)
    finally:
        engine.dispose()
    result = index.reverse(*reverse) if reverse else geocode_text(index, text)
    click.echo(json.dumps(result.to_json(), ensure_ascii=False))

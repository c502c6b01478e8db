"""Geocoding benchmark on the real Somerville, MA street data (from ../shared/data).

    .venv/bin/python bench/geocode_bench.py

Imports the city into a temporary SQLite store, then reports how long building the
in-memory index takes and the time per forward and reverse geocode.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "data"


def main() -> None:
    from case_store import migrate
    from case_store.db import make_engine, make_session_factory
    from nlu.city import CitySources, city_index, do_import_city, parse_address, read_city

    folder = SHARED / "city" / "somerville"
    if not folder.is_dir():
        raise SystemExit(f"{folder} not found: this benchmark needs the team's reference data")
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.sqlite3")
        migrate.upgrade(engine)
        sessions = make_session_factory(engine)
        sources = CitySources(
            streets=folder / "streets.geojson", street_name_field="STNAME",
            wards=folder / "wards.geojson", ward_field="Ward",
            neighborhoods=folder / "neighborhoods.geojson", neighborhood_field="title",
            boundary=folder / "somerville_outline.geojson",
        )  # fmt: skip
        started = time.perf_counter()
        with sessions.begin() as session:
            do_import_city(session, read_city(sources), source="somerville")
        print(f"import: {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        with sessions() as session:
            index = city_index(session)
        print(f"index load: {time.perf_counter() - started:.2f} s")
        rows = [json.loads(line) for line in (SHARED / "eval" / "somerville_addresses_dev.jsonl").open()]
        mentions = [parse_address(str(r["address"])) for r in rows]
        mentions += [parse_address(t) for t in ("mian st", "Highland Ave and Walnut St", "Holand St")]
        forward = _time_each(lambda m: index.geocode(m), mentions)
        reverse = _time_each(lambda r: index.reverse(r["lat"], r["lon"]), rows)
        print(f"forward geocode: median {forward[0]:.0f} µs, max {forward[1]:.0f} µs ({len(mentions)} mentions)")
        print(f"reverse geocode: median {reverse[0]:.0f} µs, max {reverse[1]:.0f} µs ({len(rows)} pins)")


def _time_each(call: object, items: list) -> tuple[float, float]:  # type: ignore[type-arg]
    timings = []
    for _ in range(20):
        for item in items:
            started = time.perf_counter()
            call(item)  # type: ignore[operator]
            timings.append((time.perf_counter() - started) * 1e6)
    return statistics.median(timings), max(timings)


if __name__ == "__main__":
    main()

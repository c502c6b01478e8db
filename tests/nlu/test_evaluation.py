"""``evaluate()``: the figures it computes for intent and location rows, and files without categories."""

from __future__ import annotations

from typing import Any

import pytest

from bot.cli_nlu import _report_document, _report_text
from case_store.catalog import read_default_catalog
from nlu.baseline import KeywordBaseline
from nlu.evaluation import ExpectedLocation, Scores, Share, evaluate, location_hit
from nlu.location import LocationText
from nlu.understand import Understanding


@pytest.fixture(scope="module")
def baseline() -> KeywordBaseline:
    return KeywordBaseline(read_default_catalog())


def _location_row(lang: str, text: str, **labels: str | None) -> dict[str, Any]:
    fields = {"house_number": None, "street": None, "cross_street": None, "landmark": None}
    return {"lang": lang, "text": text, **fields, **labels}


LOCATION_ROWS = [
    # Found as labelled, up to case and a trailing '.': a hit.
    _location_row("en", "huge pothole in front of 1450 Oak St", house_number="1450", street="oak st."),
    # The label names another street: a miss.
    _location_row("en", "huge pothole in front of 1450 Oak St", house_number="1450", street="Elm St"),
    # The two streets in the other order: a hit.
    _location_row("en", "streetlight out at Main St and 5th Ave", street="5th Ave", cross_street="Main St"),
    # "the public library" found, "library" labelled: one contains the other.
    _location_row("en", "graffiti all over the public library wall", landmark="library"),
    # No location, none found.
    _location_row("en", "trash was not picked up this week"),
    _location_row("es", "hay un bache enfrente del 230 de Elm Street", house_number="230", street="Elm Street"),
    # An intersection labelled where a landmark is found: a miss.
    _location_row("es", "basura en el parque", street="Pine Ave", cross_street="3rd St"),
]


def test_location_mentions_are_scored_by_kind_and_language(
    understanding: Understanding, baseline: KeywordBaseline
) -> None:
    report = evaluate(LOCATION_ROWS, understanding, baseline)
    location = report.location
    assert location is not None
    assert location.overall == {
        "address": Share(2, 3),
        "intersection": Share(1, 2),
        "landmark": Share(1, 1),
        "none": Share(1, 1),
    }
    assert location.per_language["en"] == {
        "address": Share(1, 2),
        "intersection": Share(1, 1),
        "landmark": Share(1, 1),
        "none": Share(1, 1),
    }
    assert location.per_language["es"] == {
        "address": Share(1, 1),
        "intersection": Share(0, 1),
        "landmark": Share(0, 0),
        "none": Share(0, 0),
    }
    assert location.overall["address"].rate == 0.6667 and location.per_language["es"]["none"].rate is None
    assert [(m.lang, m.kind, m.text) for m in location.misses] == [
        ("en", "address", "huge pothole in front of 1450 Oak St"),
        ("es", "intersection", "basura en el parque"),
    ]
    wrong_street = location.misses[0]
    assert wrong_street.expected == ExpectedLocation("1450", "Elm St", None, None)
    assert wrong_street.found == LocationText("1450 Oak St", house_number="1450", street="Oak St")
    assert location.misses[1].found is not None and location.misses[1].found.landmark == "parque"
    # No row has a category or an intent: those parts are empty, not zeros over nothing.
    assert report.messages == len(LOCATION_ROWS) and report.overall == Scores(0, 0.0, 0.0)
    assert report.per_language == {} and report.per_category == {} and report.confusions == []
    assert report.intent is None and report.emergency is None


def test_a_file_without_categories_prints_and_serialises(
    understanding: Understanding, baseline: KeywordBaseline
) -> None:
    report = evaluate(LOCATION_ROWS, understanding, baseline)
    text = _report_text(report)
    assert "model acc" not in text and "per category" not in text and "intent" not in text
    assert "address" in text and "0.667 (3)" in text
    assert "location misses (2 of 2" in text and "street='Elm St'" in text
    document = _report_document(report)
    assert document["overall"] == {"count": 0, "accuracy": 0.0, "macro_f1": 0.0}
    assert document["intent"] is None
    assert document["location"]["overall"]["address"] == {"hits": 2, "count": 3, "rate": 0.6667}
    assert document["location"]["misses"][0]["found"]["street"] == "Oak St"


def test_intent_accuracy_per_language_and_confusions(understanding: Understanding, baseline: KeywordBaseline) -> None:
    rows = [
        {"lang": "en", "text": "status 311-004417", "intent": "status"},
        {"lang": "en", "text": "STOP", "intent": "opt_out"},
        {"lang": "es", "text": "2", "intent": "choice"},
        # Mislabelled on purpose: the rules answer opt_out.
        {"lang": "es", "text": "STOP", "intent": "yes"},
        {"lang": "es", "text": "hay ratas en el callejón detrás del mercado", "category": "rodents"},
    ]
    report = evaluate(rows, understanding, baseline)
    intent = report.intent
    assert intent is not None
    assert intent.overall.count == 4 and intent.overall.accuracy == 0.75
    assert intent.per_language["en"].accuracy == 1.0 and intent.per_language["es"].accuracy == 0.5
    assert intent.confusions == [("yes", "opt_out", 1)]
    assert report.location is None
    assert report.overall.count == 1 and set(report.per_language) == {"es"}
    assert _report_document(report)["location"] is None
    assert "yes -> opt_out: 1" in _report_text(report)


def test_an_empty_set_scores_nothing() -> None:
    assert Scores.of([], []) == Scores(0, 0.0, 0.0)
    assert Share(0, 0).rate is None
    assert ExpectedLocation(None, "Main St", None, None).kind is None  # a street alone is not scored


@pytest.mark.parametrize(
    ("expected", "found", "hit"),
    [
        (ExpectedLocation("12", "Main  St.", None, None), LocationText("12 main st", "12", "main st"), True),
        (ExpectedLocation("12", "Main St", None, None), LocationText("12A Main St", "12A", "Main St"), False),
        (ExpectedLocation("12", "Main St", None, None), LocationText("Main St", street="Main St"), False),
        (ExpectedLocation(None, "Main St", "5th", None), LocationText("x", street="5th", cross_street="main st"), True),
        (ExpectedLocation(None, "Main St", "5th", None), LocationText("Main St", street="Main St"), False),
        (ExpectedLocation(None, None, None, "Bus Stop"), LocationText("x", landmark="the bus stop"), True),
        (ExpectedLocation(None, None, None, "library"), LocationText("x", landmark="park"), False),
        (ExpectedLocation(None, None, None, "library"), LocationText("Elm St", street="Elm St"), False),
        (ExpectedLocation(None, None, None, None), None, True),
        (ExpectedLocation(None, None, None, None), LocationText("park", landmark="park"), False),
        (ExpectedLocation("12", "Main St", None, None), None, False),
    ],
)
def test_location_hit(expected: ExpectedLocation, found: LocationText | None, hit: bool) -> None:
    assert location_hit(expected, found) is hit


def test_calibration_is_reported_for_category_rows(understanding: Understanding, baseline: KeywordBaseline) -> None:
    rows = [
        {"lang": "en", "text": "huge pothole on Main St, almost lost a tire", "category": "pothole"},
        {"lang": "en", "text": "the streetlight in front of my house is out", "category": "streetlight"},
        # Labelled against what the words say: the model cannot be right, and it is sure.
        {"lang": "en", "text": "rats all over the alley behind the restaurant", "category": "tree"},
    ]
    calibration = evaluate(rows, understanding, baseline).calibration
    assert calibration is not None
    assert calibration.accuracy == pytest.approx(2 / 3, abs=1e-3)
    assert calibration.top3_accuracy >= calibration.accuracy
    # Sure and right twice, sure and wrong once: the error is about the confidence given
    # to the wrong answer.
    assert calibration.mean_confidence > calibration.accuracy
    assert 0.2 < calibration.expected_calibration_error < 0.6
    assert "expected calibration error" in _report_text(evaluate(rows, understanding, baseline))


def test_no_calibration_without_category_rows(understanding: Understanding, baseline: KeywordBaseline) -> None:
    report = evaluate([{"lang": "en", "text": "hello"}], understanding, baseline)
    assert report.calibration is None
    assert _report_document(report)["calibration"] is None

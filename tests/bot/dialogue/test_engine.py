"""The engine alone: pure, total, and never without an answer."""

from __future__ import annotations

import ast
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.dialogue import CategoryGuess, Context, ConversationState, Heard, Intent, Place, Question, ServiceInfo, Step
from bot.dialogue.effects import CaseFiled
from bot.dialogue.flow import HANDLERS, handle_outcome, handle_turn

PACKAGE = Path(__file__).resolve().parents[3] / "bot" / "dialogue"
STDLIB = {"__future__", "collections", "dataclasses", "datetime", "enum", "typing"}

CONTEXT = Context(
    services={
        "pothole": ServiceInfo("pothole", "Pothole"),
        "streetlight": ServiceInfo(
            "streetlight", "Streetlight out", (Question("problem", "singlevaluelist", ("out", "flickering")),)
        ),
        "illegal_dumping": ServiceInfo(
            "illegal_dumping", "Illegal dumping", (Question("items", "multivaluelist", ("furniture", "tires")),)
        ),
        "abandoned_vehicle": ServiceInfo(
            "abandoned_vehicle", "Abandoned vehicle", (Question("license_plate", "string"),)
        ),
        "other": ServiceInfo("other", "Something else"),
    },
    languages=("en", "es", "ar"),
    menu=("pothole", "streetlight", "illegal_dumping", "abandoned_vehicle", "other"),
)
OAK = Place("1450 Oak St", "address", 42.39, -71.1)


def test_the_engine_imports_nothing_outside_itself() -> None:
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                root = node.module.split(".")[0]
                assert node.module.startswith("bot.dialogue") or root in STDLIB, (path.name, node.module)
            elif isinstance(node, ast.Import):
                assert all(alias.name.split(".")[0] in STDLIB for alias in node.names), path.name


def test_every_step_has_a_handler() -> None:
    assert set(HANDLERS) == set(Step)


def test_state_survives_its_json_form() -> None:
    heard = Heard(text="pothole at 1450 Oak St", categories=(CategoryGuess("pothole", 0.9),), place=OAK)
    state = handle_turn(ConversationState(), heard, CONTEXT).state
    assert ConversationState.from_json(state.to_json()) == state
    assert ConversationState.from_json({"schema_version": 0, "language": "es"}) == ConversationState(language="es")


def test_multivalue_question_takes_several_numbers() -> None:
    heard = Heard(text="couch dumped at 1450 Oak St", categories=(CategoryGuess("illegal_dumping", 0.9),), place=OAK)
    state = handle_turn(ConversationState(), heard, CONTEXT).state
    state = handle_turn(state, Heard(text="no", intent=Intent.NO), CONTEXT).state
    assert state.step is Step.ASK_QUESTION
    state = handle_turn(state, Heard(text="1 2", intent=Intent.CHOICE, choices=(1, 2)), CONTEXT).state
    assert state.step is Step.CONFIRM and state.draft.answer("items") == ("furniture", "tires")


def test_filed_case_clears_the_draft_and_remembers_the_case() -> None:
    state = ConversationState(step=Step.CONFIRM)
    filed = CaseFiled("311-000009", "routed", "Public Works", "2026-11-27T12:00:00+00:00")
    result = handle_outcome(state, filed, CONTEXT)
    assert result.state.step is Step.IDLE and result.state.cases == ("311-000009",)
    assert [r.key for r in result.replies] == ["conversation.case_filed"]


places = st.one_of(st.none(), st.just(OAK), st.just(Place("Somewhere", "address", 1.0, 1.0, in_city=False)))
messages = st.builds(
    Heard,
    text=st.text(max_size=40),
    language=st.sampled_from(["en", "es", "ar", "xx"]),
    language_detected=st.booleans(),
    intent=st.sampled_from(list(Intent)),
    choices=st.lists(st.integers(min_value=-2, max_value=30), max_size=3).map(tuple),
    target_language=st.sampled_from([None, "es", "ar", "zz"]),
    categories=st.lists(
        st.builds(CategoryGuess, st.sampled_from([*CONTEXT.services, "retired"]), st.floats(0, 1)), max_size=3
    ).map(tuple),
    emergency=st.booleans(),
    place=places,
    place_written=st.one_of(st.none(), st.just("behind the old mill")),
    place_suggestions=st.lists(st.just(OAK), max_size=2).map(tuple),
    photos=st.lists(st.sampled_from(["a.jpg", "b.jpg"]), max_size=2).map(tuple),
    photo_place=places,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(messages, min_size=1, max_size=12))
def test_any_sequence_of_messages_never_raises_and_always_answers(sequence: list[Heard]) -> None:
    state = ConversationState()
    for heard in sequence:
        result = handle_turn(state, heard, CONTEXT)
        if result.effects:
            outcome = CaseFiled("311-000001", "routed", "Public Works", None)
            result = handle_outcome(result.state, outcome, CONTEXT) if not result.replies else result
        assert result.replies, (state.step, heard)
        state = ConversationState.from_json(result.state.to_json())

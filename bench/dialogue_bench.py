"""Dialogue benchmark: turns per report, engine turns per second, web chat latency.

Targets (issue: dialogue engine): a one-shot report (problem, address and photo in the
first message) is filed after one confirmation; piece by piece, at most one question per
missing piece; the engine alone at least 5,000 turns/s on one core; a web chat message
answered in under 50 ms (median; engine, state store and rendering, models warm).

    .venv/bin/python bench/dialogue_bench.py [--models DIR] [--messages 300]

The web chat part runs the real app in-process (Flask test client) on SQLite and an
embedded Redis in a temporary folder, or on DATABASE_URL / REDIS_URL when they are set.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.dialogue import CategoryGuess, Context, ConversationState, Heard, Intent, Place, Question, ServiceInfo  # noqa: E402
from bot.dialogue.effects import CaseFiled  # noqa: E402
from bot.dialogue.flow import handle_outcome, handle_turn  # noqa: E402

OAK = Place("1450 Oak St", "address", 42.39, -71.1)
CONTEXT = Context(
    services={
        "pothole": ServiceInfo("pothole", "Pothole"),
        "streetlight": ServiceInfo(
            "streetlight", "Streetlight out", (Question("problem", "singlevaluelist", ("out", "flickering")),)
        ),
    },
    languages=("en", "es"),
    menu=("pothole", "streetlight"),
)
ONE_SHOT = [
    Heard("huge pothole in front of 1450 Oak St", "en", True, categories=(CategoryGuess("pothole", 0.93),), place=OAK,
          photos=("a.jpg",)),
    Heard("yes", intent=Intent.YES),
]
PIECE_BY_PIECE = [
    Heard("the streetlight is broken", "en", True, categories=(CategoryGuess("streetlight", 0.9),)),
    Heard("1450 Oak St", intent=Intent.ADD_INFO, place=OAK),
    Heard("no", intent=Intent.NO),
    Heard("1", intent=Intent.CHOICE, choices=(1,)),
    Heard("yes", intent=Intent.YES),
]


def run(script: list[Heard]) -> tuple[int, list[str]]:
    state, keys = ConversationState(), []
    for heard in script:
        result = handle_turn(state, heard, CONTEXT)
        state = result.state
        if result.effects:
            result = handle_outcome(state, CaseFiled("311-000001", "routed", "Public Works", None), CONTEXT)
            state = result.state
        keys += [r.key for r in result.replies]
    return len(script), keys


def engine_figures() -> None:
    turns, keys = run(ONE_SHOT)
    print(f"one-shot report: {turns} messages ({keys})")
    turns, keys = run(PIECE_BY_PIECE)
    questions = [k for k in keys if not k.startswith("conversation.case_filed")]
    print(f"piece by piece: {turns} messages, {len(questions)} questions for 4 missing pieces "
          f"(place, photo, the required question, confirmation): {questions}")
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < 3.0:
        for script in (ONE_SHOT, PIECE_BY_PIECE):
            count += run(script)[0]
    print(f"engine alone: {count / (time.perf_counter() - started):,.0f} turns/s (one core)")


def webchat_figures(models: Path, messages: int) -> None:
    from PIL import Image

    from bot.app import build_services, create_app
    from bot.cli import prepare_store
    from bot.settings import Settings
    from nlu.understand import Understanding

    folder = Path(tempfile.mkdtemp(prefix="dialogue-bench-"))
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        intake_data_dir=folder,
        database_url=os.environ.get("DATABASE_URL"),
        redis_url=os.environ.get("REDIS_URL"),
        webchat_messages_per_minute=0,
    )
    understanding = Understanding.load_or_train(models)
    services = replace(build_services(settings), understanding=lambda: understanding)
    prepare_store(services)
    client = create_app(services=services).test_client()
    understanding.understand("warm up: pothole on Main St")
    photo = io.BytesIO()
    Image.new("RGB", (640, 480), "gray").save(photo, "JPEG")

    conversation = ["there's a big pothole in front of 1450 Oak St", "no", "yes", "what's the status of my request?"]
    timings: list[float] = []
    while len(timings) < messages:
        session = client.post("/webchat/api/sessions", json={}).json["session_id"]
        for text in conversation:
            started = time.perf_counter()
            response = client.post(f"/webchat/api/sessions/{session}/messages", json={"text": text})
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.json
    timings.sort()
    backend = "PostgreSQL + Redis" if settings.database_url else "SQLite + embedded Redis"
    print(f"web chat message ({backend}, {len(timings)} messages): median {statistics.median(timings):.1f} ms, "
          f"p95 {timings[int(len(timings) * 0.95)]:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=Path, default=ROOT / "instance" / "models")
    parser.add_argument("--messages", type=int, default=300)
    args = parser.parse_args()
    engine_figures()
    webchat_figures(args.models, args.messages)


if __name__ == "__main__":
    main()

"""The conversation state: a frozen value, stored as versioned JSON between messages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from bot.dialogue.heard import Place

SCHEMA_VERSION = 1
MAX_PHOTOS = 5
MAX_DESCRIPTION = 1000


class Step(StrEnum):
    """What the bot last asked, so the next message is read as its answer."""

    IDLE = "idle"  # nothing asked: a new report, a question, a greeting...
    ASK_CATEGORY = "ask_category"
    CHOOSE_CATEGORY = "choose_category"
    ASK_LOCATION = "ask_location"
    CHOOSE_STREET = "choose_street"
    CONFIRM_WRITTEN_PLACE = "confirm_written_place"
    ASK_PHOTO = "ask_photo"
    ASK_DESCRIPTION = "ask_description"
    ASK_QUESTION = "ask_question"
    CONFIRM = "confirm"
    CHOOSE_CHANGE = "choose_change"
    CHOOSE_LANGUAGE = "choose_language"
    HANDED_OFF = "handed_off"  # staff have the conversation


@dataclass(frozen=True, slots=True)
class Draft:
    """The report being collected; every piece may arrive in any message."""

    category: str | None = None
    place: Place | None = None
    photos: tuple[str, ...] = ()
    photo_asked: bool = False
    description: str | None = None
    answers: tuple[tuple[str, tuple[str, ...]], ...] = ()  # question code -> answer keys or text

    @property
    def started(self) -> bool:
        return bool(self.category or self.place or self.photos or self.description)

    def answer(self, code: str) -> tuple[str, ...] | None:
        return dict(self.answers).get(code)

    def with_answer(self, code: str, values: tuple[str, ...]) -> Draft:
        return replace(self, answers=(*((c, v) for c, v in self.answers if c != code), (code, values)))

    def with_photos(self, photos: tuple[str, ...]) -> Draft:
        kept = tuple(dict.fromkeys((*self.photos, *photos)))[:MAX_PHOTOS]
        return replace(self, photos=kept)

    def with_description(self, text: str) -> Draft:
        combined = f"{self.description}\n{text}" if self.description else text
        return replace(self, description=combined[:MAX_DESCRIPTION])


@dataclass(frozen=True, slots=True)
class ConversationState:
    language: str = "en"
    language_settled: bool = False  # chosen by the resident or detected from a real sentence
    step: Step = Step.IDLE
    draft: Draft = field(default_factory=Draft)
    attempts: int = 0  # unanswered tries at the current step
    offered: tuple[str, ...] = ()  # what the numbers of the last list stand for
    question: str | None = None  # the question code being asked
    candidates: tuple[Place, ...] = ()  # streets offered, or a place to confirm as written
    resume: Step | None = None  # the step to go back to after choosing a language
    cases: tuple[str, ...] = ()  # case numbers filed in this conversation, latest last
    handoff_case: str | None = None
    schema_version: int = SCHEMA_VERSION

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ConversationState:
        """Reads a stored state; one of another schema version starts afresh in its language."""
        if data.get("schema_version") != SCHEMA_VERSION:
            return cls(language=str(data.get("language") or "en"))
        draft = dict(data["draft"])
        draft["place"] = _place(draft.get("place"))
        draft["photos"] = tuple(draft["photos"])
        draft["answers"] = tuple((str(code), tuple(values)) for code, values in draft["answers"])
        return cls(
            language=data["language"],
            language_settled=data["language_settled"],
            step=Step(data["step"]),
            draft=Draft(**draft),
            attempts=data["attempts"],
            offered=tuple(data["offered"]),
            question=data["question"],
            candidates=tuple(p for p in map(_place, data["candidates"]) if p is not None),
            resume=Step(data["resume"]) if data["resume"] else None,
            cases=tuple(data["cases"]),
            handoff_case=data["handoff_case"],
        )

    def fresh(self) -> ConversationState:
        """A conversation with nothing in progress that keeps the language and the cases."""
        return ConversationState(language=self.language, language_settled=self.language_settled, cases=self.cases)


def _place(data: dict[str, Any] | None) -> Place | None:
    return Place(**data) if data else None

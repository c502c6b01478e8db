"""Effects the engine asks for, and the outcomes the runtime reports back."""

from __future__ import annotations

from dataclasses import dataclass

from bot.dialogue.state import Draft


@dataclass(frozen=True, slots=True)
class FileCase:
    draft: Draft
    language: str


@dataclass(frozen=True, slots=True)
class HandOff:
    """Give the conversation to staff, with what has been collected so far."""

    draft: Draft
    language: str


@dataclass(frozen=True, slots=True)
class AddToCase:
    case_id: str
    text: str
    photos: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SetOptOut:
    opted_out: bool


@dataclass(frozen=True, slots=True)
class MuteCase:
    case_id: str  # only the resident's own subscription to it is muted


@dataclass(frozen=True, slots=True)
class LookUpStatus:
    """The resident's own cases, as the store knows them (every channel, every conversation)."""

    asked: str | None = None  # a case number the resident named: only it, if it is theirs
    code: str | None = None  # or if this check code proves they were given it


Effect = FileCase | HandOff | AddToCase | SetOptOut | MuteCase | LookUpStatus


@dataclass(frozen=True, slots=True)
class CaseFiled:
    case_id: str
    status: str
    team: str
    due: str | None  # ISO 8601, from the service's SLA


@dataclass(frozen=True, slots=True)
class FilingFailed:
    reason: str


@dataclass(frozen=True, slots=True)
class HandedOff:
    case_id: str


@dataclass(frozen=True, slots=True)
class CaseSummary:
    case_id: str
    category: str
    category_name: str
    place: str | None
    status: str
    team: str
    since: str  # ISO 8601
    due: str | None = None  # ISO 8601, while the case is open
    last_note: str | None = None  # the latest public note from the city


@dataclass(frozen=True, slots=True)
class StatusFound:
    cases: tuple[CaseSummary, ...]
    asked: str | None = None


Outcome = CaseFiled | FilingFailed | HandedOff | StatusFound

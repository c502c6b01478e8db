"""Replies are message keys with parameters; ``locales`` renders them at the edge."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Text:
    """A catalog message used as a parameter (a category's name, a status)."""

    key: str
    params: Mapping[str, Param] = field(default_factory=dict)
    fallback: str | None = None  # shown when the catalog has no such key (a city's own service)


@dataclass(frozen=True, slots=True)
class Day:
    """A date, written the resident's way by the renderer (ISO 8601 in UTC here)."""

    iso: str


Param = str | int | Text | Day


@dataclass(frozen=True, slots=True)
class Option:
    """A quick reply: a button on the web and Telegram, a numbered line on SMS."""

    label: Text | str  # a catalog message, or a name shown as it is (a street)
    value: str  # what the button sends back: "1", "2"... or "yes" / "no"
    language: str | None = None  # a label shown in its own language (the language menu)


@dataclass(frozen=True, slots=True)
class Reply:
    key: str
    params: Mapping[str, Param] = field(default_factory=dict)
    options: tuple[Option, ...] = ()
    fallback: str | None = None


def numbered(labels: tuple[Text | str, ...], *, languages: tuple[str | None, ...] = ()) -> tuple[Option, ...]:
    return tuple(
        Option(label, str(number), languages[number - 1] if languages else None)
        for number, label in enumerate(labels, start=1)
    )


YES_NO = (Option(Text("option.yes"), "yes"), Option(Text("option.no"), "no"))

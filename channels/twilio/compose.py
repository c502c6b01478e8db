"""Outbound text as SMS and WhatsApp can show it: quick replies as a numbered list, long
text in parts Twilio accepts. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence

from channels.base import QuickReplyOption

# Twilio refuses a body longer than 1,600 characters (error 21617), SMS and WhatsApp alike.
MAX_PART = 1600

_PARAGRAPH = re.compile(r"\n\s*\n")
_LINE = re.compile(r"\n")
# The end of a sentence: punctuation, any closing quotes or brackets, then a space.
_SENTENCE = re.compile(r"[.!?…。！？][\"'”’)\]]*\s")
_SPACE = re.compile(r"\s")


def with_quick_replies(text: str, options: Sequence[QuickReplyOption]) -> str:
    """The text with the options numbered below it; the resident answers with the number,
    which the dialogue reads as the option in that place ("1" for the first)."""
    if not options:
        return text
    listed = "\n".join(f"{number} {option.label}" for number, option in enumerate(options, start=1))
    return f"{text}\n\n{listed}" if text else listed


def split_text(text: str, limit: int = MAX_PART) -> list[str]:
    """Parts of at most ``limit`` characters, cut at a paragraph, line, sentence or word.

    Length is counted in UTF-16 code units, as Twilio counts: an emoji takes two.
    """
    if limit < 2:
        raise ValueError("a part holds at least two characters")
    parts: list[str] = []
    rest = text.strip()
    while rest:
        end = _fitting(rest, limit)
        if end == len(rest):
            parts.append(rest)
            break
        cut = _cut(rest[:end], end)
        part = rest[:cut].rstrip()
        if part:
            parts.append(part)
        rest = rest[cut:].lstrip()
    return parts


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fitting(text: str, limit: int) -> int:
    """How many characters of ``text`` fit in ``limit`` UTF-16 code units."""
    if _units(text) <= limit:
        return len(text)
    end = min(len(text), limit)
    while _units(text[:end]) > limit:
        end -= 1
    return end


def _cut(window: str, end: int) -> int:
    """Where to end a part within ``window``: the latest good boundary in its second half
    (so parts stay long), else the latest space, else a hard cut."""
    floor = end // 2
    for boundary in (_PARAGRAPH, _LINE, _SENTENCE):
        ends = [m.end() for m in boundary.finditer(window) if m.end() > floor]
        if ends:
            return ends[-1]
    spaces = [m.end() for m in _SPACE.finditer(window) if m.start() > 0]
    return spaces[-1] if spaces else end

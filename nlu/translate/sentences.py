"""Cutting text into sentences for translation, locally (no model, no download).

Translation models are trained on single sentences and drift on long inputs, so text is
cut where a sentence ends: at . ! ? … before a space (so "3.5" and "example.com" stay
whole, and not after "St." or an initial), at the CJK and Arabic sentence marks, which
need no space after them, and at every line break. A run-on "sentence" (a long message
without punctuation) is cut near a space or comma. Each piece keeps the whitespace that
followed it, so the translation is put back together line by line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_SENTENCE_CHARS = 300

# Languages written without spaces between sentences.
UNSPACED = frozenset({"zh", "zt", "ja"})

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef"
_END = re.compile(
    rf"""[.!?…]+["'”’»)\]]*(?=\s|$|[{_CJK}])  # Latin marks: a space (or CJK text) must follow
    | [。！？｡]+[」』”’）"']*                   # CJK full-width marks
    | [؟۔]+                                     # Arabic question mark and full stop
    """,
    re.VERBOSE,
)
_LINE_BREAKS = re.compile(r"(\s*\n\s*)")
_WORD_BEFORE = re.compile(r"(\w+)$")
_SOFT_BREAK = re.compile(r"[\s,，、;；:：]")
# Where a "." ends a word but rarely a sentence (street addresses are common in reports).
ABBREVIATIONS = frozenset(
    "st ave av avda blvd rd dr mr mrs ms mt ft no nr nro apt ste jr sr sra srta dra hwy pkwy ln ct pl sq"
    " approx tel vs cf ca pp".split()
)


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    gap: str  # the whitespace after it: "" inside CJK text and at the end, "\n" between lines


def split_sentences(text: str, max_chars: int = MAX_SENTENCE_CHARS) -> list[Segment]:
    parts = _LINE_BREAKS.split(text.strip())
    segments: list[Segment] = []
    for index in range(0, len(parts), 2):
        line = parts[index]
        line_gap = "\n" * parts[index + 1].count("\n") if index + 1 < len(parts) else ""
        sentences = _split_line(line)
        for number, (sentence, gap) in enumerate(sentences):
            last = number == len(sentences) - 1
            segments.extend(_chunks(sentence, line_gap if last else gap, max_chars))
    return segments


def join_sentences(pieces: Sequence[tuple[str, str]], target: str) -> str:
    """Puts translated (text, gap) pieces together, spacing sentences as the target language does."""
    spacer = "" if target in UNSPACED else " "
    out: list[str] = []
    for index, (text, gap) in enumerate(pieces):
        out.append(text)
        if index < len(pieces) - 1:
            out.append(gap if "\n" in gap else spacer)
    return "".join(out)


def has_letters(text: str) -> bool:
    """Numbers, punctuation and emoji alone need no translation."""
    return any(char.isalpha() for char in text)


def _split_line(line: str) -> list[tuple[str, str]]:
    sentences: list[tuple[str, str]] = []
    start = 0
    for match in _END.finditer(line):
        end = match.end()
        after = end
        while after < len(line) and line[after].isspace():
            after += 1
        if match.group() == "." and _continues(line, match.start(), after):
            continue
        sentences.append((line[start:end], line[end:after]))
        start = after
    if start < len(line):
        sentences.append((line[start:], ""))
    return sentences


def _continues(line: str, dot: int, following: int) -> bool:
    """A single "." that ends an abbreviation or an initial, or is followed by a lowercase word."""
    if following < len(line) and line[following].islower():
        return True
    word = _WORD_BEFORE.search(line, 0, dot)
    if word is None:
        return False
    token = word.group(1)
    return (len(token) == 1 and token.isalpha()) or token.lower() in ABBREVIATIONS


def _chunks(sentence: str, gap: str, max_chars: int) -> list[Segment]:
    chunks: list[Segment] = []
    while len(sentence) > max_chars:
        cut = max_chars
        for soft in _SOFT_BREAK.finditer(sentence, max_chars // 2, max_chars):
            cut = soft.end()  # the last soft break in the second half of the window
        head, rest = sentence[:cut], sentence[cut:]
        remainder = rest.lstrip()
        chunks.append(Segment(head.rstrip(), rest[: len(rest) - len(remainder)]))
        sentence = remainder
    if sentence:
        chunks.append(Segment(sentence, gap))
    return chunks

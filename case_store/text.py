"""Cleaning of untrusted free text before it is stored."""

from __future__ import annotations

import re
import unicodedata

# C0/C1 control characters except tab and newline, plus lone surrogates: they break XML
# output and terminals and never belong in a resident's report.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(value: str) -> str:
    """NFC-normalises, turns CRLF into LF, drops control characters, trims the ends."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    return unicodedata.normalize("NFC", value).strip()


def clean_line(value: str) -> str:
    """Like clean_text, and folds any line breaks into single spaces."""
    return " ".join(clean_text(value).split())

"""Sentence splitting: whole sentences for the model, the text's lines kept."""

from __future__ import annotations

import pytest

from nlu.translate.sentences import Segment, join_sentences, split_sentences


def texts(text: str) -> list[str]:
    return [segment.text for segment in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("There is a pothole. It is deep!  Fix it?", ["There is a pothole.", "It is deep!", "Fix it?"]),
        ("The pothole at 119 Central St. is 3.5 ft wide.", ["The pothole at 119 Central St. is 3.5 ft wide."]),
        ("See example.com for J. Smith's photo. Thanks", ["See example.com for J. Smith's photo.", "Thanks"]),
        ('He said "stop." Then he left...', ['He said "stop."', "Then he left..."]),
        ("It broke approx. three days ago.", ["It broke approx. three days ago."]),
        ("主街上有一个大坑。请尽快修理！谢谢", ["主街上有一个大坑。", "请尽快修理！", "谢谢"]),
        ("「危ない。」と言った。", ["「危ない。」", "と言った。"]),
        ("هل يمكنكم المساعدة؟ شكرا", ["هل يمكنكم المساعدة؟", "شكرا"]),
        ("   ", []),
        ("Main St 311-1234", ["Main St 311-1234"]),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


def test_line_breaks_end_sentences_and_are_kept() -> None:
    segments = split_sentences("First line\nsecond line.  Third\n\n\nLast ")
    assert segments == [
        Segment("First line", "\n"),
        Segment("second line.", "  "),
        Segment("Third", "\n\n\n"),
        Segment("Last", ""),
    ]
    pieces = [(s.text.upper(), s.gap) for s in segments]
    assert join_sentences(pieces, "en") == "FIRST LINE\nSECOND LINE. THIRD\n\n\nLAST"


def test_sentences_are_spaced_as_the_target_writes() -> None:
    chinese = split_sentences("主街上有一个大坑。请尽快修理！")
    assert join_sentences([(s.text, s.gap) for s in chinese], "en") == "主街上有一个大坑。 请尽快修理！"
    english = split_sentences("One. Two.")
    assert join_sentences([(s.text, s.gap) for s in english], "zh") == "One.Two."


def test_run_on_text_is_cut_near_a_space_or_comma() -> None:
    words = " ".join(f"word{n}" for n in range(200))
    segments = split_sentences(words, max_chars=100)
    assert all(0 < len(s.text) <= 100 for s in segments) and len(segments) > 5
    assert " ".join(s.text for s in segments) == words
    unbroken = "坑" * 250
    pieces = split_sentences(unbroken, max_chars=100)
    assert [len(s.text) for s in pieces] == [100, 100, 50] and "".join(s.text for s in pieces) == unbroken

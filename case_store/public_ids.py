"""Public case numbers (``311-000123``), the Open311 ``service_request_id``."""

from __future__ import annotations

import re

PREFIX = "311-"
_PATTERN = re.compile(r"^311-(\d{6,18})$")


def format_public_id(case_pk: int) -> str:
    return f"{PREFIX}{case_pk:06d}"


def is_public_id(value: str) -> bool:
    # fullmatch: with match, ``$`` also accepted "311-000001\n" as a well-formed id.
    return bool(_PATTERN.fullmatch(value))

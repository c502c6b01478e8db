"""The case lifecycle: detailed statuses, closure reasons and which changes are allowed.

Residents see the pipeline ``received → routed → in_queue → onsite_attempt → resolved``;
Open311 clients see only ``open``/``closed``, derived from it.
"""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    RECEIVED = "received"
    ROUTED = "routed"
    IN_QUEUE = "in_queue"
    ONSITE_ATTEMPT = "onsite_attempt"
    RESOLVED = "resolved"
    CLOSED = "closed"
    DUPLICATE = "duplicate"
    REOPENED = "reopened"

    @property
    def is_open(self) -> bool:
        return self not in CLOSED_STATUSES

    @property
    def open311(self) -> Open311Status:
        return Open311Status.OPEN if self.is_open else Open311Status.CLOSED


class Open311Status(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


CLOSED_STATUSES = frozenset({CaseStatus.RESOLVED, CaseStatus.CLOSED, CaseStatus.DUPLICATE})
OPEN_STATUSES = frozenset(set(CaseStatus) - CLOSED_STATUSES)


def statuses_for(open311_status: Open311Status) -> frozenset[CaseStatus]:
    return OPEN_STATUSES if open311_status is Open311Status.OPEN else CLOSED_STATUSES


class ClosureReason(StrEnum):
    FIXED = "fixed"
    NO_PROBLEM_FOUND = "no_problem_found"
    NOT_CITY_RESPONSIBILITY = "not_city_responsibility"
    DUPLICATE = "duplicate"
    REFERRED = "referred"
    CANCELLED = "cancelled"


# Plain English for the public API; residents get these in their own language from locales/.
STATUS_TEXT: dict[CaseStatus, str] = {
    CaseStatus.RECEIVED: "Received",
    CaseStatus.ROUTED: "Routed to the responsible team",
    CaseStatus.IN_QUEUE: "In the team's work queue",
    CaseStatus.ONSITE_ATTEMPT: "A crew visited the site",
    CaseStatus.RESOLVED: "Resolved",
    CaseStatus.CLOSED: "Closed",
    CaseStatus.DUPLICATE: "Closed as a duplicate of an earlier report",
    CaseStatus.REOPENED: "Reopened",
}

CLOSURE_REASON_TEXT: dict[ClosureReason, str] = {
    ClosureReason.FIXED: "The problem was fixed.",
    ClosureReason.NO_PROBLEM_FOUND: "The crew found no problem at the location.",
    ClosureReason.NOT_CITY_RESPONSIBILITY: "This is not the city's responsibility.",
    ClosureReason.DUPLICATE: "The problem was already reported.",
    ClosureReason.REFERRED: "The report was referred to another agency.",
    ClosureReason.CANCELLED: "The report was cancelled by the resident.",
}

# Which detailed status may follow which. Closing needs a reason (checked in service.py).
ALLOWED_TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.RECEIVED: frozenset(
        {CaseStatus.ROUTED, CaseStatus.IN_QUEUE, CaseStatus.ONSITE_ATTEMPT, *CLOSED_STATUSES}
    ),
    CaseStatus.ROUTED: frozenset({CaseStatus.IN_QUEUE, CaseStatus.ONSITE_ATTEMPT, *CLOSED_STATUSES}),
    CaseStatus.IN_QUEUE: frozenset({CaseStatus.ROUTED, CaseStatus.ONSITE_ATTEMPT, *CLOSED_STATUSES}),
    CaseStatus.ONSITE_ATTEMPT: frozenset({CaseStatus.IN_QUEUE, *CLOSED_STATUSES}),
    CaseStatus.REOPENED: frozenset(
        {CaseStatus.ROUTED, CaseStatus.IN_QUEUE, CaseStatus.ONSITE_ATTEMPT, *CLOSED_STATUSES}
    ),
    CaseStatus.RESOLVED: frozenset({CaseStatus.REOPENED}),
    CaseStatus.CLOSED: frozenset({CaseStatus.REOPENED}),
    CaseStatus.DUPLICATE: frozenset({CaseStatus.REOPENED}),
}

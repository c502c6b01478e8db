"""Errors of the case store's check_* functions, mapped to HTTP by each API."""

from __future__ import annotations


class CaseStoreError(Exception):
    """Base of the errors a caller can show to whoever sent the request."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CaseValidationError(CaseStoreError):
    """A field of a new or changed case is missing or invalid."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(CaseStoreError):
    """A referenced service or case does not exist."""


class TransitionError(CaseStoreError):
    """A status change that the case lifecycle does not allow."""

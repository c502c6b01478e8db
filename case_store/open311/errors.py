"""The Open311 error envelope: a list of {code, description} with the spec's HTTP codes."""

from __future__ import annotations


class Open311Error(Exception):
    """An error shown to the client in the spec's envelope.

    The spec's HTTP codes: 404 for what does not exist, 403 for a missing or wrong
    api_key, 400 for any other request that cannot be fulfilled.
    """

    def __init__(self, http_status: int, description: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.http_status = http_status
        self.description = description
        self.headers = headers or {}


def bad_request(description: str) -> Open311Error:
    return Open311Error(400, description)


def not_found(description: str) -> Open311Error:
    return Open311Error(404, description)


def forbidden(description: str) -> Open311Error:
    return Open311Error(403, description)

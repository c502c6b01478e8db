"""Replies as text: catalog messages in the resident's language, dates the local way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from bot.dialogue.replies import Day, Option, Param, Reply, Text
from locales import Catalogs
from locales.languages import babel_locale


@dataclass(frozen=True, slots=True)
class QuickReply:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class RenderedReply:
    text: str
    quick_replies: tuple[QuickReply, ...] = ()
    key: str = ""  # the catalog key, for logs and tests


class Renderer:
    def __init__(self, catalogs: Catalogs, timezone: str) -> None:
        self._catalogs = catalogs
        self._zone = ZoneInfo(timezone)

    def reply(self, reply: Reply, language: str) -> RenderedReply:
        text = self._text(reply.key, reply.params, language, reply.fallback)
        options = tuple(self.option(option, language) for option in reply.options)
        return RenderedReply(text, options, reply.key)

    def option(self, option: Option, language: str) -> QuickReply:
        label = option.label
        if isinstance(label, str):
            return QuickReply(label, option.value)
        text = self._text(label.key, label.params, option.language or language, label.fallback)
        return QuickReply(text, option.value)

    def _text(self, key: str, params: Mapping[str, Param], language: str, fallback: str | None) -> str:
        if fallback is not None and not self._catalogs.has(key):
            return fallback
        values = {name: self._param(value, language) for name, value in params.items()}
        return self._catalogs.render(key, language, **values)

    def _param(self, value: Param, language: str) -> str | int:
        if isinstance(value, Text):
            return self._text(value.key, value.params, language, value.fallback)
        if isinstance(value, Day):
            moment = datetime.fromisoformat(value.iso).astimezone(self._zone)
            return format_skeleton("MMMMEEEEd", moment, locale=babel_locale(language))
        return value

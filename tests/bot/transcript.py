"""Conversations written as transcripts: what the resident sends, what the bot answers."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.dialogue.messages import GeoPoint, InboundMessage, Photo
from bot.runtime import Runtime, TurnOutput

_ids = itertools.count(1)


@dataclass
class Resident:
    """One person chatting on one channel, through the same runtime every channel uses."""

    runtime: Runtime
    sender: str = "session-0001-abcdefgh"
    channel: str = "web"
    language_hint: str | None = None
    history: list[TurnOutput] = field(default_factory=list)

    def says(self, text: str = "", *, photo: Photo | None = None, pin: tuple[float, float] | None = None) -> TurnOutput:
        output = self.runtime.handle(
            InboundMessage(
                channel=self.channel,
                sender_id=self.sender,
                message_id=f"m{next(_ids)}",
                received_at=datetime.now(UTC),
                text=text,
                location=GeoPoint(*pin) if pin else None,
                photos=(photo,) if photo else (),
                language_hint=self.language_hint,
            )
        )
        self.history.append(output)
        return output

    def hears(self, text: str = "", **kwargs: object) -> list[str]:
        """The catalog keys of the bot's replies."""
        return [reply.key for reply in self.says(text, **kwargs).replies]  # type: ignore[arg-type]

    @property
    def last(self) -> TurnOutput:
        return self.history[-1]

"""The channel-agnostic dialogue engine: pure functions over a conversation state.

No I/O and no imports from outside this package (a test enforces it): the runtime
understands the message, hands the engine a ``Heard``, executes the ``effects`` it
returns and feeds their outcomes back through ``handle_outcome``.
"""

from bot.dialogue.flow import handle_outcome, handle_turn
from bot.dialogue.heard import CategoryGuess, Heard, Intent, Place
from bot.dialogue.services import Context, Question, ServiceInfo
from bot.dialogue.state import ConversationState, Draft, Step

__all__ = [
    "CategoryGuess",
    "Context",
    "ConversationState",
    "Draft",
    "Heard",
    "Intent",
    "Place",
    "Question",
    "ServiceInfo",
    "Step",
    "handle_outcome",
    "handle_turn",
]

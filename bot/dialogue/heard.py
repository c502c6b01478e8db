"""What the runtime tells the engine about one inbound message, already understood."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Intent(StrEnum):
    """The understanding step's intent codes (same values as ``nlu.intents.Intent``)."""

    REPORT = "report"
    ADD_INFO = "add_info"
    STATUS = "status"
    CANCEL = "cancel"
    RESTART = "restart"
    HELP = "help"
    GREETING = "greeting"
    THANKS = "thanks"
    YES = "yes"
    NO = "no"
    CHOICE = "choice"
    CHANGE_LANGUAGE = "change_language"
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HUMAN = "human"


@dataclass(frozen=True, slots=True)
class Place:
    """A place the case can be filed at. ``lat``/``lon`` are None for a place kept as
    the resident wrote it because the city map did not know it."""

    label: str  # "1450 Oak St", "Main St & 5th Ave", "near Central St"
    precision: str  # address | intersection | street | landmark | pin | written
    lat: float | None = None
    lon: float | None = None
    in_city: bool = True
    ward: str | None = None
    neighborhood: str | None = None


@dataclass(frozen=True, slots=True)
class CategoryGuess:
    code: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Heard:
    """One inbound message: the resident's words as understood, and what came with them."""

    text: str = ""
    language: str = "en"
    language_detected: bool = False  # False when the message was too short to tell
    intent: Intent = Intent.REPORT
    choices: tuple[int, ...] = ()  # numbers picked from a list ("2", "1 and 3"), or a matched label
    target_language: str | None = None  # for CHANGE_LANGUAGE
    categories: tuple[CategoryGuess, ...] = ()  # likeliest first
    emergency: bool = False
    place: Place | None = None  # from the words, geocoded, or a shared location pin
    place_written: str | None = None  # a place mentioned but not found on the map
    place_suggestions: tuple[Place, ...] = ()  # streets it may have meant
    photos: tuple[str, ...] = ()  # stored photo names
    photo_place: Place | None = None  # the GPS position saved in a photo
    case_number: str | None = None  # "311-000123" when the message names one
    case_code: str | None = None  # the check code written after it, from another device
    mute: bool = False  # "MUTE 311-000123": no more updates about that report
    # A report the city closed as "no problem found" and invited a reply to.
    awaiting_reply: str | None = None

    @property
    def has_report_content(self) -> bool:
        """Whether the message carries a piece of a report, whatever its intent."""
        return bool(self.photos or self.place or self.place_written or self.place_suggestions or self.sure_category)

    @property
    def sure_category(self) -> CategoryGuess | None:
        top = self.categories[0] if self.categories else None
        # "Something else" is also where words the model does not know end up, so it is
        # taken only when the model is very sure; otherwise the resident picks.
        needed = SURE_OTHER if top and top.code == "other" else SURE_CATEGORY
        return top if top and top.confidence >= needed else None


# Calibrated probabilities: above SURE the category is taken (and shown in the summary
# the resident confirms); between OFFER and SURE the likeliest few are offered.
SURE_CATEGORY = 0.6
SURE_OTHER = 0.85
OFFER_CATEGORY = 0.12

"""One turn of the conversation: (state, what was heard) -> (new state, replies, effects).

The draft fills from every message, in any order; then the bot asks for the next
missing piece (category, place, photo, description, the service's required questions)
and finally confirms a one-line summary. Each step has a handler in ``HANDLERS``; the
intents that work anywhere (cancel, help, language, a person...) are handled first.
No step asks the same thing more than twice without offering a way forward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.dialogue.effects import (
    AddToCase,
    CaseFiled,
    CaseSummary,
    Effect,
    FileCase,
    FilingFailed,
    HandedOff,
    HandOff,
    LookUpStatus,
    MuteCase,
    Outcome,
    SetOptOut,
    StatusFound,
)
from bot.dialogue.heard import OFFER_CATEGORY, CategoryGuess, Heard, Intent, Place
from bot.dialogue.replies import YES_NO, Day, Option, Param, Reply, Text, numbered
from bot.dialogue.services import Context, Question
from bot.dialogue.state import ConversationState, Draft, Step

MAX_TRIES = 2  # after this many unanswered tries at one step, offer a way forward
OFFERED_CATEGORIES = 3
STATUS_CASES = 3
MAX_ANSWER = 200
NEW_LANGUAGE_WORDS = 4
# Entries of a numbered list that are not values: "something else", "talk to a person".
MORE = "@more"
HUMAN = "@human"
NONE = "@none"
SEND = "@send"
CHANGE = "@change"
_CHANGES = ("category", "place", "photos", "description")


@dataclass(frozen=True, slots=True)
class TurnResult:
    state: ConversationState
    replies: tuple[Reply, ...]
    effects: tuple[Effect, ...] = ()


Handler = Callable[[ConversationState, Heard, Context], TurnResult]


def handle_turn(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    """The bot's answer to one inbound message."""
    state = _adopt_language(state, heard)
    if heard.emergency:
        # Never a routine case: whatever was being collected is dropped.
        return TurnResult(state.fresh(), (Reply("conversation.emergency", {"number": context.emergency_number}),))
    if heard.mute:
        return _mute(state, heard)
    anywhere = _ANYWHERE.get(heard.intent)
    if anywhere and not (heard.has_report_content and heard.intent in _CONTENT_FIRST):
        return anywhere(state, heard, context)
    return HANDLERS[state.step](state, heard, context)


def handle_outcome(state: ConversationState, outcome: Outcome, context: Context) -> TurnResult:
    """The bot's answer once the runtime has carried out an effect."""
    if isinstance(outcome, CaseFiled):
        done = state.fresh()
        done = replace(done, cases=(*done.cases, outcome.case_id)[-10:])
        params: dict[str, Param] = {
            "case_id": outcome.case_id,
            "status": Text(f"status.{outcome.status}", {"team": outcome.team}),
        }
        if outcome.due:
            return TurnResult(done, (Reply("conversation.case_filed", {**params, "due": Day(outcome.due)}),))
        return TurnResult(done, (Reply("conversation.case_filed_no_due", params),))
    if isinstance(outcome, FilingFailed):
        return TurnResult(replace(state, attempts=0), (Reply("conversation.filing_failed"),))
    if isinstance(outcome, HandedOff):
        handed = replace(state.fresh(), step=Step.HANDED_OFF, handoff_case=outcome.case_id)
        return TurnResult(handed, (Reply("conversation.handoff"),))
    return _status_answer(state, outcome, context)


# --- intents that work at any step -------------------------------------------------


def _cancel(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    if not state.draft.started and state.step not in (Step.HANDED_OFF, Step.CHOOSE_LANGUAGE):
        return TurnResult(state.fresh(), (Reply("conversation.nothing_to_cancel"),))
    return TurnResult(state.fresh(), (Reply("conversation.cancelled"),))


def _restart(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    return TurnResult(replace(state.fresh(), step=Step.ASK_CATEGORY), (Reply("conversation.restarted"),))


def _help(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    return _with_prompt(state, context, Reply("conversation.help"))


def _greeting(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    if state.step is Step.IDLE:
        return _result(state, Reply("conversation.greeting"))
    return _with_prompt(state, context)


def _thanks(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    if state.step is Step.IDLE:
        return _result(state, Reply("conversation.thanks"))
    return _with_prompt(state, context)


def _human(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    if state.step is Step.HANDED_OFF:
        return _handed_off(state, heard, context)
    return TurnResult(state, (), (HandOff(state.draft, state.language),))


def _change_language(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    target = heard.target_language
    if target and target in context.languages:
        return _switch_language(state, target, context)
    languages = context.languages
    labels = tuple(Text("language_name") for _ in languages)
    chooser = replace(
        state,
        step=Step.CHOOSE_LANGUAGE,
        resume=state.resume or state.step,
        offered=languages,
        attempts=0,
    )
    return _result(chooser, Reply("conversation.choose_language", options=numbered(labels, languages=languages)))


def _opt_out(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    return TurnResult(state.fresh(), (Reply("conversation.opted_out"),), (SetOptOut(True),))


def _opt_in(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    return TurnResult(state, (Reply("conversation.opted_in"),), (SetOptOut(False),))


def _mute(state: ConversationState, heard: Heard) -> TurnResult:
    case_id = heard.case_number or (state.cases[0] if len(state.cases) == 1 else None)
    if case_id is None:
        return TurnResult(state, (Reply("conversation.mute_which"),))
    # The same answer whether or not the number is theirs: nothing is revealed.
    return TurnResult(state, (Reply("conversation.muted", {"case_id": case_id}),), (MuteCase(case_id),))


def _status(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    return TurnResult(state, (), (LookUpStatus(heard.case_number, heard.case_code),))


_ANYWHERE: dict[Intent, Handler] = {
    Intent.CANCEL: _cancel,
    Intent.RESTART: _restart,
    Intent.HELP: _help,
    Intent.GREETING: _greeting,
    Intent.THANKS: _thanks,
    Intent.HUMAN: _human,
    Intent.CHANGE_LANGUAGE: _change_language,
    Intent.OPT_OUT: _opt_out,
    Intent.OPT_IN: _opt_in,
    Intent.STATUS: _status,
}
# "Hi, there's a pothole on Main St": the report matters more than the greeting.
_CONTENT_FIRST = frozenset({Intent.GREETING, Intent.THANKS, Intent.HELP})


# --- step handlers ---------------------------------------------------------------


def _idle(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    if heard.awaiting_reply and (heard.text.strip() or heard.photos) and not _new_report(heard):
        # The crew found nothing and asked: a photo or a word back reopens that report.
        return _add_to_case(state, heard.awaiting_reply, heard)
    if heard.intent is Intent.ADD_INFO and state.cases and (heard.text or heard.photos) and not _new_report(heard):
        # "It's still there", "also the sign is down": more about the last report.
        return _add_to_case(state, state.cases[-1], heard)
    if heard.has_report_content or _offerable(heard, context):
        return _collect(state, heard, context, describe=True)
    if heard.intent is Intent.NO:
        return _result(state, Reply("conversation.thanks"))
    if heard.intent is Intent.YES:
        return _result(replace(state, step=Step.ASK_CATEGORY), Reply("conversation.ask_problem"))
    if heard.intent is Intent.REPORT and heard.text.strip():
        # A problem described in words the model could not place: keep them, ask what it is.
        draft = state.draft.with_description(heard.text)
        return _offer_menu(replace(state, draft=draft), context, Reply("conversation.ask_problem_again"))
    return _result(state, Reply("conversation.welcome" if not state.cases else "conversation.not_understood"))


def _ask_category(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    if heard.sure_category or _offerable(heard, context):
        return _collect(state, heard, context, describe=True)
    if heard.has_report_content:
        return _collect(state, heard, context)
    return _offer_menu(state, context, Reply("conversation.ask_problem_again"))


def _choose_category(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    picked = _picked(state, heard)
    if picked == MORE or (picked is None and heard.intent is Intent.NO):
        return _offer_menu(state, context, Reply("conversation.category_list"))
    if picked == HUMAN:
        return _human(state, heard, context)
    if picked in context.services:
        draft = replace(state.draft, category=picked, answers=())
        return _advance(replace(state, draft=draft), context)
    if heard.sure_category:
        return _collect(state, heard, context, describe=True)
    if heard.has_report_content:
        return _collect(state, heard, context)
    return _retry(state, context, Reply("conversation.choose_category_again", options=_options_of(state, context)))


def _ask_location(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    if heard.place or heard.place_suggestions or heard.place_written or heard.photo_place:
        return _collect(state, heard, context)
    if heard.photos or heard.sure_category:
        return _collect(state, heard, context)
    if state.attempts + 1 >= MAX_TRIES and heard.text.strip():
        # The map does not know it and the resident cannot say it otherwise: staff can.
        written = Place(label=heard.text.strip()[:120], precision="written")
        return _confirm_written(replace(state, attempts=0), written)
    return _retry(state, context, Reply("conversation.ask_location_again"))


def _choose_street(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    picked = _picked(state, heard)
    if picked is not None and picked.isdigit():
        place = state.candidates[int(picked)]
        return _advance(replace(state, draft=replace(state.draft, place=place), candidates=()), context)
    if picked == NONE or heard.intent is Intent.NO:
        return _result(
            replace(state, step=Step.ASK_LOCATION, candidates=(), offered=(), attempts=1),
            Reply("conversation.ask_location_again"),
        )
    if heard.has_report_content:
        return _collect(replace(state, candidates=()), heard, context)
    return _retry(state, context, Reply("conversation.location_suggestions", options=_options_of(state, context)))


def _confirm_written_place(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    picked = _picked(state, heard)
    if heard.intent is Intent.YES or picked == "yes":
        draft = replace(state.draft, place=state.candidates[0])
        return _advance(replace(state, draft=draft, candidates=()), context)
    if heard.intent is Intent.NO or picked == "no":
        return _result(
            replace(state, step=Step.ASK_LOCATION, candidates=(), attempts=1), Reply("conversation.ask_location_again")
        )
    if picked == HUMAN:
        return _human(state, heard, context)
    if heard.has_report_content:
        return _collect(replace(state, candidates=()), heard, context)
    return _retry(state, context, _written_place_question(state.candidates[0]))


def _ask_photo(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    # Asked once: whatever the answer, the report moves on.
    state = replace(state, draft=replace(state.draft, photo_asked=True))
    return _collect(state, heard, context, describe=heard.intent in (Intent.REPORT, Intent.ADD_INFO))


def _ask_description(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    text = heard.text.strip()
    if text and heard.intent not in (Intent.YES, Intent.CHOICE) and not heard.place:
        return _collect(replace(state, draft=state.draft.with_description(text)), heard, context)
    if heard.intent is Intent.NO:
        return _advance(replace(state, draft=replace(state.draft, description="")), context)
    if heard.has_report_content:
        return _collect(state, heard, context)
    return _retry(state, context, Reply("conversation.ask_description"))


def _ask_question(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    question = _current_question(state, context)
    if question is None:
        return _advance(state, context)
    if question.is_list:
        picked = [state.offered[n - 1] for n in heard.choices if 0 < n <= len(state.offered)]
        if HUMAN in picked:
            return _human(state, heard, context)
        values = tuple(dict.fromkeys(p for p in picked if p in question.values))
        if question.datatype == "singlevaluelist":
            values = values[:1]
        if values:
            return _advance(replace(state, draft=state.draft.with_answer(question.code, values)), context)
    elif heard.text.strip():
        answer = (heard.text.strip()[:MAX_ANSWER],)
        return _advance(replace(state, draft=state.draft.with_answer(question.code, answer)), context)
    if heard.photos:
        return _collect(state, heard, context)
    again = "conversation.ask_question_again" if question.is_list else "conversation.ask_answer_again"
    return _retry(state, context, Reply(again, options=_options_of(state, context)))


def _confirm(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    picked = _picked(state, heard)
    if picked == SEND or (picked is None and heard.intent is Intent.YES):
        return TurnResult(state, (), (FileCase(state.draft, state.language),))
    if picked == CHANGE or (picked is None and heard.intent is Intent.NO and not heard.has_report_content):
        return _choose_change(state, context)
    if picked == HUMAN:
        return _human(state, heard, context)
    if heard.has_report_content:
        return _collect(state, heard, context, correcting=True)
    if heard.intent is Intent.ADD_INFO and heard.text.strip():
        return _advance(replace(state, draft=state.draft.with_description(heard.text.strip())), context)
    return _retry(state, context, Reply("conversation.confirm_again", options=_confirm_options()))


def _choose_what_to_change(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    picked = _picked(state, heard)
    draft = state.draft
    if picked == "category":
        return _offer_menu(replace(state, draft=replace(draft, category=None, answers=())), context, None)
    if picked == "place":
        return _advance(replace(state, draft=replace(draft, place=None)), context)
    if picked == "photos":
        return _advance(replace(state, draft=replace(draft, photos=(), photo_asked=False)), context)
    if picked == "description":
        return _advance(replace(state, draft=replace(draft, description=None)), context)
    if heard.has_report_content:
        return _collect(state, heard, context, correcting=True)
    if heard.intent is Intent.YES or heard.intent is Intent.NO:
        return _confirm_summary(state, context)
    return _retry(state, context, Reply("conversation.ask_what_to_change", options=_options_of(state, context)))


def _choose_language(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    picked = _picked(state, heard) or heard.target_language
    if picked in context.languages:
        return _switch_language(state, picked, context)
    if state.attempts + 1 >= MAX_TRIES or heard.has_report_content:
        resumed = replace(state, step=state.resume or Step.IDLE, resume=None, attempts=0)
        if heard.has_report_content:
            return HANDLERS[resumed.step](resumed, heard, context)
        return _with_prompt(resumed, context)
    return _retry(state, context, Reply("conversation.choose_language", options=_options_of(state, context)))


def _handed_off(state: ConversationState, heard: Heard, context: Context) -> TurnResult:
    if state.handoff_case is None:
        return _idle(replace(state, step=Step.IDLE), heard, context)
    return TurnResult(
        state,
        (Reply("conversation.handoff_waiting"),),
        (AddToCase(state.handoff_case, heard.text.strip(), heard.photos),),
    )


HANDLERS: dict[Step, Handler] = {
    Step.IDLE: _idle,
    Step.ASK_CATEGORY: _ask_category,
    Step.CHOOSE_CATEGORY: _choose_category,
    Step.ASK_LOCATION: _ask_location,
    Step.CHOOSE_STREET: _choose_street,
    Step.CONFIRM_WRITTEN_PLACE: _confirm_written_place,
    Step.ASK_PHOTO: _ask_photo,
    Step.ASK_DESCRIPTION: _ask_description,
    Step.ASK_QUESTION: _ask_question,
    Step.CONFIRM: _confirm,
    Step.CHOOSE_CHANGE: _choose_what_to_change,
    Step.CHOOSE_LANGUAGE: _choose_language,
    Step.HANDED_OFF: _handed_off,
}


# --- collecting and asking -------------------------------------------------------


def _collect(
    state: ConversationState, heard: Heard, context: Context, *, describe: bool = False, correcting: bool = False
) -> TurnResult:
    """Takes every piece of the report the message carries, then asks for what is missing."""
    draft = state.draft
    notes: list[Reply] = []
    sure = heard.sure_category
    if sure and sure.code in context.services and (draft.category is None or correcting):
        if sure.code != draft.category:
            draft = replace(draft, category=sure.code, answers=())
    if heard.photos:
        draft = draft.with_photos(heard.photos)
    candidates = state.candidates
    if heard.place and not heard.place.in_city:
        notes.append(Reply("conversation.location_outside"))
    elif heard.place:
        draft, candidates = replace(draft, place=heard.place), ()
    elif heard.place_suggestions:
        candidates = heard.place_suggestions
    elif heard.place_written:
        candidates = (Place(label=heard.place_written[:120], precision="written"),)
    if draft.place is None and not candidates and heard.photo_place and heard.photo_place.in_city:
        draft = replace(draft, place=heard.photo_place)
        notes.append(Reply("conversation.location_photo", {"place": heard.photo_place.label}))
    if describe and heard.text.strip() and draft.description is None:
        draft = draft.with_description(heard.text.strip())
    state = replace(state, draft=draft, candidates=candidates)
    return _advance(state, context, tuple(notes), heard.categories if draft.category is None else ())


def _advance(
    state: ConversationState,
    context: Context,
    notes: tuple[Reply, ...] = (),
    guesses: tuple[CategoryGuess, ...] = (),
) -> TurnResult:
    """Asks for the next missing piece, or for confirmation when nothing is missing."""
    state = replace(state, attempts=0, offered=(), question=None)
    draft = state.draft
    if draft.category is None:
        offered = _likeliest(guesses, context)
        if offered:
            labels = (*(_category_name(code, context) for code in offered), Text("option.something_else"))
            options = numbered(labels)
            chooser = replace(state, step=Step.CHOOSE_CATEGORY, offered=(*offered, MORE))
            return _result(chooser, *notes, Reply("conversation.choose_category", options=options))
        return _result(replace(state, step=Step.ASK_CATEGORY), *notes, Reply("conversation.ask_problem"))
    if draft.place is None:
        if len(state.candidates) == 1 and state.candidates[0].precision == "written":
            return _confirm_written(state, state.candidates[0], notes)
        if state.candidates:
            options = numbered((*(place.label for place in state.candidates), Text("option.none_of_these")))
            offered = (*(str(index) for index in range(len(state.candidates))), NONE)
            chooser = replace(state, step=Step.CHOOSE_STREET, offered=offered)
            return _result(chooser, *notes, Reply("conversation.location_suggestions", options=options))
        return _result(replace(state, step=Step.ASK_LOCATION), *notes, Reply("conversation.ask_location"))
    if not draft.photos and not draft.photo_asked:
        options = (Option(Text("option.no_photo"), "no"),)
        return _result(replace(state, step=Step.ASK_PHOTO), *notes, Reply("conversation.ask_photo", options=options))
    if draft.description is None:
        return _result(replace(state, step=Step.ASK_DESCRIPTION), *notes, Reply("conversation.ask_description"))
    question = _unanswered(draft, context)
    if question is not None:
        return _ask(state, question, context, notes)
    return _confirm_summary(state, context, notes)


def _ask(state: ConversationState, question: Question, context: Context, notes: tuple[Reply, ...]) -> TurnResult:
    category = state.draft.category or ""
    key = f"question.{category}.{question.code}"
    offered: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    if question.is_list:
        offered = question.values
        options = numbered(tuple(Text(f"{key}.answers.{value}", fallback=value) for value in question.values))
    asking = replace(state, step=Step.ASK_QUESTION, question=question.code, offered=offered)
    return _result(asking, *notes, Reply(f"{key}.text", options=options, fallback=question.description))


def _confirm_summary(state: ConversationState, context: Context, notes: tuple[Reply, ...] = ()) -> TurnResult:
    draft = state.draft
    params: dict[str, Param] = {
        "category": _category_name(draft.category or "other", context),
        "place": draft.place.label if draft.place else "",
        "count": len(draft.photos),
    }
    key = "conversation.confirm" if draft.photos else "conversation.confirm_no_photo"
    confirming = replace(state, step=Step.CONFIRM, offered=(SEND, CHANGE), attempts=0)
    return _result(confirming, *notes, Reply(key, params, options=_confirm_options()))


def _confirm_options() -> tuple[Option, ...]:
    return numbered((Text("option.yes_send"), Text("option.change")))


def _choose_change(state: ConversationState, context: Context) -> TurnResult:
    labels = tuple(Text(f"option.change_{name}") for name in _CHANGES)
    chooser = replace(state, step=Step.CHOOSE_CHANGE, offered=_CHANGES, attempts=0)
    return _result(chooser, Reply("conversation.ask_what_to_change", options=numbered(labels)))


def _confirm_written(state: ConversationState, place: Place, notes: tuple[Reply, ...] = ()) -> TurnResult:
    confirming = replace(state, step=Step.CONFIRM_WRITTEN_PLACE, candidates=(place,), offered=("yes", "no"))
    return _result(confirming, *notes, _written_place_question(place))


def _written_place_question(place: Place) -> Reply:
    return Reply("conversation.location_unverified", {"place": place.label}, options=YES_NO)


def _offer_menu(state: ConversationState, context: Context, lead: Reply | None) -> TurnResult:
    """Every category, numbered, and a person to talk to: the way forward when words fail."""
    menu = tuple(code for code in context.menu if code in context.services)
    labels = (*(_category_name(code, context) for code in menu), Text("option.talk_to_person"))
    chooser = replace(state, step=Step.CHOOSE_CATEGORY, offered=(*menu, HUMAN), attempts=state.attempts)
    replies = (lead,) if lead else ()
    return _result(chooser, *replies, Reply("conversation.category_list", options=numbered(labels)))


def _retry(state: ConversationState, context: Context, again: Reply) -> TurnResult:
    """Asks again once; after that, offers the list, skipping or a person."""
    attempts = state.attempts + 1
    if attempts < MAX_TRIES:
        return _result(replace(state, attempts=attempts), again)
    if state.step in (Step.ASK_CATEGORY, Step.CHOOSE_CATEGORY) and HUMAN not in state.offered:
        return _offer_menu(replace(state, attempts=attempts), context, Reply("conversation.too_many_tries"))
    offered = state.offered if HUMAN in state.offered else (*state.offered, HUMAN)
    options = (*_drop_human(again.options), Option(Text("option.talk_to_person"), str(len(offered))))
    if not again.options:
        # A question without a list: a person is the only way forward besides answering.
        offered, options = (HUMAN,), (Option(Text("option.talk_to_person"), "1"),)
    stuck = replace(state, attempts=attempts, offered=offered)
    return _result(stuck, Reply("conversation.too_many_tries"), replace(again, options=options))


def _drop_human(options: tuple[Option, ...]) -> tuple[Option, ...]:
    return tuple(option for option in options if option.label != Text("option.talk_to_person"))


def _options_of(state: ConversationState, context: Context) -> tuple[Option, ...]:
    """The numbered list the resident is answering, shown again."""
    labels: list[Text | str] = []
    languages: list[str | None] = []
    question = _current_question(state, context)
    for value in state.offered:
        language = None
        label: Text | str
        if value == HUMAN:
            label = Text("option.talk_to_person")
        elif value == MORE:
            label = Text("option.something_else")
        elif value == NONE:
            label = Text("option.none_of_these")
        elif state.step is Step.CHOOSE_LANGUAGE:
            label, language = Text("language_name"), value
        elif state.step is Step.CHOOSE_CHANGE:
            label = Text(f"option.change_{value}")
        elif state.step is Step.CHOOSE_STREET:
            label = state.candidates[int(value)].label
        elif question is not None:
            label = Text(f"question.{state.draft.category}.{question.code}.answers.{value}", fallback=value)
        else:
            label = _category_name(value, context)
        labels.append(label)
        languages.append(language)
    return numbered(tuple(labels), languages=tuple(languages))


# --- small helpers ---------------------------------------------------------------


def _adopt_language(state: ConversationState, heard: Heard) -> ConversationState:
    """The first real sentence sets the language; a new report in another language, with
    nothing in progress, switches to it (a family shares a phone)."""
    if not heard.language_detected:
        return state
    if heard.language == state.language:
        return state if state.language_settled else replace(state, language_settled=True)
    between_reports = state.step is Step.IDLE and not state.draft.started
    if not state.language_settled or (between_reports and len(heard.text.split()) >= NEW_LANGUAGE_WORDS):
        return replace(state, language=heard.language, language_settled=True)
    return state


def _switch_language(state: ConversationState, language: str, context: Context) -> TurnResult:
    switched = replace(
        state, language=language, language_settled=True, step=state.resume or state.step, resume=None, attempts=0
    )
    if switched.step is Step.CHOOSE_LANGUAGE:
        switched = replace(switched, step=Step.IDLE)
    return _with_prompt(switched, context, Reply("conversation.language_changed"))


def _with_prompt(state: ConversationState, context: Context, *lead: Reply) -> TurnResult:
    """The lead replies, then the question the resident was answering, asked again."""
    if state.step is Step.IDLE:
        return _result(state, *lead, Reply("conversation.ask_problem"))
    if state.step is Step.HANDED_OFF:
        return _result(state, *lead, Reply("conversation.handoff_waiting"))
    if state.step is Step.CHOOSE_LANGUAGE:
        return _result(state, *lead, Reply("conversation.choose_language", options=_options_of(state, context)))
    if state.step is Step.CHOOSE_CATEGORY:
        return _result(state, *lead, Reply("conversation.choose_category", options=_options_of(state, context)))
    if state.step is Step.CHOOSE_CHANGE:
        return _result(state, *lead, Reply("conversation.ask_what_to_change", options=_options_of(state, context)))
    if state.step is Step.CHOOSE_STREET:
        return _result(state, *lead, Reply("conversation.location_suggestions", options=_options_of(state, context)))
    if state.step is Step.CONFIRM_WRITTEN_PLACE:
        return _result(state, *lead, _written_place_question(state.candidates[0]))
    return _advance(state, context, lead)


def _add_to_case(state: ConversationState, case_id: str, heard: Heard) -> TurnResult:
    return TurnResult(
        state,
        (Reply("conversation.added_to_case", {"case_id": case_id}),),
        (AddToCase(case_id, heard.text.strip(), heard.photos),),
    )


def _status_answer(state: ConversationState, found: StatusFound, context: Context) -> TurnResult:
    cases = found.cases[:STATUS_CASES]
    if not cases and found.asked:
        # Someone else's case number gets the same answer as one that does not exist.
        replies: tuple[Reply, ...] = (Reply("status_answer.not_found", {"case_id": found.asked}),)
    elif not cases:
        replies = (Reply("status_answer.none"),)
    else:
        replies = (Reply("status_answer.intro", {"count": len(cases)}), *(r for c in cases for r in _case_lines(c)))
    if state.step is not Step.IDLE:
        return _with_prompt(state, context, *replies)
    return TurnResult(state, replies)


def _case_lines(case: CaseSummary) -> tuple[Reply, ...]:
    params: dict[str, Param] = {
        "case_id": case.case_id,
        "category": Text(f"category.{case.category}.name", fallback=case.category_name),
        "place": case.place or "",
        "status": Text(f"status.{case.status}", {"team": case.team}),
        "date": Day(case.since),
    }
    if case.due and case.place:
        line = Reply("status_answer.case_due", {**params, "due": Day(case.due)})
    else:
        line = Reply("status_answer.case" if case.place else "status_answer.case_no_place", params)
    if case.last_note:
        return (line, Reply("status_answer.latest_note", {"case_id": case.case_id, "note": case.last_note}))
    return (line,)


def _picked(state: ConversationState, heard: Heard) -> str | None:
    """The list entry the resident chose by number, if any."""
    for number in heard.choices:
        if 0 < number <= len(state.offered):
            return state.offered[number - 1]
    return None


def _likeliest(guesses: tuple[CategoryGuess, ...], context: Context) -> tuple[str, ...]:
    codes = (g.code for g in guesses if g.confidence >= OFFER_CATEGORY and g.code != "other")
    return tuple(code for code in codes if code in context.services)[:OFFERED_CATEGORIES]


def _new_report(heard: Heard) -> bool:
    """A problem and a place in one message is a new report, whatever the intent model says."""
    return heard.sure_category is not None and bool(heard.place or heard.place_written or heard.place_suggestions)


def _offerable(heard: Heard, context: Context) -> bool:
    return bool(_likeliest(heard.categories, context))


def _category_name(code: str, context: Context) -> Text:
    service = context.services.get(code)
    return Text(f"category.{code}.name", fallback=service.name if service else code)


def _unanswered(draft: Draft, context: Context) -> Question | None:
    service = context.services.get(draft.category or "")
    if service is None:
        return None
    return next((q for q in service.questions if draft.answer(q.code) is None), None)


def _current_question(state: ConversationState, context: Context) -> Question | None:
    service = context.services.get(state.draft.category or "")
    if service is None or state.question is None:
        return None
    return next((q for q in service.questions if q.code == state.question), None)


def _result(state: ConversationState, *replies: Reply) -> TurnResult:
    return TurnResult(state, tuple(replies))

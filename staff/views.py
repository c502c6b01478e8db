"""The staff console's pages: sign-in, the case list and the case thread.

The only module of staff/ that touches Flask's request and session; the rest is plain
functions over the case store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import redis
from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from bot.notify import Notifier
from bot.ratelimit import RedisRateLimiter
from case_store.errors import CaseValidationError, NotFoundError, TransitionError
from case_store.media import MAX_BYTES, MediaError, MediaStore
from case_store.models import EventKind, StaffUser
from case_store.service import MAX_NOTE
from case_store.staff import authenticate
from case_store.statuses import ALLOWED_TRANSITIONS, CLOSURE_REASON_TEXT, STATUS_TEXT, CaseStatus, ClosureReason
from nlu.translate import Translator
from staff.csrf import FIELD as CSRF_FIELD
from staff.csrf import new_token, token_matches
from staff.forms import MAX_REPLY, FormError, parse_filters, parse_login, parse_reply, parse_status, safe_next
from staff.logins import LOGIN_HOURS, LoginThrottle, StaffLogins
from staff.read import list_cases, read_thread, service_choices
from staff.work import CaseChangedError, do_staff_reply, do_staff_status_change, find_case_for_update

WRONG_LOGIN = "email or password is wrong"
STALE_FORM = "This form has expired or did not come from the staff console. Go back, reload the page and try again."
# Staff pages run no scripts and load nothing from elsewhere (the map is a link).
CSP = (
    "default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
EVENT_LABELS = {
    EventKind.CREATED: "Case created",
    EventKind.STATUS_CHANGED: "Status changed",
    EventKind.NOTE: "Note",
    EventKind.REOPENED: "Reopened",
    EventKind.DUPLICATE_LINKED: "Duplicate linked",
    EventKind.MEDIA_ADDED: "Photo added",
}
_LOGIN = "login"  # session key: the login id (see staff.logins)
_CSRF = "csrf"  # session key: the form token


@dataclass(frozen=True, slots=True)
class StaffMember:
    id: int
    email: str
    name: str | None

    @property
    def actor(self) -> str:
        return f"staff:{self.email}"  # as the staff API records it


def staff_blueprint(
    sessions: sessionmaker[Session],
    redis_client: redis.Redis,
    media: MediaStore,
    notifier: Notifier,
    translator: Translator | None,
    *,
    public_base_url: str,
    timezone: str = "UTC",
    login_attempts: int = 10,
    login_window_seconds: int = 15 * 60,
    login_hours: int = LOGIN_HOURS,
) -> Blueprint:
    """The staff console under /staff.

    Registering it sets the app's session cookie to HttpOnly, SameSite=Lax, and Secure
    when ``public_base_url`` is https (only the staff console uses Flask's session).
    """
    bp = Blueprint(
        "staff",
        __name__,
        url_prefix="/staff",
        template_folder="templates",
        static_folder="static",
        static_url_path="/static",
    )
    logins = StaffLogins(redis_client, lifetime_seconds=login_hours * 3600)
    throttle = LoginThrottle(
        redis_client, RedisRateLimiter(redis_client), attempts=login_attempts, window_seconds=login_window_seconds
    )
    zone = ZoneInfo(timezone)
    secure_cookie = public_base_url.startswith("https://")

    @bp.record_once
    def cookie_settings(state: BlueprintSetupState) -> None:
        state.app.config.update(
            SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure_cookie
        )

    @bp.context_processor
    def template_helpers() -> dict[str, Any]:
        return {
            "csrf_field": CSRF_FIELD,
            "csrf_token": _csrf_token,
            "local_time": lambda moment: _local_time(moment, zone),
            "timezone": timezone,
            "staff": g.get("staff"),
            "status_text": STATUS_TEXT,
            "reason_text": CLOSURE_REASON_TEXT,
            "event_labels": EVENT_LABELS,
        }

    def current_member() -> StaffMember | None:
        login_id = session.get(_LOGIN)
        user_id = logins.user_id(login_id)
        if user_id is None:
            return None
        with sessions() as db:
            user = db.get(StaffUser, user_id)
            if user is None or not user.active:
                # Disabled since signing in: the login ends now, not when it expires.
                logins.end(login_id)
                session.pop(_LOGIN, None)
                return None
            return StaffMember(user.id, user.email, user.name)

    @bp.before_request
    def guard() -> ResponseReturnValue | None:
        if request.endpoint == "staff.static":
            return None
        if request.endpoint != "staff.login":
            member = current_member()
            if member is None:
                wanted = request.full_path.rstrip("?") if request.method == "GET" else None
                return redirect(url_for("staff.login", next=wanted), 303)
            g.staff = member
        if request.method == "POST" and not token_matches(session.get(_CSRF), request.form.get(CSRF_FIELD)):
            return _error_page(400, STALE_FORM)
        return None

    @bp.after_request
    def private_pages(response: Response) -> Response:
        if request.endpoint != "staff.static":
            response.headers["Cache-Control"] = "no-store"
            response.headers["Content-Security-Policy"] = CSP
        return response

    @bp.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
        return _error_page(413, f"The upload is too large: photos can be up to {MAX_BYTES // (1024 * 1024)} MB.")

    @bp.get("/")
    def index() -> ResponseReturnValue:
        return redirect(url_for("staff.cases"))

    @bp.route("/login", methods=["GET", "POST"])
    def login() -> ResponseReturnValue:
        target = safe_next(request.values.get("next"), url_for("staff.cases"))
        if request.method == "GET":
            if current_member() is not None:
                return redirect(target)
            return _page("staff/login.html", 200, next=target, email="", error=None)
        email = request.form.get("email", "").strip()[:320]
        ip = request.remote_addr or "unknown"
        if throttle.locked(email, ip):
            return _login_refused(target, email, throttle.window_seconds)
        try:
            form = parse_login(request.form)
        except FormError:
            return _page("staff/login.html", 401, next=target, email=email, error=WRONG_LOGIN)
        with sessions.begin() as db:
            user = authenticate(db, form.email, form.password)  # None for disabled accounts too
            user_id = user.id if user is not None else None
        if user_id is None:
            if throttle.failed(email, ip):
                return _login_refused(target, email, throttle.window_seconds)
            return _page("staff/login.html", 401, next=target, email=email, error=WRONG_LOGIN)
        # A new session: nothing set before signing in (by anyone) carries over.
        logins.end(session.get(_LOGIN))
        session.clear()
        session[_LOGIN] = logins.start(user_id)
        session[_CSRF] = new_token()
        return redirect(target, 303)

    @bp.post("/logout")
    def logout() -> ResponseReturnValue:
        logins.end(session.get(_LOGIN))
        session.clear()
        flash("You are signed out.")
        return redirect(url_for("staff.login"), 303)

    @bp.get("/cases")
    def cases() -> ResponseReturnValue:
        filters = parse_filters(request.args)
        with sessions() as db:
            listing = list_cases(db, status=filters.status, service_code=filters.service_code, page=filters.page)
            services = service_choices(db)
        return _page(
            "staff/cases.html", 200, listing=listing, filters=filters, services=services, statuses=list(CaseStatus)
        )

    @bp.get("/cases/<case_id>")
    def case(case_id: str) -> ResponseReturnValue:
        return thread_page(case_id, 200)

    @bp.post("/cases/<case_id>/replies")
    def reply(case_id: str) -> ResponseReturnValue:
        member: StaffMember = g.staff
        try:
            form = parse_reply(request.form)
            with sessions.begin() as db:
                queued = do_staff_reply(db, notifier, find_case_for_update(db, case_id), form, actor=member.actor)
        except NotFoundError:
            return _error_page(404, f"There is no case {case_id}.")
        except FormError as error:
            return thread_page(case_id, 422, reply_error=error.message, reply_text=request.form.get("text", ""))
        if form.internal:
            flash("Internal note saved. Residents do not see it.")
        elif queued:
            flash(f"Reply queued for {queued} subscribed resident{'s' if queued != 1 else ''}.")
        else:
            flash("No resident is subscribed to this case: the reply was saved as a note only.")
        return redirect(url_for("staff.case", case_id=case_id, _anchor="conversation"), 303)

    @bp.post("/cases/<case_id>/status")
    def change(case_id: str) -> ResponseReturnValue:
        member: StaffMember = g.staff
        upload = request.files.get("evidence")
        photo = upload.read() if upload is not None and upload.filename else None
        entered = {key: request.form.get(key, "") for key in ("status", "closure_reason", "note")}
        try:
            form = parse_status(request.form)
            with sessions.begin() as db:
                case = find_case_for_update(db, case_id)
                do_staff_status_change(db, notifier, media, case, form, photo, actor=member.actor)
                now = case.status
        except NotFoundError:
            return _error_page(404, f"There is no case {case_id}.")
        except CaseChangedError as error:
            return thread_page(case_id, 409, status_error=error.message, status_entered=entered)
        except (FormError, TransitionError, CaseValidationError) as error:
            return thread_page(case_id, 422, status_error=error.message, status_entered=entered)
        except MediaError as error:
            return thread_page(case_id, 422, status_error=f"The evidence photo: {error}.", status_entered=entered)
        flash(f"Status changed to {STATUS_TEXT[now]}. Any subscribed residents are told.")
        return redirect(url_for("staff.case", case_id=case_id, _anchor="history"), 303)

    def thread_page(case_id: str, status: int, **forms: Any) -> ResponseReturnValue:
        with sessions.begin() as db:  # reading translates residents' new messages once, and keeps them
            try:
                thread = read_thread(db, case_id, translator)
            except NotFoundError:
                return _error_page(404, f"There is no case {case_id}.")
        context: dict[str, Any] = {
            "reply_error": None,
            "reply_text": "",
            "status_error": None,
            "status_entered": {},
        }
        context.update(forms)
        return _page(
            "staff/case.html",
            status,
            thread=thread,
            next_statuses=[s for s in CaseStatus if s in ALLOWED_TRANSITIONS[thread.case.status]],
            reasons=list(ClosureReason),
            max_reply=MAX_REPLY,
            max_note=MAX_NOTE,
            **context,
        )

    return bp


def _page(template: str, status: int, **context: Any) -> ResponseReturnValue:
    return render_template(template, **context), status


def _error_page(status: int, message: str) -> ResponseReturnValue:
    return _page("staff/error.html", status, code=status, message=message)


def _login_refused(target: str, email: str, window_seconds: int) -> ResponseReturnValue:
    minutes = max(1, window_seconds // 60)
    error = f"Too many failed sign-ins for this address. Try again in {minutes} minutes."
    page = render_template("staff/login.html", next=target, email=email, error=error)
    return page, 429, {"Retry-After": str(window_seconds)}


def _csrf_token() -> str:
    token = session.get(_CSRF)
    if not isinstance(token, str) or not token:
        token = session[_CSRF] = new_token()
    return token


def _local_time(moment: datetime | None, zone: ZoneInfo) -> str:
    if moment is None:
        return ""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")

"""``intake-bot staff``: staff accounts and their API tokens."""

from __future__ import annotations

import click
from sqlalchemy.orm import Session, sessionmaker

from bot.app import build_services
from bot.settings import SettingsError, load_settings
from case_store.errors import CaseValidationError, NotFoundError
from case_store.models import StaffRole
from case_store.staff import check_new_user, do_create_user, do_issue_token


@click.group()
def staff() -> None:
    """Staff accounts (agent, supervisor, admin) and bearer tokens for the staff API."""


ROLES = click.Choice([role.value for role in StaffRole])


@staff.command("create-user")
@click.argument("email")
@click.option("--role", type=ROLES, default=StaffRole.AGENT.value, show_default=True)
@click.option("--name", default=None, help="The name shown to colleagues.")
@click.password_option(help="At least 12 characters; asked for when not given.")
def create_user(email: str, role: str, name: str | None, password: str) -> None:
    """Creates a staff account."""
    with _sessions().begin() as session:
        try:
            checked = check_new_user(session, email, password)
        except CaseValidationError as error:
            raise click.ClickException(str(error)) from None
        do_create_user(session, checked, password, StaffRole(role), name)
    click.echo(f"Created {role} {checked}")


@staff.command("token")
@click.argument("email")
def token(email: str) -> None:
    """Prints a new bearer token for the staff API (shown once)."""
    with _sessions().begin() as session:
        try:
            click.echo(do_issue_token(session, email))
        except NotFoundError as error:
            raise click.ClickException(str(error)) from None


def _sessions() -> sessionmaker[Session]:
    try:
        settings = load_settings()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    return build_services(settings).sessions

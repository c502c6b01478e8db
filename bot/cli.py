"""The ``intake-bot`` command line."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.orm import Session

from bot.app import AppServices, build_services, build_worker, create_app
from bot.cli_city import city, geocode
from bot.cli_nlu import nlu
from bot.cli_staff import staff
from bot.cli_telegram import telegram
from bot.cli_translate import translate
from bot.settings import Settings, SettingsError, load_settings
from case_store import migrate
from case_store.apikeys import do_create_api_key, do_revoke_api_key, list_api_keys
from case_store.catalog import CatalogError, read_catalog, read_default_catalog
from case_store.catalog.load import do_load_catalog, has_services
from case_store.errors import CaseStoreError
from nlu.city import ensure_city_loaded

F = TypeVar("F", bound=Callable[..., Any])


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def _services() -> AppServices:
    return build_services(_settings())


@contextmanager
def _transaction(services: AppServices) -> Iterator[Session]:
    try:
        with services.sessions.begin() as session:
            yield session
    except CaseStoreError as exc:
        raise click.ClickException(exc.message) from None


@click.group()
def main() -> None:
    """311 intake bot: residents report problems, the city works the cases."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8311, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, threads: int) -> None:
    """Runs the whole product in one process (migrations, catalog, web app)."""
    import waitress

    settings = _settings()
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    address = f"http://{shown_host}:{port}"
    if "public_base_url" not in settings.model_fields_set:
        # Photo and API links must point where this server really listens.
        settings = settings.model_copy(update={"public_base_url": address})
    services = build_services(settings)
    prepare_store(services)
    app = create_app(services=services)
    # The understanding models load (or, on a fresh machine, train for a minute or two)
    # while the server already answers; a chat message that comes first waits for them.
    threading.Thread(target=services.understanding, name="load-understanding", daemon=True).start()
    # One process carries everything on the embedded defaults: the worker runs beside the web server.
    stop = threading.Event()
    threading.Thread(target=build_worker(services).run, args=(stop,), name="worker", daemon=True).start()
    click.echo(f"311 intake is running: open {address}/chat to report a problem  (Ctrl+C to stop)")
    click.echo(f"Data directory: {services.settings.data_dir}")
    waitress.serve(app, host=host, port=port, threads=threads, ident="intake-bot")


@main.command()
def worker() -> None:
    """Runs the turns of SMS, WhatsApp and Telegram messages and delivers the outbox."""
    services = _services()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    click.echo("Worker running (Ctrl+C to stop)")
    build_worker(services).run(stop)


def prepare_store(services: AppServices) -> None:
    """Brings the schema up to date; loads the default catalog and the demo city into an
    empty store (a city's own data, once imported, is never replaced by the demo)."""
    migrate.upgrade(services.engine)
    with services.sessions.begin() as session:
        if not has_services(session):
            summary = do_load_catalog(session, read_default_catalog())
            click.echo(f"Loaded the default service catalog: {summary}")
        city = ensure_city_loaded(session)
        if city is not None:
            click.echo(f"Loaded the demo city: {city}")


@main.group()
def db() -> None:
    """Database schema migrations."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Applies migrations and loads the default catalog into an empty store (the release step)."""
    services = _services()
    if revision == "head":
        prepare_store(services)
    else:
        migrate.upgrade(services.engine, revision)
    click.echo(f"Database at revision {migrate.current_revision(services.engine)}")


@db.command("current")
def db_current() -> None:
    """Prints the database's migration revision."""
    services = _services()
    current = migrate.current_revision(services.engine)
    head = migrate.head_revision()
    click.echo(f"{current or 'empty'} (latest: {head})")
    if current != head:
        sys.exit(1)


@db.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Generates a migration from the difference between the models and the database."""
    migrate.make_revision(_services().engine, message)


@main.group()
def catalog() -> None:
    """The service catalog (categories residents report under)."""


@catalog.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def catalog_load(file: Path) -> None:
    """Loads a catalog file; nothing changes if any part of it is invalid."""
    try:
        parsed = read_catalog(file)
    except CatalogError as exc:
        raise click.ClickException(str(exc)) from None
    services = _services()
    migrate.upgrade(services.engine)
    with _transaction(services) as session:
        summary = do_load_catalog(session, parsed)
    click.echo(f"Catalog loaded: {summary}")
    for label, codes in (("added", summary.added), ("updated", summary.updated), ("retired", summary.retired)):
        if codes:
            click.echo(f"  {label}: {', '.join(codes)}")


@main.group()
def apikey() -> None:
    """API keys for Open311 clients that post requests."""


@apikey.command("create")
@click.argument("name")
def apikey_create(name: str) -> None:
    """Creates a key and prints it; it cannot be shown again."""
    services = _services()
    migrate.upgrade(services.engine)
    with _transaction(services) as session:
        _, key = do_create_api_key(session, name)
    click.echo(key)


@apikey.command("list")
def apikey_list() -> None:
    """Lists keys by name (never the keys themselves)."""
    services = _services()
    with services.sessions() as session:
        for row in list_api_keys(session):
            state = "revoked" if row.revoked_at else "active"
            used = row.last_used_at.isoformat(timespec="minutes") if row.last_used_at else "never"
            click.echo(f"{row.name}\t{row.prefix}…\t{state}\tlast used {used}")


@apikey.command("revoke")
@click.argument("name")
def apikey_revoke(name: str) -> None:
    """Revokes a key at once."""
    services = _services()
    with _transaction(services) as session:
        do_revoke_api_key(session, name)
    click.echo(f"Revoked {name}")


main.add_command(nlu)
main.add_command(city)
main.add_command(geocode)
main.add_command(telegram)
main.add_command(staff)
main.add_command(translate)

if __name__ == "__main__":
    main()

"""``intake-bot translate``: install and list the machine-translation models.

Registered on the main command group by bot/cli.py. Models are Argos Translate
packages (``.argosmodel`` files), installed under ``<data dir>/translation``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from bot.settings import SettingsError, load_settings
from nlu.translate import PackageError, Translator, install_package, installed_packages, translation_dir


def _root() -> Path:
    # Only the data directory: these commands need neither the database nor Redis.
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    return translation_dir(settings.data_dir)


@click.group()
def translate() -> None:
    """Machine translation of what residents and staff write (Argos Translate models)."""


@translate.command("install")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the installed model even if it is newer.")
def translate_install(file: Path, force: bool) -> None:
    """Installs FILE.argosmodel, replacing the installed model of the same language pair.

    The archive is checked (safe names, sizes, the files a model needs) and the model is
    loaded once before it replaces anything. Running processes see it after a restart.
    """
    try:
        result = install_package(file, _root(), force=force)
    except PackageError as exc:
        raise click.ClickException(f"{file.name}: {exc}") from None
    info = result.package.info
    replaced = "" if result.replaced is None else f", replacing version {result.replaced or '(none)'}"
    click.echo(f"Installed {info.source} -> {info.target} version {info.version or '(none)'}{replaced}")
    click.echo(f"  in {result.package.path}")


@translate.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the pairs as JSON.")
def translate_list(as_json: bool) -> None:
    """Lists the installed language pairs with their versions."""
    root = _root()
    packages = installed_packages(root)
    if as_json:
        rows = [
            {"source": p.info.source, "target": p.info.target, "version": p.info.version, "path": str(p.path)}
            for p in packages
        ]
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not packages:
        click.echo(f"No translation models in {root}.")
        click.echo("Install one with: intake-bot translate install FILE.argosmodel")
        return
    for package in packages:
        info = package.info
        names = f"{info.source_name} -> {info.target_name}" if info.source_name and info.target_name else ""
        click.echo(f"{info.source + ' -> ' + info.target:12}{info.version or '-':10}{names}")


@translate.command("text")
@click.option("--source", "-s", required=True, help="The text's language code, e.g. es.")
@click.option("--target", "-t", default="en", show_default=True, help="The language to translate into.")
@click.argument("words", nargs=-1)
def translate_text(source: str, target: str, words: tuple[str, ...]) -> None:
    """Translates WORDS (or standard input) with the installed models, to try them out."""
    text = " ".join(words) if words else sys.stdin.read()
    result = Translator(_root()).translate(text.strip(), source, target)
    click.echo(result.text)
    if not result.needed:
        click.echo("(nothing to translate)", err=True)
    elif not result.translated:
        click.echo(f"(not translated: no working model for {result.source} -> {result.target})", err=True)
    elif result.via:
        click.echo(f"(through {result.via})", err=True)

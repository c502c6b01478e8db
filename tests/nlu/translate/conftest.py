"""The tiny model, built once per test session, and archives of it for any language pair."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from nlu.translate import install_package
from tests.nlu.translate.tiny_model import build_model_files, make_archive

MakeArchive = Callable[..., Path]


@pytest.fixture(scope="session")
def model_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_model_files(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def argos_archive(model_files: Path, tmp_path_factory: pytest.TempPathFactory) -> MakeArchive:
    """argos_archive("es", "en", "1.1", folder=None, target_prefix="__en__") -> a new .argosmodel file."""
    folder = tmp_path_factory.mktemp("archives")
    made = 0

    def make(source: str, target: str, version: str = "1.0", **options: object) -> Path:
        nonlocal made
        made += 1
        destination = folder / f"{made}-{source}_{target}.argosmodel"
        return make_archive(model_files, destination, source, target, version, **options)  # type: ignore[arg-type]

    return make


@pytest.fixture(scope="session")
def models_root(argos_archive: MakeArchive, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """es->en and en->vi installed (so es->vi goes through English); shared, so never modified."""
    root = tmp_path_factory.mktemp("translation")
    for source, target in [("es", "en"), ("en", "vi")]:
        install_package(argos_archive(source, target), root)
    return root

"""Installing .argosmodel files: safe unpacking, atomic replacement, listing."""

from __future__ import annotations

import json
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from nlu.translate import Limits, PackageError, install_package, installed_packages
from tests.nlu.translate.conftest import MakeArchive


def contents(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if ".install.lock" not in path.name}


def test_install_unpacks_one_folder_per_pair_and_lists_it(argos_archive: MakeArchive, tmp_path: Path) -> None:
    root = tmp_path / "translation"
    result = install_package(argos_archive("es", "en", "1.0"), root)
    assert result.replaced is None and result.package.path == root / "es-en"
    assert {"es-en/metadata.json", "es-en/model/model.bin", "es-en/sentencepiece.model"} <= contents(root)
    assert not any(name.startswith(".") for name in contents(root))  # no staging leftovers
    listed = installed_packages(root)
    assert [(p.info.source, p.info.target, p.info.version, p.info.source_name) for p in listed] == [
        ("es", "en", "1.0", "ES")
    ]


def test_a_package_zipped_without_its_folder_installs_too(argos_archive: MakeArchive, tmp_path: Path) -> None:
    result = install_package(argos_archive("vi", "en", folder=None), tmp_path)
    assert result.package.info.pair == ("vi", "en") and (tmp_path / "vi-en" / "model" / "model.bin").is_file()


def test_a_newer_version_replaces_the_installed_one(argos_archive: MakeArchive, tmp_path: Path) -> None:
    install_package(argos_archive("es", "en", "1.0"), tmp_path)
    (tmp_path / "es-en" / "stale.txt").write_text("from 1.0")
    result = install_package(argos_archive("es", "en", "1.10"), tmp_path)
    assert result.replaced == "1.0"
    assert [p.info.version for p in installed_packages(tmp_path)] == ["1.10"]
    assert not (tmp_path / "es-en" / "stale.txt").exists()  # replaced whole, not merged
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".install.lock") == ["es-en"]


def test_an_older_version_is_refused_unless_forced(argos_archive: MakeArchive, tmp_path: Path) -> None:
    install_package(argos_archive("es", "en", "1.9"), tmp_path)
    older = argos_archive("es", "en", "1.0")
    with pytest.raises(PackageError, match="1.9 is installed"):
        install_package(older, tmp_path)
    assert [p.info.version for p in installed_packages(tmp_path)] == ["1.9"]
    assert install_package(older, tmp_path, force=True).replaced == "1.9"
    assert [p.info.version for p in installed_packages(tmp_path)] == ["1.0"]


def test_a_model_that_does_not_load_never_replaces_a_working_one(argos_archive: MakeArchive, tmp_path: Path) -> None:
    root = tmp_path / "translation"
    install_package(argos_archive("es", "en", "1.0"), root)
    damaged = rewrite(argos_archive("es", "en", "2.0"), tmp_path / "damaged.argosmodel", {"model/model.bin": b"junk"})
    with pytest.raises(PackageError, match="does not load"):
        install_package(damaged, root)
    assert [p.info.version for p in installed_packages(root)] == ["1.0"]
    assert sorted(p.name for p in root.iterdir() if p.name != ".install.lock") == ["es-en"]


def rewrite(archive: Path, destination: Path, replace: dict[str, bytes]) -> Path:
    """A copy of archive with some files (named inside the package folder) replaced."""
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(destination, "w") as target:
        for member in source.infolist():
            inner = member.filename.partition("/")[2]
            target.writestr(member, replace.get(inner, source.read(member)))
    return destination


def zip_of(path: Path, members: dict[str, bytes], *, metadata: dict[str, object] | None = None) -> Path:
    document = {"from_code": "es", "to_code": "en", "package_version": "1.0"} if metadata is None else metadata
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("pkg/metadata.json", json.dumps(document))
        for name, data in members.items():
            bundle.writestr(name, data)
    return path


def with_symlink(path: Path) -> Path:
    zip_of(path, {})
    with zipfile.ZipFile(path, "a") as bundle:
        link = zipfile.ZipInfo("pkg/sentencepiece.model")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        bundle.writestr(link, "/etc/passwd")
    return path


MALICIOUS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "parent traversal": (lambda p: zip_of(p, {"pkg/../../evil.txt": b"x"}), "unsafe file name"),
    "absolute path": (lambda p: zip_of(p, {"/tmp/evil.txt": b"x"}), "unsafe file name"),
    "backslashes": (lambda p: zip_of(p, {"pkg\\..\\evil.txt": b"x"}), "unsafe file name"),
    "drive letter": (lambda p: zip_of(p, {"C:/evil.txt": b"x"}), "unsafe file name"),
    "symlink": (with_symlink, "link or special file"),
    "zip bomb": (lambda p: zip_of(p, {"pkg/model/model.bin": bytes(8 << 20)}), "zip bomb"),
    "no metadata": (lambda p: zip_of(p, {}, metadata={}), "no usable from_code"),
    "code with a path in it": (
        lambda p: zip_of(p, {}, metadata={"from_code": "../es", "to_code": "en"}),
        "no usable from_code",
    ),
    "sentence-boundary package": (
        lambda p: zip_of(p, {}, metadata={"type": "sbd", "from_code": "es", "to_code": "en"}),
        "not a translation model",
    ),
    "no model": (lambda p: zip_of(p, {"pkg/sentencepiece.model": b"x"}), "no CTranslate2 model"),
    "BPE tokeniser only": (
        lambda p: zip_of(p, {"pkg/model/model.bin": b"x", "pkg/bpe.model": b"x"}),
        "only SentencePiece",
    ),
    "not a zip": (lambda p: (p.write_bytes(b"PK? not really"), p)[1], "zip archive"),
}


@pytest.mark.parametrize("case", MALICIOUS)
def test_unsafe_or_unusable_archives_are_refused_and_nothing_is_written(case: str, tmp_path: Path) -> None:
    build, reason = MALICIOUS[case]
    archive = build(tmp_path / "bad.argosmodel")
    root = tmp_path / "install" / "translation"
    with pytest.raises(PackageError, match=reason):
        install_package(archive, root, load_check=False)
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "install" / "evil.txt").exists()
    assert not root.exists() or contents(root) == set()
    assert installed_packages(root) == []


def test_size_limits(argos_archive: MakeArchive, tmp_path: Path) -> None:
    archive = argos_archive("es", "en")
    for limits, reason in [
        (Limits(archive_bytes=1000), "larger than"),
        (Limits(unpacked_bytes=10_000), "unpacks to more than"),
        (Limits(members=3), "more than 3 files"),
    ]:
        with pytest.raises(PackageError, match=reason):
            install_package(archive, tmp_path, limits=limits)
    assert installed_packages(tmp_path) == []


def test_listing_skips_broken_folders_and_keeps_the_newest_of_a_pair(
    argos_archive: MakeArchive, tmp_path: Path
) -> None:
    install_package(argos_archive("es", "en", "1.2"), tmp_path)
    install_package(argos_archive("en", "vi", "1.0"), tmp_path)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "metadata.json").write_text("{not json")
    copy = tmp_path / "es-en-old"  # copied in by hand, with an older version
    copy.mkdir()
    for path in (tmp_path / "es-en").rglob("*"):
        if path.is_file():
            target = copy / path.relative_to(tmp_path / "es-en")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    (copy / "metadata.json").write_text(json.dumps({"from_code": "es", "to_code": "en", "package_version": "1.1"}))
    listed = [(p.info.pair, p.info.version, p.path.name) for p in installed_packages(tmp_path)]
    assert listed == [(("en", "vi"), "1.0", "en-vi"), (("es", "en"), "1.2", "es-en")]
    assert installed_packages(tmp_path / "missing") == []

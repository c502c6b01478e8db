"""Argos Translate packages: checking, installing and listing them.

An ``.argosmodel`` file is a zip of one folder (some tools zip its contents directly)
holding ``metadata.json`` (from_code, to_code, package_version, optional
target_prefix...), a CTranslate2 model in ``model/`` and a SentencePiece model
``sentencepiece.model``. Each installed pair lives in ``<root>/<from>-<to>/``; the
folder name is only a convention, the pair is always read from ``metadata.json``.

The archive comes from outside, so nothing in it is trusted: names that could leave
the install folder, links, encrypted members and oversized contents are refused before
anything is written, and a package is unpacked beside the installed ones, checked
(optionally loaded), then moved into place.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import stat
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

log = logging.getLogger(__name__)

METADATA = "metadata.json"
MODEL_DIR = "model"
MODEL_FILE = "model.bin"
SENTENCEPIECE = "sentencepiece.model"

# Argos codes are ISO 639-1 like ("en", "zh") plus a few of its own ("zt", "pb").
_CODE = re.compile(r"^[a-z]{2,3}(?:_[a-z0-9]{2,8})?$")
_VERSION = re.compile(r"^[0-9A-Za-z.+_-]{0,32}$")
_COPY_CHUNK = 1 << 20


class PackageError(ValueError):
    """The file is not an installable package; the message says why, for the operator."""


@dataclass(frozen=True, slots=True)
class Limits:
    """What an archive may hold. Published Argos packages are 30-400 MB with a few dozen files."""

    archive_bytes: int = 2 << 30
    unpacked_bytes: int = 4 << 30
    members: int = 2_000
    metadata_bytes: int = 64 << 10
    # Model weights barely compress; a member that shrank more than this is a zip bomb.
    compression_ratio: int = 200


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class PackageInfo:
    source: str
    target: str
    version: str  # "" when the package does not say
    source_name: str = ""
    target_name: str = ""
    # Multilingual models are steered by a first target token such as "__vi__".
    target_prefix: str = ""

    @property
    def pair(self) -> tuple[str, str]:
        return self.source, self.target

    @property
    def folder_name(self) -> str:
        return f"{self.source}-{self.target}"


@dataclass(frozen=True, slots=True)
class InstalledPackage:
    info: PackageInfo
    path: Path


@dataclass(frozen=True, slots=True)
class InstallResult:
    package: InstalledPackage
    replaced: str | None  # the version that was installed before, if any


def translation_dir(data_dir: Path) -> Path:
    """Where the product keeps its translation models."""
    return data_dir / "translation"


def parse_metadata(raw: bytes) -> PackageInfo:
    try:
        document: Any = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PackageError(f"{METADATA} is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise PackageError(f"{METADATA} is not a JSON object")
    kind = document.get("type", "translate")
    if kind != "translate":
        raise PackageError(f"this is an Argos {kind!r} package, not a translation model")
    source, target = document.get("from_code"), document.get("to_code")
    for field, code in (("from_code", source), ("to_code", target)):
        if not isinstance(code, str) or not _CODE.match(code):
            raise PackageError(f"{METADATA} has no usable {field} (got {code!r})")
    assert isinstance(source, str) and isinstance(target, str)
    if source == target:
        raise PackageError(f"{METADATA} translates {source} into itself")
    version = document.get("package_version", "")
    if not isinstance(version, str) or not _VERSION.match(version):
        raise PackageError(f"{METADATA} has an unusable package_version {version!r}")
    prefix = document.get("target_prefix", "")
    if not isinstance(prefix, str) or len(prefix) > 64:
        raise PackageError(f"{METADATA} has an unusable target_prefix")
    return PackageInfo(
        source=source,
        target=target,
        version=version,
        source_name=_short_text(document.get("from_name")),
        target_name=_short_text(document.get("to_name")),
        target_prefix=prefix,
    )


def read_installed(path: Path) -> InstalledPackage:
    """An unpacked package folder, checked for the files translation needs."""
    metadata = path / METADATA
    try:
        info = parse_metadata(metadata.read_bytes())
    except OSError as exc:
        raise PackageError(f"cannot read {metadata}: {exc.strerror}") from None
    if not (path / MODEL_DIR / MODEL_FILE).is_file():
        raise PackageError(f"the package has no CTranslate2 model ({MODEL_DIR}/{MODEL_FILE})")
    if not (path / SENTENCEPIECE).is_file():
        # Some recent Argos packages use BPE with Moses tokenisation, which we do not carry.
        raise PackageError(f"the package has no {SENTENCEPIECE} (only SentencePiece packages are supported)")
    return InstalledPackage(info, path)


def installed_packages(root: Path) -> list[InstalledPackage]:
    """Every usable package under root, one per pair (the newest version wins), sorted by pair."""
    found: dict[tuple[str, str], InstalledPackage] = {}
    if not root.is_dir():
        return []
    for path in sorted(root.iterdir()):
        if path.name.startswith(".") or not path.is_dir():
            continue
        try:
            package = read_installed(path)
        except PackageError as exc:
            log.warning("ignoring translation package %s: %s", path, exc)
            continue
        current = found.get(package.info.pair)
        if current is None or version_key(package.info.version) > version_key(current.info.version):
            found[package.info.pair] = package
    return [found[pair] for pair in sorted(found)]


def version_key(version: str) -> tuple[int, ...]:
    """Numeric order: "1.10" is newer than "1.9"; an unversioned package is the oldest."""
    return tuple(int(number) for number in re.findall(r"\d+", version))


def install_package(
    archive: Path, root: Path, *, force: bool = False, limits: Limits = DEFAULT_LIMITS, load_check: bool = True
) -> InstallResult:
    """Installs archive under root, replacing the installed package of the same pair.

    A newer installed version is kept unless force. With load_check the model is loaded
    once before it replaces anything, so a damaged download never replaces a working model.
    Raises PackageError, and then leaves the installed packages as they were.
    """
    try:
        size = archive.stat().st_size
    except OSError as exc:
        raise PackageError(f"cannot read {archive}: {exc.strerror}") from None
    if size > limits.archive_bytes:
        raise PackageError(f"the file is larger than {limits.archive_bytes >> 20} MB")
    if not zipfile.is_zipfile(archive):
        raise PackageError("not an Argos package (an .argosmodel file is a zip archive)")
    root.mkdir(parents=True, exist_ok=True)
    with _install_lock(root):
        _remove_leftovers(root)
        staging = root / f".staging-{secrets.token_hex(6)}"
        try:
            with zipfile.ZipFile(archive) as bundle:
                prefix = _check_members(bundle, limits)
                _unpack(bundle, prefix, staging, limits)
            package = read_installed(staging)
            if load_check:
                _try_loading(package)
            return _move_into_place(package, root, force)
        except zipfile.BadZipFile as exc:
            raise PackageError(f"the archive is damaged: {exc}") from None
        except NotImplementedError as exc:  # a compression method zipfile lacks (e.g. Deflate64)
            raise PackageError(f"the archive cannot be read: {exc}") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _check_members(bundle: zipfile.ZipFile, limits: Limits) -> str:
    """Refuses the whole archive if any member is unsafe; returns the folder holding metadata.json."""
    members = bundle.infolist()
    if len(members) > limits.members:
        raise PackageError(f"the archive has more than {limits.members} files")
    seen: set[str] = set()
    total = 0
    for member in members:
        _check_name(member.filename)
        if member.filename.rstrip("/") in seen:
            raise PackageError(f"the archive holds {member.filename!r} twice")
        seen.add(member.filename.rstrip("/"))
        if member.flag_bits & 0x1:
            raise PackageError("the archive is encrypted")
        kind = stat.S_IFMT(member.external_attr >> 16)
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise PackageError(f"the archive holds a link or special file: {member.filename!r}")
        total += member.file_size
        if total > limits.unpacked_bytes:
            raise PackageError(f"the archive unpacks to more than {limits.unpacked_bytes >> 20} MB")
        if member.file_size > (1 << 20) and member.file_size > max(member.compress_size, 1) * limits.compression_ratio:
            raise PackageError(f"{member.filename!r} is compressed suspiciously well (a zip bomb?)")
    candidates = sorted(
        (name for name in seen if PurePosixPath(name).name == METADATA and name.count("/") <= 1),
        key=lambda name: name.count("/"),
    )
    if not candidates:
        raise PackageError(f"the archive has no {METADATA}: not an Argos package")
    if len(candidates) > 1 and candidates[0].count("/") == candidates[1].count("/"):
        raise PackageError("the archive holds more than one package")
    metadata = bundle.getinfo(candidates[0])
    if metadata.file_size > limits.metadata_bytes:
        raise PackageError(f"{METADATA} is too large")
    return candidates[0][: -len(METADATA)]


def _check_name(name: str) -> None:
    path = PurePosixPath(name)
    parts = name.rstrip("/").split("/")
    if (
        not name
        or "\\" in name
        or "\x00" in name
        or path.is_absolute()
        or ":" in parts[0]
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise PackageError(f"the archive holds an unsafe file name: {name!r}")


def _unpack(bundle: zipfile.ZipFile, prefix: str, staging: Path, limits: Limits) -> None:
    staging.mkdir()
    try:
        _copy_members(bundle, prefix, staging, limits)
    except OSError as exc:  # e.g. a file and a folder of one name, or a full disk
        raise PackageError(f"cannot unpack the archive: {exc}") from None


def _copy_members(bundle: zipfile.ZipFile, prefix: str, staging: Path, limits: Limits) -> None:
    written = 0
    for member in bundle.infolist():
        if not member.filename.startswith(prefix) or member.filename == prefix:
            continue  # beside the package folder: e.g. macOS "__MACOSX/" noise
        destination = staging.joinpath(*member.filename[len(prefix) :].rstrip("/").split("/"))
        if member.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        # Counted while copying: the sizes in the archive's directory are only claims.
        with bundle.open(member) as source, destination.open("xb") as target:
            while chunk := source.read(_COPY_CHUNK):
                written += len(chunk)
                if written > limits.unpacked_bytes:
                    raise PackageError(f"the archive unpacks to more than {limits.unpacked_bytes >> 20} MB")
                target.write(chunk)


def _try_loading(package: InstalledPackage) -> None:
    from nlu.translate.engine import PairModel

    try:
        PairModel(package)
    except Exception as exc:  # any failure of the native loaders means a bad package
        raise PackageError(f"the model does not load: {exc}") from None


def _move_into_place(package: InstalledPackage, root: Path, force: bool) -> InstallResult:
    destination = root / package.info.folder_name
    replaced: str | None = None
    if destination.exists():
        try:
            installed = read_installed(destination).info.version
        except PackageError:
            installed = ""  # a damaged package is always replaced
        else:
            if not force and version_key(installed) > version_key(package.info.version):
                raise PackageError(
                    f"{package.info.source}->{package.info.target} version {installed} is installed, newer than"
                    f" {package.info.version or 'this unversioned package'} (use --force to replace it)"
                )
        replaced = installed
        # Two renames: a reader in between finds no model and passes text on untranslated.
        old = root / f".old-{secrets.token_hex(6)}"
        os.rename(destination, old)
        os.rename(package.path, destination)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(package.path, destination)
    return InstallResult(InstalledPackage(package.info, destination), replaced)


@contextmanager
def _install_lock(root: Path) -> Iterator[None]:
    # Two installs at once (two operators, a deploy script) must not interleave their renames.
    with (root / ".install.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _remove_leftovers(root: Path) -> None:
    # What an install that was killed halfway left behind.
    for path in root.iterdir():
        if path.is_dir() and path.name.startswith((".staging-", ".old-")):
            shutil.rmtree(path, ignore_errors=True)


def _short_text(value: object) -> str:
    return value[:80] if isinstance(value, str) else ""

"""Photos: decoded to prove they are images, stripped of metadata, stored by content hash.

Files live under ``<data dir>/media/ab/<sha256>.<ext>``; the same photo sent twice is
stored once. An S3-compatible backend can implement the same three methods later.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

# iPhones take HEIC photos; they are decoded and stored as JPEG like any other.
register_heif_opener()

# Formats we accept and the one we store each as.
_STORED_AS: dict[str, tuple[str, str, str]] = {
    # Pillow format: (save format, content type, extension)
    "JPEG": ("JPEG", "image/jpeg", "jpg"),
    "MPO": ("JPEG", "image/jpeg", "jpg"),  # phone cameras' multi-picture JPEGs
    "PNG": ("PNG", "image/png", "png"),
    "WEBP": ("WEBP", "image/webp", "webp"),
    "GIF": ("PNG", "image/png", "png"),
    "HEIF": ("JPEG", "image/jpeg", "jpg"),
}
CONTENT_TYPES = {ext: ctype for _, ctype, ext in _STORED_AS.values()}
EXTENSIONS = {ctype: ext for ext, ctype in CONTENT_TYPES.items()}
MAX_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 50_000_000  # larger than any phone camera; stops decompression bombs
_NAME = re.compile(r"^([0-9a-f]{64})\.(jpg|png|webp)$")

# EXIF tags
_GPS_IFD = 0x8825


class MediaError(ValueError):
    """The upload is not an image we accept."""


@dataclass(frozen=True, slots=True)
class GpsPoint:
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class StoredMedia:
    sha256: str
    content_type: str
    extension: str
    byte_size: int
    width: int
    height: int
    gps: GpsPoint | None  # read from EXIF before it was stripped

    @property
    def filename(self) -> str:
        return media_filename(self.sha256, self.content_type)


def media_filename(sha256: str, content_type: str) -> str:
    """The public name of a stored photo, as served under /media/."""
    return f"{sha256}.{EXTENSIONS[content_type]}"


class MediaStore:
    def __init__(self, root: Path) -> None:
        self._root = root

    def save(self, data: bytes) -> StoredMedia:
        """Validates, strips and stores an image; returns what was stored."""
        if len(data) > MAX_BYTES:
            raise MediaError(f"the photo is larger than {MAX_BYTES // (1024 * 1024)} MB")
        image, source_format = _decode(data)
        gps = _gps_of(image)
        save_format, content_type, extension = _STORED_AS[source_format]
        clean = _without_metadata(image, save_format)
        sha = hashlib.sha256(clean).hexdigest()
        path = self._path(sha, extension)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename, so a reader never sees half a file.
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(clean)
            os.replace(tmp, path)
        width, height = _size_of(clean)
        return StoredMedia(sha, content_type, extension, len(clean), width, height, gps)

    def path_of(self, filename: str) -> Path | None:
        """The file for a public media name, or None for anything else (no path tricks)."""
        # fullmatch, not match: ``$`` also matches before a trailing newline, which let
        # "<sha>.jpg\n" (URL-encoded %0A) serve the photo under a second, non-canonical name.
        match = _NAME.fullmatch(filename)
        if not match:
            return None
        path = self._path(match.group(1), match.group(2))
        return path if path.is_file() else None

    def _path(self, sha: str, extension: str) -> Path:
        return self._root / sha[:2] / f"{sha}.{extension}"


def _decode(data: bytes) -> tuple[Image.Image, str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            source_format = probe.format or ""
            if source_format not in _STORED_AS:
                raise MediaError("only JPEG, PNG, WebP, HEIC and GIF photos are accepted")
            if probe.width * probe.height > MAX_PIXELS:
                raise MediaError("the photo has too many pixels")
            probe.verify()  # checks the file's structure without decoding all pixels
            image = Image.open(io.BytesIO(data))
            image.load()
    except MediaError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaError("the file is not a photo we can read") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise MediaError("the photo is damaged or incomplete") from exc
    return image, source_format


def _without_metadata(image: Image.Image, save_format: str) -> bytes:
    # Apply the EXIF rotation first, so the photo stays upright once EXIF is gone,
    # then re-encode from pixels only: no EXIF, XMP, GPS or comments survive.
    upright = ImageOps.exif_transpose(image)
    if save_format == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    elif upright.mode not in ("RGB", "RGBA", "L", "LA"):
        upright = upright.convert("RGBA")  # palette and exotic modes; keeps transparency
    pixels = Image.new(upright.mode, upright.size)
    pixels.paste(upright)
    out = io.BytesIO()
    options = {"quality": 90} if save_format in ("JPEG", "WEBP") else {"optimize": True}
    pixels.save(out, save_format, **options)
    return out.getvalue()


def _size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def _gps_of(image: Image.Image) -> GpsPoint | None:
    """The EXIF GPS position, if the camera recorded a sane one."""
    try:
        gps = image.getexif().get_ifd(_GPS_IFD)
    except Exception:  # noqa: BLE001 - malformed EXIF is common and never fatal
        return None
    try:
        lat = _degrees(gps[2], gps.get(1, "N"))
        lon = _degrees(gps[4], gps.get(3, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return GpsPoint(round(lat, 7), round(lon, 7))


def _degrees(dms: tuple[float, float, float], ref: str | bytes) -> float:
    degrees, minutes, seconds = (float(x) for x in dms)
    value = degrees + minutes / 60 + seconds / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    return -value if ref.strip().upper() in ("S", "W") else value

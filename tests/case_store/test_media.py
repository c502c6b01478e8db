"""The media store: photos are decoded, stripped of every piece of metadata, stored by hash."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from PIL import Image, PngImagePlugin
from PIL.ExifTags import GPS, IFD, Base

from bot.app import AppServices
from case_store import media as media_module
from case_store.media import GpsPoint, MediaError, MediaStore, StoredMedia

MAKE = "SpyCam Industries"
MODEL = "Snoop X9"
COMMENT = b"taken at 12 Private Lane by J. Resident"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">SecretXmpPayload</x:xmpmeta>'
RED = (255, 0, 0)
BLUE = (0, 0, 255)


# --- building test images ---------------------------------------------------------


def two_tone(width: int = 40, height: int = 20) -> Image.Image:
    """Left half red, right half blue: shows which way the photo was turned."""
    image = Image.new("RGB", (width, height), BLUE)
    image.paste(RED, (0, 0, width // 2, height))
    return image


def camera_exif(lat_ref: str = "N", lon_ref: str = "E", orientation: int | None = 6) -> Image.Exif:
    exif = Image.Exif()
    if orientation is not None:
        exif[Base.Orientation] = orientation
    exif[Base.Make] = MAKE
    exif[Base.Model] = MODEL
    exif[IFD.GPSInfo] = {
        GPS.GPSLatitudeRef: lat_ref,
        GPS.GPSLatitude: (33.0, 51.0, 54.0),  # 33.865°
        GPS.GPSLongitudeRef: lon_ref,
        GPS.GPSLongitude: (151.0, 12.0, 36.0),  # 151.21°
    }
    return exif


def camera_jpeg(exif: Image.Exif | None = None, image: Image.Image | None = None) -> bytes:
    out = io.BytesIO()
    (image or two_tone()).save(out, "JPEG", exif=exif if exif is not None else camera_exif(), comment=COMMENT, xmp=XMP)
    data = out.getvalue()
    # The fixture itself must carry what the store has to remove.
    assert MAKE.encode() in data and COMMENT in data and b"SecretXmpPayload" in data
    return data


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` pixels, with (almost) no pixel data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def reopen(store: MediaStore, stored: StoredMedia) -> tuple[Image.Image, bytes]:
    path = store.path_of(stored.filename)
    assert path is not None
    data = path.read_bytes()
    image = Image.open(io.BytesIO(data))
    image.load()
    return image, data


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")


# --- JPEG from a phone camera -----------------------------------------------------


def test_camera_jpeg_is_stored_without_any_metadata(store: MediaStore, tmp_path: Path) -> None:
    stored = store.save(camera_jpeg())

    image, data = reopen(store, stored)
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert image.getexif().get_ifd(IFD.GPSInfo) == {}
    assert not {"exif", "xmp", "comment", "XML:com.adobe.xmp"} & set(image.info)
    for secret in (MAKE.encode(), MODEL.encode(), COMMENT, b"SecretXmpPayload", b"Exif\x00\x00"):
        assert secret not in data
    assert stored.content_type == "image/jpeg" and stored.extension == "jpg"
    assert stored.byte_size == len(data)
    assert stored_files(tmp_path / "media") == [tmp_path / "media" / stored.sha256[:2] / stored.filename]


@pytest.mark.parametrize(
    ("lat_ref", "lon_ref", "expected"),
    [
        ("N", "E", GpsPoint(33.865, 151.21)),
        ("S", "E", GpsPoint(-33.865, 151.21)),
        ("N", "W", GpsPoint(33.865, -151.21)),
        ("S", "W", GpsPoint(-33.865, -151.21)),
    ],
)
def test_gps_position_is_read_before_stripping(
    store: MediaStore, lat_ref: str, lon_ref: str, expected: GpsPoint
) -> None:
    stored = store.save(camera_jpeg(camera_exif(lat_ref, lon_ref)))
    assert stored.gps == expected


def test_photo_without_gps_has_no_position(store: MediaStore) -> None:
    exif = Image.Exif()
    exif[Base.Make] = MAKE
    assert store.save(camera_jpeg(exif)).gps is None


def test_exif_orientation_is_applied_to_the_pixels(store: MediaStore) -> None:
    stored = store.save(camera_jpeg(camera_exif(orientation=6)))

    # Orientation 6: the camera was turned a quarter clockwise; upright, the 40x20 sensor
    # image is 20 wide and 40 tall and its left (red) half is at the top.
    assert (stored.width, stored.height) == (20, 40)
    image, _ = reopen(store, stored)
    assert image.size == (20, 40)
    top, bottom = image.getpixel((10, 5)), image.getpixel((10, 35))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[0] > 200 and top[2] < 60, top
    assert bottom[2] > 200 and bottom[0] < 60, bottom


def test_photo_without_orientation_keeps_its_shape(store: MediaStore) -> None:
    stored = store.save(camera_jpeg(camera_exif(orientation=None)))
    assert (stored.width, stored.height) == (40, 20)


def test_same_photo_twice_is_stored_once(store: MediaStore, tmp_path: Path) -> None:
    data = camera_jpeg()
    first, second = store.save(data), store.save(data)

    assert first == second
    assert len(first.sha256) == 64
    assert len(stored_files(tmp_path / "media")) == 1  # no second copy, no leftover temp file


def test_different_photos_are_stored_apart(store: MediaStore, tmp_path: Path) -> None:
    first = store.save(camera_jpeg())
    second = store.save(camera_jpeg(image=two_tone(30, 30)))
    assert first.sha256 != second.sha256
    assert len(stored_files(tmp_path / "media")) == 2


# --- other formats ----------------------------------------------------------------


def test_png_text_chunks_are_stripped(store: MediaStore) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jane Q. Resident")
    info.add_itxt("Comment", "lives at 12 Private Lane", lang="en")
    info.add_text("XML:com.adobe.xmp", "SecretXmpPayload")
    exif = Image.Exif()
    exif[Base.Make] = MAKE
    data = encoded(two_tone(), "PNG", pnginfo=info, exif=exif)
    assert b"Jane Q. Resident" in data and MAKE.encode() in data

    stored = store.save(data)

    image, stored_bytes = reopen(store, stored)
    assert image.format == "PNG" and stored.content_type == "image/png" and stored.extension == "png"
    assert getattr(image, "text", {}) == {}
    assert dict(image.getexif()) == {}
    secrets = (b"Jane Q. Resident", b"Private Lane", b"SecretXmpPayload", MAKE.encode(), b"tEXt", b"iTXt", b"eXIf")
    for secret in secrets:
        assert secret not in stored_bytes
    assert image.getpixel((5, 5))[:3] == RED  # type: ignore[index]  # PNG is lossless


def test_gif_is_stored_as_png(store: MediaStore) -> None:
    gif = two_tone().convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    data = encoded(gif, "GIF", comment=b"gif secret")
    assert b"gif secret" in data

    stored = store.save(data)

    image, stored_bytes = reopen(store, stored)
    assert (stored.content_type, stored.extension) == ("image/png", "png")
    assert stored.filename == f"{stored.sha256}.png"
    assert image.format == "PNG" and image.size == (40, 20)
    assert b"gif secret" not in stored_bytes
    assert image.convert("RGB").getpixel((35, 10)) == BLUE


# --- refusals ---------------------------------------------------------------------


def assert_refused(store: MediaStore, root: Path, data: bytes, message: str) -> None:
    with pytest.raises(MediaError, match=message):
        store.save(data)
    assert stored_files(root) == []


def test_non_image_bytes_are_refused(store: MediaStore, tmp_path: Path) -> None:
    assert_refused(store, tmp_path / "media", b"%PDF-1.7 not a photo at all", "not a photo we can read")
    assert_refused(store, tmp_path / "media", b"", "not a photo we can read")


def test_truncated_jpeg_is_refused(store: MediaStore, tmp_path: Path) -> None:
    noisy = Image.effect_noise((200, 200), 80).convert("RGB")  # enough entropy to need every byte
    data = camera_jpeg(image=noisy)
    assert_refused(store, tmp_path / "media", data[: len(data) // 2], "damaged or incomplete")


@pytest.mark.parametrize(
    ("width", "height", "message"),
    [
        (8_000, 8_000, "too many pixels"),  # 64 Mpx: above our limit, below Pillow's
        (10_000, 10_000, "not a photo we can read"),  # 100 Mpx: Pillow warns, we refuse
        (100_000, 100_000, "not a photo we can read"),  # 10 Gpx: Pillow refuses to open it
    ],
)
def test_decompression_bomb_is_refused(
    store: MediaStore, tmp_path: Path, width: int, height: int, message: str
) -> None:
    assert_refused(store, tmp_path / "media", png_claiming(width, height), message)


def test_pixel_limit_applies_to_real_photos(store: MediaStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(media_module, "MAX_PIXELS", 40 * 20 - 1)
    assert_refused(store, tmp_path / "media", camera_jpeg(), "too many pixels")
    monkeypatch.setattr(media_module, "MAX_PIXELS", 40 * 20)
    assert store.save(camera_jpeg()).width == 20


@pytest.mark.parametrize("fmt", ["BMP", "TIFF"])
def test_unsupported_format_is_refused(store: MediaStore, tmp_path: Path, fmt: str) -> None:
    assert_refused(store, tmp_path / "media", encoded(two_tone(), fmt), "only JPEG, PNG, WebP, HEIC and GIF")


def test_oversize_upload_is_refused_before_decoding(
    store: MediaStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = camera_jpeg()
    monkeypatch.setattr(media_module, "MAX_BYTES", len(data) - 1)
    assert_refused(store, tmp_path / "media", data, "larger than")
    monkeypatch.setattr(media_module, "MAX_BYTES", len(data))
    assert store.save(data).content_type == "image/jpeg"


# --- public names -----------------------------------------------------------------


def test_path_of_finds_stored_photo(store: MediaStore, tmp_path: Path) -> None:
    stored = store.save(camera_jpeg())
    assert store.path_of(stored.filename) == tmp_path / "media" / stored.sha256[:2] / stored.filename


def test_path_of_refuses_anything_but_a_stored_name(store: MediaStore, tmp_path: Path) -> None:
    stored = store.save(camera_jpeg())
    sha = stored.sha256
    (tmp_path / "secret.jpg").write_bytes(b"not public")
    for name in (
        "../secret.jpg",
        f"../media/{sha[:2]}/{sha}.jpg",
        f"{sha[:2]}/{sha}.jpg",
        f"..%2F{sha}.jpg",
        f"{sha.upper()}.jpg",
        f"{sha[:-1]}g.jpg",  # not hex
        f"{sha[:-1]}.jpg",  # 63 characters
        f"{sha}.png",  # right hash, wrong extension: not stored
        f"{sha}.gif",
        f"{sha}.jpg.png",
        f"{sha}.jpg\n",
        f"{sha}.jpg/",
        "",
    ):
        assert store.path_of(name) is None, name
    assert store.path_of(f"{'0' * 64}.jpg") is None  # well formed, never stored


# --- HTTP -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]
)
def test_media_is_served_by_name(services: AppServices, client: FlaskClient, fmt: str, content_type: str) -> None:
    stored = services.media.save(encoded(two_tone(), fmt))

    response = client.get(f"/media/{stored.filename}")

    assert response.status_code == 200
    path = services.media.path_of(stored.filename)
    assert path is not None and response.data == path.read_bytes()
    assert response.mimetype == content_type
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_media_is_not_found(services: AppServices, client: FlaskClient) -> None:
    stored = services.media.save(camera_jpeg())
    for name in (
        f"{'0' * 64}.jpg",
        f"{stored.sha256}.png",
        f"{stored.sha256}.jpg%0A",  # one photo, one URL
        "..%2F..%2Fetc%2Fpasswd",
        "nothing.jpg",
    ):
        assert client.get(f"/media/{name}").status_code == 404, name
    assert client.get("/media/../../etc/passwd").status_code == 404

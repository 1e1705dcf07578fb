"""Product photos: check an upload, re-encode it clean, cut the ``srcset`` widths, store them.

An upload is trusted for nothing: its type is read from the content (never the extension or the
browser's content type), its pixel count is checked from the header before anything is decoded
(a 50 kB PNG can claim 100 000 × 100 000 pixels), and it is decoded in full so truncated files are
caught here rather than half-shown on the storefront. What is stored is always a fresh encoding:
EXIF (GPS position of the farm, camera serials), XMP and comments are dropped, orientation is
applied to the pixels first so nothing depends on the dropped tag.

Limits come from settings so an operator (or a test) can change them without code:
``CATALOG_PHOTO_MAX_BYTES``, ``CATALOG_PHOTO_MAX_PIXELS``, ``CATALOG_PHOTO_WIDTHS``,
``CATALOG_PHOTO_MAX_WIDTH``.
"""

from __future__ import annotations

import contextlib
import io
import secrets
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError, features

from core.uploads import UploadRejected, upload_name, upload_size_check

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
# srcset widths: phone list thumbnail, phone full width (1× and 2×), desktop zoom.
WIDTHS = (160, 320, 640, 1280)
# The stored "original" is capped too: nobody needs a 6000 px product shot on a phone.
MAX_WIDTH = 2048

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
WEBP_QUALITY = 82
JPEG_QUALITY = 85


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    data: bytes


@dataclass(frozen=True)
class ProcessedPhoto:
    """A re-encoded photo and its smaller widths, not yet stored."""

    width: int
    height: int
    extension: str
    data: bytes
    renditions: list[Rendition] = field(default_factory=list)


def _limit(name: str, default):
    return getattr(settings, name, default)


def _reject(message: str, *, code: str) -> UploadRejected:
    return UploadRejected(message, code=code, field="image")


def photo_open(upload) -> Image.Image:
    """The decoded first frame of ``upload`` if it is a sound JPEG, PNG or WebP within limits,
    else ``UploadRejected`` naming the file (field "image")."""
    name = upload_name(upload)
    max_pixels = _limit("CATALOG_PHOTO_MAX_PIXELS", MAX_PIXELS)
    upload_size_check(
        upload,
        max_bytes=_limit("CATALOG_PHOTO_MAX_BYTES", MAX_BYTES),
        field="image",
        too_large=_("“%(name)s” is %(size)s MB; photos can be at most %(max)s MB."),
    )
    not_an_image = _reject(
        _("“%(name)s” is not a JPEG, PNG or WebP image.") % {"name": name}, code="invalid_image"
    )
    damaged = _reject(
        _("“%(name)s” is damaged or incomplete; export it again and upload the new file.")
        % {"name": name},
        code="damaged_image",
    )
    too_many_pixels = _reject(
        _("“%(name)s” has too many pixels; photos can have at most %(max)s megapixels.")
        % {"name": name, "max": max_pixels // 1_000_000 or f"{max_pixels / 1_000_000:.2f}"},
        code="too_many_pixels",
    )
    with warnings.catch_warnings():
        # Pillow only warns between its own limit and twice it; here that is a refusal too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        # 1. Header only: the format from the content, and the claimed size before decoding.
        try:
            upload.seek(0)
            with Image.open(upload, formats=ACCEPTED_FORMATS) as probe:
                fmt = probe.format
                width, height = probe.size
                # 2. Structure check (PNG chunk CRCs, etc.) without decoding the pixels.
                if width * height <= max_pixels:
                    probe.verify()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_many_pixels from None
        except UnidentifiedImageError:
            raise not_an_image from None
        except Exception:
            # Decoders fail in many ways (OSError, SyntaxError, struct.error, ValueError) on
            # crafted or cut files; all of them mean the same thing to the seller.
            raise damaged from None
        if fmt not in ACCEPTED_FORMATS:
            raise not_an_image
        if width < 1 or height < 1:
            raise damaged
        if width * height > max_pixels:
            raise too_many_pixels
        # 3. Full decode of the first frame (``verify`` leaves the image unusable: reopen).
        try:
            upload.seek(0)
            image = Image.open(upload, formats=ACCEPTED_FORMATS)
            image.seek(0)
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_many_pixels from None
        except Exception:
            raise damaged from None
    return image


def _to_srgb(image: Image.Image, mode: str) -> Image.Image:
    """Pixels in sRGB and ``mode``: the ICC profile is dropped with the metadata, so a wide-gamut
    or CMYK photo is converted while the profile is still known, or it would show off-colour."""
    icc = image.info.get("icc_profile")
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if image.mode not in ("RGB", "RGBA", "CMYK"):
                image = image.convert(mode)
            return ImageCms.profileToProfile(
                image, source, ImageCms.createProfile("sRGB"), outputMode=mode
            )
        except Exception:  # a broken profile is common; fall back to a plain conversion
            pass
    return image if image.mode == mode else image.convert(mode)


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def _encode(image: Image.Image) -> tuple[bytes, str]:
    """Encode with no metadata at all: Pillow writes EXIF/ICC/XMP only when asked, and it is
    never asked here."""
    buffer = io.BytesIO()
    if features.check("webp"):
        image.save(buffer, format="WEBP", quality=WEBP_QUALITY, method=4)
        return buffer.getvalue(), "webp"
    if image.mode == "RGBA":  # JPEG has no alpha: flatten onto white like the page behind it
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue(), "jpg"


def _resize_to_width(image: Image.Image, width: int) -> Image.Image:
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def photo_process(upload) -> ProcessedPhoto:
    """Validate ``upload`` and re-encode it (orientation applied, metadata gone) with one
    rendition per configured width narrower than the photo: never upscaled."""
    image = photo_open(upload)
    try:
        # Orientation first: once EXIF is gone a sideways phone photo would stay sideways.
        upright = ImageOps.exif_transpose(image)
        mode = "RGBA" if _has_alpha(upright) else "RGB"
        clean = _to_srgb(upright, mode)
        # A fresh info dict: nothing of the upload's metadata can travel on.
        clean.info = {}
        max_width = _limit("CATALOG_PHOTO_MAX_WIDTH", MAX_WIDTH)
        if clean.width > max_width:
            clean = _resize_to_width(clean, max_width)
        data, extension = _encode(clean)
        renditions = []
        for width in sorted(set(_limit("CATALOG_PHOTO_WIDTHS", WIDTHS))):
            if width >= clean.width:
                continue
            small = _resize_to_width(clean, width)
            small_data, _ext = _encode(small)
            renditions.append(Rendition(width=small.width, height=small.height, data=small_data))
    except UploadRejected:
        raise
    except Exception:
        raise _reject(
            _("“%(name)s” could not be processed; save it as JPEG or PNG and try again.")
            % {"name": upload_name(upload)},
            code="damaged_image",
        ) from None
    finally:
        image.close()
    return ProcessedPhoto(
        width=clean.width,
        height=clean.height,
        extension=extension,
        data=data,
        renditions=renditions,
    )


def photo_store(processed: ProcessedPhoto, *, folder: str) -> tuple[str, list[dict]]:
    """Save the photo and its renditions under MEDIA_ROOT/``folder``; returns the stored name
    and the renditions as ``[{"width", "height", "name"}]`` (narrowest first). Names are random:
    the seller's file name is not reused (it may hold personal data or path tricks)."""
    stem = f"{folder.strip('/')}/{secrets.token_hex(8)}"
    stored: list[str] = []
    try:
        name = default_storage.save(f"{stem}.{processed.extension}", ContentFile(processed.data))
        stored.append(name)
        renditions = []
        for rendition in processed.renditions:
            rendition_name = default_storage.save(
                f"{stem}-{rendition.width}w.{processed.extension}", ContentFile(rendition.data)
            )
            stored.append(rendition_name)
            renditions.append(
                {"width": rendition.width, "height": rendition.height, "name": rendition_name}
            )
    except Exception:
        photo_delete_files(stored)
        raise
    return name, renditions


def photo_delete_files(names: Iterable[str]) -> None:
    """Best effort: a file already gone is not an error (a retried removal, a manual cleanup)."""
    for name in names:
        if not name:
            continue
        with contextlib.suppress(OSError):
            default_storage.delete(name)

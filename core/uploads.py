"""Image uploads: sniff the real format, refuse bombs, re-encode without metadata.

An upload is never stored as sent: it is decoded with Pillow (the extension and the
browser's content type are ignored), checked against size and pixel limits, and written
again from its pixels only, so EXIF (GPS positions, camera serials), comments and any
payload appended to the file are dropped. The stored name is random.
"""

from __future__ import annotations

import io
import secrets
import warnings
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import ValidationFailed

# Pillow format name -> (stored extension, modes the encoder keeps as they are)
ALLOWED_FORMATS: dict[str, tuple[str, frozenset[str]]] = {
    "PNG": ("png", frozenset({"1", "L", "LA", "P", "RGB", "RGBA"})),
    "JPEG": ("jpg", frozenset({"L", "RGB"})),
    "WEBP": ("webp", frozenset({"RGB", "RGBA"})),
}


def _size_of(file: Any) -> int:
    size = getattr(file, "size", None)
    if size is not None:
        return int(size)
    position = file.tell()
    file.seek(0, io.SEEK_END)
    end = file.tell()
    file.seek(position)
    return int(end)


def _target_mode(image: Image.Image, keep: frozenset[str]) -> str:
    if image.mode in keep:
        return image.mode
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    if has_alpha and "RGBA" in keep:
        return "RGBA"
    if image.mode in ("I", "I;16", "F") and "L" in keep:
        return "L"
    return "RGB"


def clean_image_upload(
    file: IO[bytes] | Any,
    *,
    max_bytes: int | None = None,
    max_pixels: int | None = None,
) -> ContentFile:
    """Return a safe, re-encoded copy of an uploaded PNG, JPEG or WebP image.

    Raises ``ValidationFailed`` (with a message for the person uploading) for anything
    else: another format, a file that is not an image, too many bytes or pixels.
    """
    max_bytes = settings.UPLOAD_MAX_IMAGE_BYTES if max_bytes is None else max_bytes
    max_pixels = settings.UPLOAD_MAX_IMAGE_PIXELS if max_pixels is None else max_pixels
    if _size_of(file) > max_bytes:
        raise ValidationFailed(
            _("The image is too large: at most %(size)s KB is accepted.") % {"size": max_bytes // 1024},
            code="image_too_large",
        )
    file.seek(0)
    data = file.read(max_bytes + 1)
    if len(data) > max_bytes:  # the reported size lied
        raise ValidationFailed(
            _("The image is too large: at most %(size)s KB is accepted.") % {"size": max_bytes // 1024},
            code="image_too_large",
        )
    not_an_image = ValidationFailed(
        _("This file is not a PNG, JPEG or WebP image."), code="image_unsupported_format"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            image_format = probe.format or ""
            width, height = probe.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise not_an_image from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(max_pixels) from None
    if image_format not in ALLOWED_FORMATS:
        raise not_an_image
    # Checked before decoding: a tiny file can declare billions of pixels.
    if width * height > max_pixels:
        raise _too_many_pixels(max_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            image.load()
            image = ImageOps.exif_transpose(image) or image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(max_pixels) from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationFailed(
            _("The image could not be read; it may be damaged."), code="image_damaged"
        ) from None
    extension, keep_modes = ALLOWED_FORMATS[image_format]
    mode = _target_mode(image, keep_modes)
    if image.mode != mode:
        image = image.convert(mode)
    out = io.BytesIO()
    # Only pixels are written: no exif=, icc_profile= or text chunks are passed on.
    save_options: dict[str, Any] = {}
    if image_format == "JPEG":
        save_options = {"quality": 90, "optimize": True}
    elif image_format == "WEBP":
        save_options = {"quality": 90}
    elif image_format == "PNG":
        save_options = {"optimize": True}
    clean = Image.new(image.mode, image.size)
    if image.mode == "P":
        clean.putpalette(image.getpalette() or [])
        if "transparency" in image.info:
            save_options["transparency"] = image.info["transparency"]
    clean.paste(image)
    clean.save(out, format=image_format, **save_options)
    return ContentFile(out.getvalue(), name=f"{secrets.token_hex(16)}.{extension}")


def _too_many_pixels(max_pixels: int) -> ValidationFailed:
    return ValidationFailed(
        _("The image has too many pixels: at most %(pixels)s megapixels are accepted.")
        % {"pixels": round(max_pixels / 1_000_000, 1)},
        code="image_too_many_pixels",
    )

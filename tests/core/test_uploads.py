import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.errors import ValidationFailed
from core.uploads import clean_image_upload


def _image_bytes(fmt: str, *, size=(40, 30), mode="RGB", **save) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, color=(200, 30, 30) if mode == "RGB" else None).save(buf, format=fmt, **save)
    return buf.getvalue()


def _upload(data: bytes, name: str = "logo.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _reopen(content) -> Image.Image:
    content.seek(0)
    return Image.open(io.BytesIO(content.read()))


@pytest.mark.parametrize(("fmt", "ext"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")])
def test_png_jpeg_and_webp_are_accepted_and_keep_their_format(fmt, ext):
    result = clean_image_upload(_upload(_image_bytes(fmt), name=f"x.{ext}"))
    image = _reopen(result)
    assert image.format == fmt
    assert image.size == (40, 30)
    assert result.name.endswith(f".{ext}")


def test_stored_name_is_random_not_the_uploaded_name():
    a = clean_image_upload(_upload(_image_bytes("PNG"), name="../../etc/passwd.png"))
    b = clean_image_upload(_upload(_image_bytes("PNG"), name="../../etc/passwd.png"))
    assert "passwd" not in a.name and "/" not in a.name
    assert a.name != b.name


def test_gif_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        clean_image_upload(_upload(_image_bytes("GIF", mode="P"), name="logo.gif"))
    assert exc.value.code == "image_unsupported_format"


def test_a_text_file_named_png_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        clean_image_upload(_upload(b"<?php system($_GET['c']); ?>", name="logo.png"))
    assert exc.value.code == "image_unsupported_format"
    assert "PNG, JPEG or WebP" in exc.value.message


def test_a_file_over_the_byte_limit_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        clean_image_upload(_upload(_image_bytes("PNG", size=(300, 300))), max_bytes=100)
    assert exc.value.code == "image_too_large"


def test_an_image_over_the_pixel_limit_is_refused_before_decoding():
    # A small file that declares many pixels (a decompression bomb in miniature).
    data = _image_bytes("PNG", size=(2000, 2000), mode="L")
    assert len(data) < 50_000
    with pytest.raises(ValidationFailed) as exc:
        clean_image_upload(_upload(data), max_pixels=1_000_000)
    assert exc.value.code == "image_too_many_pixels"


def test_settings_limits_apply_by_default(settings):
    settings.UPLOAD_MAX_IMAGE_BYTES = 50
    with pytest.raises(ValidationFailed):
        clean_image_upload(_upload(_image_bytes("PNG")))


def test_exif_metadata_is_stripped():
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPS info
    data = _image_bytes("JPEG", exif=exif.tobytes())
    assert b"SecretCam" in data
    result = clean_image_upload(_upload(data, name="photo.jpg", content_type="image/jpeg"))
    result.seek(0)
    raw = result.read()
    assert b"SecretCam" not in raw
    assert not _reopen(result).getexif()


def test_png_text_chunks_and_trailing_payload_are_dropped():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "private note")
    data = _image_bytes("PNG", pnginfo=info) + b"TRAILING-PAYLOAD"
    result = clean_image_upload(_upload(data))
    result.seek(0)
    raw = result.read()
    assert b"private note" not in raw and b"TRAILING-PAYLOAD" not in raw


def test_cmyk_jpeg_is_converted_to_rgb():
    data = _image_bytes("JPEG", mode="CMYK")
    assert _reopen(clean_image_upload(_upload(data, name="x.jpg"))).mode == "RGB"


def test_transparent_png_keeps_its_alpha_channel():
    data = _image_bytes("PNG", mode="RGBA")
    assert _reopen(clean_image_upload(_upload(data))).mode == "RGBA"

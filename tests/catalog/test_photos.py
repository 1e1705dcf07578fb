"""The photo pipeline: type by content, size and pixel limits, truncated files, EXIF gone,
orientation applied, srcset widths without upscaling, files stored and removed."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from catalog.content import product_photo_add, product_photo_remove, product_photo_reorder
from catalog.models import ProductPhoto
from catalog.photos import photo_process
from core.uploads import UploadRejected
from sellers.errors import SellerError
from tests.factories import MembershipFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def owner_and_product():
    membership = MembershipFactory(role="owner")
    return membership.user, ProductFactory(holder=membership.business)


def image_bytes(fmt="JPEG", size=(800, 600), color=(200, 120, 40), mode="RGB", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def upload(data: bytes, name="anh.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def jpeg_with_exif(size=(800, 600), orientation=None) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "EOS secret serial"  # Model
    exif[0x8825] = {2: (21.0, 1.0, 0.0)}  # GPS IFD: latitude
    if orientation:
        exif[0x0112] = orientation
    return image_bytes(size=size, exif=exif.tobytes())


def error_of(data: bytes, name: str) -> UploadRejected:
    with pytest.raises(UploadRejected) as caught, translation.override("en"):
        photo_process(upload(data, name=name))
    return caught.value


@pytest.mark.parametrize(
    ("fmt", "mode", "color"),
    [("JPEG", "RGB", (10, 20, 30)), ("PNG", "RGBA", (10, 20, 30, 128)), ("WEBP", "RGB", (1, 2, 3))],
)
def test_jpeg_png_webp_are_accepted_and_reencoded_as_webp(fmt, mode, color):
    processed = photo_process(upload(image_bytes(fmt, mode=mode, color=color), name="a.bin"))
    with Image.open(io.BytesIO(processed.data)) as stored:
        assert stored.format == "WEBP"
        assert stored.size == (800, 600)
        assert stored.mode == ("RGBA" if mode == "RGBA" else "RGB")
    assert (processed.width, processed.height, processed.extension) == (800, 600, "webp")


def test_exif_is_stripped_from_the_stored_file_and_renditions(owner_and_product, media):
    owner, product = owner_and_product
    source = jpeg_with_exif()
    with Image.open(io.BytesIO(source)) as original:
        assert original.getexif()[0x010F] == "Canon"  # the test file really carries EXIF
    photo = product_photo_add(actor=owner, product=product, upload=upload(source), alt_text="Hũ")
    names = [photo.image.name, *(r["name"] for r in photo.renditions)]
    for name in names:
        raw = (Path(media) / name).read_bytes()
        assert b"Canon" not in raw
        assert b"EOS secret serial" not in raw
        with Image.open(io.BytesIO(raw)) as stored:
            assert dict(stored.getexif()) == {}
            assert "exif" not in stored.info
            assert "xmp" not in stored.info
            assert "icc_profile" not in stored.info


def test_orientation_is_applied_before_exif_is_dropped():
    # Orientation 6: the camera was turned; the upright picture is 600 wide, 800 high.
    processed = photo_process(upload(jpeg_with_exif(size=(800, 600), orientation=6)))
    assert (processed.width, processed.height) == (600, 800)
    with Image.open(io.BytesIO(processed.data)) as stored:
        assert stored.size == (600, 800)


def test_renditions_have_the_expected_widths_and_never_upscale():
    processed = photo_process(upload(image_bytes(size=(800, 600))))
    assert [(r.width, r.height) for r in processed.renditions] == [
        (160, 120),
        (320, 240),
        (640, 480),
    ]
    for rendition in processed.renditions:
        with Image.open(io.BytesIO(rendition.data)) as small:
            assert small.size == (rendition.width, rendition.height)
    tiny = photo_process(upload(image_bytes("PNG", size=(150, 100)), name="nho.png"))
    assert (tiny.width, tiny.height, tiny.renditions) == (150, 100, [])


def test_wide_photos_are_capped_and_get_every_width(settings):
    settings.CATALOG_PHOTO_MAX_WIDTH = 1600
    processed = photo_process(upload(image_bytes(size=(3000, 1500))))
    assert (processed.width, processed.height) == (1600, 800)
    assert [r.width for r in processed.renditions] == [160, 320, 640, 1280]


def test_a_text_file_named_jpg_is_rejected_naming_the_file():
    error = error_of(b"This is not a picture at all, just text.\n" * 10, "mat-ong.jpg")
    assert (error.code, error.field) == ("invalid_image", "image")
    with translation.override("en"):
        assert str(error.message) == "“mat-ong.jpg” is not a JPEG, PNG or WebP image."


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_rejected(fmt):
    error = error_of(image_bytes(fmt, size=(20, 20)), f"anh.{fmt.lower()}")
    assert error.code == "invalid_image"


def test_an_empty_file_is_rejected():
    assert error_of(b"", "rong.jpg").code == "empty"


def test_a_truncated_jpeg_is_rejected():
    data = image_bytes(size=(400, 300))
    error = error_of(data[: len(data) // 2], "cut.jpg")
    assert (error.code, error.field) == ("damaged_image", "image")
    with translation.override("en"):
        assert str(error.message) == (
            "“cut.jpg” is damaged or incomplete; export it again and upload the new file."
        )


def test_a_truncated_png_is_rejected():
    data = image_bytes("PNG", size=(400, 300), color=(1, 2, 3))
    assert error_of(data[: len(data) - 30], "cut.png").code == "damaged_image"


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload))
            + kind
            + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("width", "height"), [(100_000, 100_000), (8_000, 6_000), (20_000, 10_000)]
)
def test_decompression_bombs_are_rejected_with_a_message(width, height):
    error = error_of(png_claiming(width, height), "bom.png")
    assert (error.code, error.field) == ("too_many_pixels", "image")
    with translation.override("en"):
        assert (
            str(error.message)
            == "“bom.png” has too many pixels; photos can have at most 40 megapixels."
        )


def test_pixel_limit_comes_from_settings(settings):
    settings.CATALOG_PHOTO_MAX_PIXELS = 10_000
    assert error_of(image_bytes(size=(101, 100)), "a.jpg").code == "too_many_pixels"
    assert photo_process(upload(image_bytes(size=(100, 100)))).width == 100


def test_size_limit_comes_from_settings(settings):
    settings.CATALOG_PHOTO_MAX_BYTES = 2 * 1024 * 1024
    data = image_bytes("PNG", size=(10, 10))
    error = error_of(data + b"\x00" * (3 * 1024 * 1024), "lon.png")
    assert (error.code, error.field) == ("too_large", "image")
    with translation.override("en"):
        assert str(error.message) == "“lon.png” is 3,0 MB; photos can be at most 2 MB."


def test_photo_add_stores_files_and_remove_deletes_them(owner_and_product, media):
    owner, product = owner_and_product
    photo = product_photo_add(
        actor=owner, product=product, upload=upload(image_bytes(size=(700, 700))), alt_text=" Hũ "
    )
    assert (photo.width, photo.height, photo.alt_text, photo.original_name, photo.position) == (
        700,
        700,
        "Hũ",
        "anh.jpg",
        0,
    )
    assert photo.image.name.startswith(f"products/{product.pk}/")
    assert photo.image.name.endswith(".webp")
    assert [r["width"] for r in photo.renditions] == [160, 320, 640]
    files = [Path(media) / photo.image.name, *(Path(media) / r["name"] for r in photo.renditions)]
    assert all(f.exists() for f in files)
    second = product_photo_add(actor=owner, product=product, upload=upload(image_bytes()))
    assert second.position == 1
    with pytest.raises(SellerError):
        product_photo_remove(actor=MembershipFactory(role="staff", business=product.holder).user,
                             photo=photo)  # fmt: skip
    assert all(f.exists() for f in files)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        product_photo_remove(actor=owner, photo=photo)
    assert not ProductPhoto.objects.filter(pk=photo.pk).exists()
    assert not any(f.exists() for f in files)


def test_rejected_upload_writes_nothing(owner_and_product, media):
    owner, product = owner_and_product
    with pytest.raises(UploadRejected):
        product_photo_add(actor=owner, product=product, upload=upload(b"GIF89a nope", "x.jpg"))
    assert ProductPhoto.objects.count() == 0
    assert not Path(media).exists() or not any(Path(media).rglob("*.*"))


def test_reorder_puts_photos_in_the_given_order(owner_and_product):
    owner, product = owner_and_product
    photos = [
        product_photo_add(actor=owner, product=product, upload=upload(image_bytes(size=(50, 50))))
        for _ in range(3)
    ]
    ids = [photos[2].pk, photos[0].pk, photos[1].pk]
    product_photo_reorder(actor=owner, product=product, photo_ids=ids)
    assert list(product.photos.values_list("pk", flat=True)) == ids
    other = ProductFactory(holder=product.holder)
    stranger = product_photo_add(
        actor=owner, product=other, upload=upload(image_bytes(size=(50, 50)))
    )
    with pytest.raises(SellerError) as caught:
        product_photo_reorder(
            actor=owner, product=product, photo_ids=[stranger.pk, photos[0].pk, photos[1].pk]
        )
    assert (caught.value.code, caught.value.field) == ("invalid", "photos")
    assert list(product.photos.values_list("pk", flat=True)) == ids

"""Demo products get generated illustrations, marked as such on every page, and the media they
live in are served wherever SERVE_MEDIA is on (development, the browser suite)."""

import io
import time
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from PIL import Image

from catalog.demo.illustrations import HEIGHT, WIDTH, demo_illustration_render
from catalog.models import Product, ProductPhoto
from catalog.product_page import photo_for_page


def test_render_is_deterministic_small_and_fast():
    start = time.process_time()
    first = demo_illustration_render(
        name="Mật ong rừng Tiên Yên", set_number=3, set_name="Mật ong, sản phẩm từ mật ong"
    )
    elapsed = time.process_time() - start
    again = demo_illustration_render(
        name="Mật ong rừng Tiên Yên", set_number=3, set_name="Mật ong, sản phẩm từ mật ong"
    )
    other_set = demo_illustration_render(name="Mật ong rừng Tiên Yên", set_number=4)
    assert first == again
    assert first != other_set
    assert len(first) < 20_000
    assert elapsed < 0.5
    with Image.open(io.BytesIO(first)) as image:
        assert image.size == (WIDTH, HEIGHT)


@pytest.fixture
def demo(db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", stdout=StringIO())
    return tmp_path / "media"


def test_every_demo_product_gets_one_illustration_file(demo):
    photos = list(ProductPhoto.objects.select_related("product"))
    assert len(photos) == Product.objects.count() == 57
    assert {p.product_id for p in photos} == set(Product.objects.values_list("pk", flat=True))
    for photo in photos:
        assert photo.is_illustration is True
        assert photo.alt_text == photo.product.name
        assert photo.image.name == f"demo/illustrations/{photo.product.slug}.webp"
        assert (demo / photo.image.name).is_file()


def test_second_run_adds_nothing_and_a_lost_file_is_drawn_again(demo):
    photo = ProductPhoto.objects.order_by("pk").first()
    data = (demo / photo.image.name).read_bytes()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "illustrations: 0 new" in out.getvalue()
    assert ProductPhoto.objects.count() == 57
    # A fresh MEDIA_ROOT over the same database (a new checkout, a cleaned disk).
    (demo / photo.image.name).unlink()
    call_command("load_demo", stdout=StringIO())
    assert (demo / photo.image.name).read_bytes() == data
    assert ProductPhoto.objects.count() == 57


def test_a_product_with_its_own_photo_gets_no_illustration(demo):
    product = Product.objects.order_by("pk").first()
    ProductPhoto.objects.filter(product=product).update(is_illustration=False)
    default_storage.delete(product.photos.get().image.name)
    call_command("load_demo", stdout=StringIO())
    assert product.photos.count() == 1
    assert not product.photos.get().is_illustration


def test_alt_text_and_badge_say_illustration_in_the_readers_language(demo, settings):
    settings.SERVE_MEDIA = True
    call_command("load_demo_shop", stdout=StringIO())
    product = Product.objects.filter(variants__offers__isnull=False).order_by("pk").first()
    photo = product.photos.get()
    with translation.override("en"):
        assert photo_for_page(photo)["alt"] == f"Illustration: {product.name}"
    client = Client()
    page = client.get(f"/san-pham/{product.slug}/").content.decode()
    assert f'alt="Ảnh minh hoạ: {product.name}"' in page
    assert page.count(">Ảnh minh hoạ</span>") == 1
    home = client.get("/").content.decode()
    assert ">Ảnh minh hoạ</span>" in home
    client.cookies["django_language"] = "en"
    page = client.get(f"/san-pham/{product.slug}/").content.decode()
    assert f'alt="Illustration: {product.name}"' in page
    assert page.count(">Illustration</span>") == 1
    image = client.get(f"/media/{photo.image.name}")
    assert image.status_code == 200
    assert image["Content-Type"] == "image/webp"


def test_media_are_served_only_when_serve_media_is_on(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "x.webp").write_bytes(b"RIFF")
    settings.SERVE_MEDIA = False
    assert Client().get("/media/x.webp").status_code == 404
    settings.SERVE_MEDIA = True
    response = Client().get("/media/x.webp")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    # Outside MEDIA_ROOT: refused as a suspicious path.
    assert Client().get("/media/../x.webp").status_code == 400

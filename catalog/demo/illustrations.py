"""Generated illustrations for demo products, so listings and product pages look like a shop.

The demo names real producers but has no photos of their goods, and a shop of grey boxes does not
show what a buyer would see. Each demo product gets one drawing — a colour and a motif by its
product set (bộ sản phẩm), its set's name and its own name — stored as a ``ProductPhoto`` with
``is_illustration`` set, which every page shows with an "Illustration" badge and alt text, so
nobody mistakes it for a photo of the goods.

Deterministic (same product → same bytes: no randomness, no dates) and small (480 × 360 WebP,
a few kB; ~5 ms each). Files live at ``demo/illustrations/<product slug>.<ext>`` under
MEDIA_ROOT; a run that finds the row but not the file (a fresh MEDIA_ROOT over an old database)
draws it again, so ``load_demo`` / ``load_demo_shop`` always leave working images behind.
"""

from __future__ import annotations

import functools
import hashlib
import io
import textwrap
from collections.abc import Iterable
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont, features

from catalog.models import Product, ProductPhoto

WIDTH, HEIGHT = 480, 360
FONT = Path(__file__).parent / "fonts" / "DejaVuSansCondensed-Bold-vi.ttf"
FOLDER = "demo/illustrations"
# Dark enough under white text for every hue (WCAG contrast ≥ 4.5 at these lightness values).
_SATURATION, _LIGHTNESS = 45, 32


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), size)


def _colour(number: int, *, lightness: int = _LIGHTNESS) -> str:
    # 26 product sets spread round the colour wheel, neighbours far apart (×7 is coprime with 26).
    hue = (number * 7 % 26) * 360 // 26
    return f"hsl({hue}, {_SATURATION}%, {lightness}%)"


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    for chars in range(28, 8, -2):
        lines = textwrap.wrap(text, chars) or [""]
        if all(draw.textlength(line, font=font) <= width for line in lines):
            return lines
    return textwrap.wrap(text, 10)


def demo_illustration_render(*, name: str, set_number: int | None, set_name: str = "") -> bytes:
    """The drawing for a product called ``name`` in product set ``set_number`` (``None``: no set)
    as WebP bytes (JPEG where Pillow has no WebP)."""
    number = set_number or 0
    image = Image.new("RGB", (WIDTH, HEIGHT), _colour(number))
    draw = ImageDraw.Draw(image)
    # The set's motif: a few lighter discs whose layout follows the set number, the same for
    # every product of the set, so a shelf of one kind of goods looks like one.
    seed = hashlib.sha256(f"set-{number}".encode()).digest()
    light = _colour(number, lightness=_LIGHTNESS + 12)
    for i in range(4):
        x = seed[i] * WIDTH // 255
        y = seed[i + 4] * HEIGHT // 255
        r = 40 + seed[i + 8] % 90
        draw.ellipse((x - r, y - r, x + r, y + r), fill=light)
    # Text in the lower part: pages put their "Illustration" badge over the top-left corner.
    big = _font(34)
    lines = _wrap(draw, name, big, WIDTH - 48)[:4]
    top = HEIGHT - 28 - len(lines) * 42
    for row, line in enumerate(lines):
        draw.text((24, top + row * 42), line, font=big, fill="white")
    if set_name:
        small = _font(18)
        (line, *rest) = _wrap(draw, set_name, small, WIDTH - 64)
        draw.text((24, top - 30), line + ("…" if rest else ""), font=small, fill="white")
    buffer = io.BytesIO()
    if features.check("webp"):
        image.save(buffer, format="WEBP", quality=60, method=2)
    else:
        image.save(buffer, format="JPEG", quality=70, optimize=True)
    return buffer.getvalue()


def _extension() -> str:
    return "webp" if features.check("webp") else "jpg"


def _write(product: Product, name: str) -> None:
    data = demo_illustration_render(
        name=product.name,
        set_number=product.product_set.number if product.product_set_id else None,
        set_name=product.product_set.name if product.product_set_id else "",
    )
    if default_storage.exists(name):
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:  # the storage chose another name: keep the row pointing at the file
        raise RuntimeError(f"Storage saved {name!r} as {saved!r}.")


def demo_illustrations_ensure(*, products: Iterable[Product]) -> list[int]:
    """Give each of ``products`` that has no photo its illustration, and draw again any
    illustration whose file is missing. Returns the ids of the products that got a new photo
    row. The caller holds the transaction (``demo_load``) and reports those to the search index."""
    ids = [product.pk for product in products]
    if not ids:
        return []
    rows = Product.objects.filter(pk__in=ids).select_related("product_set").order_by("pk")
    existing = {
        photo.product_id: photo
        for photo in ProductPhoto.objects.filter(product__in=ids).order_by("-position", "-id")
    }
    created = []
    for product in rows:
        photo = existing.get(product.pk)
        if photo is not None and not photo.is_illustration:
            continue  # the producer's own photos: nothing to add
        if photo is not None and default_storage.exists(photo.image.name):
            continue
        name = photo.image.name if photo is not None else f"{FOLDER}/{product.slug}.{_extension()}"
        _write(product, name)
        if photo is None:
            created.append(product.pk)
            ProductPhoto.objects.create(
                product=product,
                image=name,
                width=WIDTH,
                height=HEIGHT,
                renditions=[],
                alt_text=product.name,
                original_name="",
                position=0,
                is_illustration=True,
            )
    return created

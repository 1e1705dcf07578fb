"""Workspace presentation helpers: photo URLs and ``srcset`` from the stored renditions."""

from django import template
from django.core.files.storage import default_storage

register = template.Library()


@register.filter
def media_url(name: str) -> str:
    return default_storage.url(name) if name else ""


@register.filter
def photo_srcset(photo) -> str:
    """ "…-160w.webp 160w, …-320w.webp 320w, ….webp 800w": the renditions, then the photo."""
    entries = [
        f"{default_storage.url(r['name'])} {r['width']}w"
        for r in photo.renditions
        if r.get("name") and r.get("width")
    ]
    entries.append(f"{default_storage.url(photo.image.name)} {photo.width}w")
    return ", ".join(entries)


@register.filter
def photo_thumbnail(photo, width: int = 320) -> str:
    """The URL of the narrowest rendition at least ``width`` wide (the photo itself if none)."""
    for rendition in photo.renditions:
        if rendition.get("width", 0) >= int(width):
            return default_storage.url(rendition["name"])
    return default_storage.url(photo.image.name)

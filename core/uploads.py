"""Uploaded files: the refusal every package raises for a file it will not take, its name as
shown back to the user, and the size checks.

A refused upload is nobody's business rule — a product photo, a provenance event's photo and
whatever comes next are refused the same way — so its error lives here rather than in the
package of the first caller (photos used to raise ``SellerError`` even for traceability).
``UploadRejected`` is a ``DomainError``: forms put it on its field, GraphQL mutations return it
in ``errors``.
"""

import os

from django.utils.translation import gettext as _

from core.errors import DomainError


class UploadRejected(DomainError):
    """An uploaded file refused for what it is (empty, too large, not the right kind, damaged);
    ``field`` names the form or API input that carried it."""


def upload_name(upload) -> str:
    """The file's base name, safe to show back: a browser may send a full client path."""
    return os.path.basename(getattr(upload, "name", "") or "") or _("the file")


def upload_size(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
        upload.seek(0)
    return size


def _megabytes(size: float) -> str:
    # Vietnamese decimal comma, whole numbers without one: "3,0", "10".
    return f"{size / 1024 / 1024:.1f}".replace(".", ",")


def upload_size_check(upload, *, max_bytes: int, field: str, too_large=None) -> int:
    """The upload's size in bytes, or ``UploadRejected`` when it is empty or over ``max_bytes``.
    ``too_large`` words the refusal for the kind of file (placeholders ``name``, ``size``,
    ``max``, in MB)."""
    name = upload_name(upload)
    size = upload_size(upload)
    if size == 0:
        raise UploadRejected(_("“%(name)s” is empty.") % {"name": name}, code="empty", field=field)
    if size > max_bytes:
        message = too_large or _("“%(name)s” is %(size)s MB; files can be at most %(max)s MB.")
        raise UploadRejected(
            message
            % {
                "name": name,
                "size": _megabytes(size),
                "max": max_bytes // (1024 * 1024) or _megabytes(max_bytes),
            },
            code="too_large",
            field=field,
        )
    return size

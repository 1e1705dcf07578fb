"""Compiling translations without GNU gettext.

A fresh machine has no ``msgfmt``, so the compiled ``.mo`` files are committed and this module
(Babel, pure Python) rebuilds them from the ``.po`` sources: ``manage.py compiletranslations``.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def translations_compile(*, locale_dirs: list[Path]) -> list[Path]:
    """Compile every ``*.po`` under ``locale_dirs`` with Babel; returns the .mo paths."""
    written = []
    for locale_dir in locale_dirs:
        for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
            with po_path.open("rb") as fh:
                catalog = read_po(fh, locale=po_path.parent.parent.name)
            mo_path = po_path.with_suffix(".mo")
            with mo_path.open("wb") as fh:
                # Fuzzy entries are guesses; gettext ignores them, and so do we.
                write_mo(fh, catalog, use_fuzzy=False)
            written.append(mo_path)
    return written

"""Vietnamese is the default language and every user-facing string has a Vietnamese translation.

The compiled .mo files are committed (a fresh machine has no GNU gettext); these tests keep them
in step with the .po sources that translators edit.
"""

import gettext
import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
# printf-style (Python code and {% blocktranslate %}), str.format and template variables.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sdfr]|\{\{\s*[\w.]+\s*\}\}|\{\w*\}")


def _catalog(language: str):
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as fh:
        return read_po(fh, locale=language)


def _messages(vi_catalog):
    return [m for m in vi_catalog if m.id]


def test_every_vietnamese_string_is_translated_and_none_is_fuzzy():
    catalog = _catalog("vi")
    untranslated = [
        m.id
        for m in _messages(catalog)
        if not all(m.string if isinstance(m.string, tuple) else [m.string])
    ]
    fuzzy = [m.id for m in _messages(catalog) if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []
    assert len(_messages(catalog)) > 700


def test_placeholders_survive_translation():
    mismatched = []
    for message in _messages(_catalog("vi")):
        source = message.id[-1] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for translated in strings:
            if sorted(set(PLACEHOLDER.findall(source))) != sorted(
                set(PLACEHOLDER.findall(translated))
            ):
                mismatched.append((source, translated))
    assert mismatched == []


@pytest.mark.parametrize("language", ["vi", "en"])
def test_committed_mo_matches_its_po(language):
    catalog = _catalog(language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    fresh = gettext.GNUTranslations(compiled)
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as fh:
        committed = gettext.GNUTranslations(fh)
    # The "" entry is the header; its Generated-By line names whichever Babel compiled it,
    # which is no translation and changes with every Babel release.
    committed_messages = {k: v for k, v in committed._catalog.items() if k != ""}
    fresh_messages = {k: v for k, v in fresh._catalog.items() if k != ""}
    assert committed_messages == fresh_messages, (
        "Run `python manage.py compiletranslations` and commit the .mo files."
    )


def test_pages_are_vietnamese_by_default_and_english_on_request(client, db):
    vietnamese = client.get("/")
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert vietnamese.status_code == english.status_code == 200
    assert '<html lang="vi"' in vietnamese.content.decode()
    assert "Sản phẩm OCOP được chứng nhận" in vietnamese.content.decode()
    assert '<html lang="en"' in english.content.decode()
    assert "Certified OCOP products" in english.content.decode()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_navigation_speaks_the_requested_language(client, db, language):
    with translation.override(language):
        nav = [translation.gettext("OCOP products"), translation.gettext("Producers: sign in")]
    with translation.override("en"):
        english_nav = [
            translation.gettext("OCOP products"),
            translation.gettext("Producers: sign in"),
        ]
    headers = {} if language == "vi" else {"HTTP_ACCEPT_LANGUAGE": language}
    body = client.get("/", **headers).content.decode()
    if language == "vi":
        # Vietnamese by default: no Accept-Language at all, and the catalog really translates.
        assert nav != english_nav
        assert not any(english in body for english in english_nav)
    for label in nav:
        assert label in body


def test_the_api_answers_in_vietnamese_by_default(client, db):
    body = json.dumps({"query": '{ product(slug: "x", id: "UHJvZHVjdDox") { name } }'})
    vietnamese = client.post("/graphql/", body, content_type="application/json").json()
    english = client.post(
        "/graphql/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert vietnamese["errors"][0]["message"] == "Hãy cho `id` hoặc `slug` (chỉ một trong hai)."
    assert english["errors"][0]["message"] == "Give either `id` or `slug`."


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_po_entry_is_well_formed(language):
    # A msgid without its msgstr (a hand merge of two branches' entries) is skipped with only a
    # warning by the compiler, and can swallow the entry after it.
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as fh:
        read_po(fh, locale=language, abort_invalid=True)


def _entry_keys(language: str) -> list[tuple[str, str]]:
    """(msgctxt, msgid) of every entry, in file order, as written (continuation lines joined)."""
    keys: list[tuple[str, str]] = []
    context, msgid, reading = "", None, None
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    for line in [*text.splitlines(), ""]:
        if line.startswith("msgctxt "):
            context, reading = line[8:], "context"
        elif line.startswith("msgid "):
            msgid, reading = line[6:], "id"
        elif line.startswith('"') and reading == "id":
            msgid += line
        elif line.startswith('"') and reading == "context":
            context += line
        elif line.startswith(("msgstr", "msgid_plural")):
            reading = None
        elif not line.strip() and msgid is not None:
            keys.append((context, msgid))
            context, msgid, reading = "", None, None
    return keys


@pytest.mark.parametrize("language", ["vi", "en"])
def test_no_message_is_listed_twice(language):
    # Two branches adding the same msgid leave two entries; the compiler keeps one of them
    # silently, so the other entry's translation is dead text that drifts.
    keys = _entry_keys(language)
    assert len(keys) > 2000
    assert sorted(key for key, count in Counter(keys).items() if count > 1) == []

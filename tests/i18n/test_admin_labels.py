"""Every label the admin shows is translated: each registered ModelAdmin is walked and each
label rendered in Vietnamese and in English; a label that reads the same in both is English left
untranslated (the first run found "name folded", "order form submission" and Django's own
"Password-based authentication" in an otherwise Vietnamese admin).

Walked: app names (``AppConfig.verbose_name``), model names singular and plural, every field's
name and help text (the admin's models and their inlines' models), the admin forms' field labels
and help texts, actions, list-display and read-only columns, list filters and fieldset titles.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin import SimpleListFilter
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.utils import translation

# The same in both languages on purpose: codes and names nobody translates, and "email", the
# loanword Vietnamese forms use.
SAME_IN_BOTH = {
    *("GTIN", "SKU", "SHA-256", "VietQR", "Stripe", "GS1 Digital Link", "OCOP"),
    *("email", "Email", "e-mail", "E-mail"),
}


def _walk(language: str, request) -> list[tuple[str, str]]:
    """(where, label as the admin shows it) for every label, built and rendered in
    ``language``: some labels are lazy, others (Django's multi-select hint) are translated when
    the form is built, so each walk runs wholly inside its language."""
    with translation.override(language):
        return [
            (where, str(label))
            for model, model_admin in admin.site._registry.items()
            for where, label in _admin_labels(model, model_admin, request)
            if label is not None
        ]


def _model_labels(model, where: str):
    yield f"{where} verbose_name", model._meta.verbose_name
    yield f"{where} verbose_name_plural", model._meta.verbose_name_plural
    for field in model._meta.get_fields():
        if field.auto_created or not hasattr(field, "verbose_name"):
            continue
        yield f"{where}.{field.name}", field.verbose_name
        if field.help_text:
            yield f"{where}.{field.name} help_text", field.help_text


def _callable_label(model_admin, item):
    function = item if callable(item) else getattr(model_admin, item, None)
    if function is None or not callable(function):
        return None
    return getattr(function, "short_description", None)


def _admin_labels(model, model_admin, request):
    name = model.__name__
    app = apps.get_app_config(model._meta.app_label)
    yield f"app {app.label}", app.verbose_name
    yield from _model_labels(model, name)
    for inline in model_admin.get_inline_instances(request):
        yield f"{name} inline", inline.verbose_name
        yield f"{name} inline", inline.verbose_name_plural
        yield from _model_labels(inline.model, f"{name} inline {inline.model.__name__}")
    for action, (_function, _key, description) in model_admin.get_actions(request).items():
        yield f"{name} action {action}", description
    columns = [*model_admin.get_list_display(request), *model_admin.get_readonly_fields(request)]
    for item in columns:
        yield f"{name} column {item}", _callable_label(model_admin, item)
    for item in model_admin.get_list_filter(request):
        if isinstance(item, (tuple, list)):
            item = item[1]
        if isinstance(item, type) and issubclass(item, SimpleListFilter):
            yield f"{name} filter {item.__name__}", item.title
    for title, _options in model_admin.get_fieldsets(request) or []:
        yield f"{name} fieldset", title
    form = model_admin.get_form(request, None)
    for field_name, field in form.base_fields.items():
        yield f"{name} form {field_name}", field.label
        if field.help_text:
            yield f"{name} form {field_name} help_text", field.help_text


@pytest.fixture
def superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    return request


def test_every_admin_label_is_translated(superuser_request):
    vi = _walk("vi", superuser_request)
    en = _walk("en", superuser_request)
    assert [where for where, _label in vi] == [where for where, _label in en]
    untranslated = {
        f"{where}: {english!r}"
        for (where, vietnamese), (_where, english) in zip(vi, en, strict=True)
        if vietnamese == english
        and any(c.isalpha() for c in english)
        and english not in SAME_IN_BOTH
    }
    assert not untranslated, "untranslated:\n" + "\n".join(sorted(untranslated))


def test_the_walk_sees_what_the_admin_shows(superuser_request):
    """The walk reaches actions, filters and forms (so an empty result above means something)."""
    seen: dict[str, int] = {}
    for where, _label in _walk("en", superuser_request):
        kind = where.split(" ")[1] if " " in where else "field"
        seen[kind] = seen.get(kind, 0) + 1
    assert len(admin.site._registry) >= 20
    assert seen.get("action", 0) >= 5
    assert seen.get("filter", 0) >= 1
    assert seen.get("form", 0) >= 100

"""core.rows: instances built from rows are the instances ``from_db`` builds."""

import pytest
from django.db import connection, models
from django.db.models import Prefetch
from django.db.models.query import ModelIterable
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from catalog.models import Certificate, EvaluationPart, Product, ProductPhoto
from core.rows import RowModelIterable, builder, rows
from tests.factories import certified_product

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {name: value for name, value in vars(obj).items() if name != "_state"}


def test_same_attributes_state_and_joined_objects_as_from_db():
    product, evaluation, certificate = certified_product()
    queryset = Certificate.objects.select_related("product__holder", "evaluation").filter(
        pk=certificate.pk
    )
    (plain,) = list(queryset)
    (built,) = list(rows(queryset))
    assert type(built) is Certificate
    assert _fields(built) == _fields(plain)
    assert (built._state.adding, built._state.db) == (False, "default")
    assert list(vars(built)) == ["_state", *(f.attname for f in Certificate._meta.concrete_fields)]
    with CaptureQueriesContext(connection) as captured:
        assert _fields(built.product) == _fields(plain.product)
        assert _fields(built.product.holder) == _fields(plain.product.holder)
        assert _fields(built.evaluation) == _fields(plain.evaluation)
    assert len(captured.captured_queries) == 0
    assert built == plain and built.product == product and built.evaluation == evaluation


def test_deferred_columns_load_on_access_and_annotations_are_set():
    product, _evaluation, _certificate = certified_product(name="Mật ong bạc hà")
    queryset = Product.objects.filter(pk=product.pk).only("id", "slug").annotate(n=models.Value(7))
    (built,) = list(rows(queryset))
    assert _fields(built) == {"id": product.pk, "slug": product.slug, "n": 7}
    assert built.get_deferred_fields() == {
        f.attname for f in Product._meta.concrete_fields if f.attname not in {"id", "slug"}
    }
    with CaptureQueriesContext(connection) as captured:
        assert built.name == "Mật ong bạc hà"
    assert len(captured.captured_queries) == 1


def test_prefetch_querysets_and_clones_keep_building_from_rows():
    product, evaluation, _certificate = certified_product(parts={"A": "30.5", "B": "22", "C": "20"})
    parts = rows(EvaluationPart.objects.select_related("part"))
    assert parts.filter(evaluation=evaluation)._iterable_class is RowModelIterable
    assert parts.values("pk")._iterable_class is not RowModelIterable
    (loaded,) = list(
        rows(Product.objects.filter(pk=product.pk)).prefetch_related(
            Prefetch("evaluations__parts", queryset=parts, to_attr="loaded_parts")
        )
    )
    expected = list(EvaluationPart.objects.filter(evaluation=evaluation).select_related("part"))
    got = loaded.evaluations.all()[0].loaded_parts
    assert [(_fields(p), _fields(p.part)) for p in got] == [
        (_fields(p), _fields(p.part)) for p in expected
    ]
    assert len(got) == 3 and all(type(p) is EvaluationPart for p in got)


def test_saved_and_refreshed_like_any_instance():
    product, _evaluation, _certificate = certified_product(name="Trà shan tuyết")
    (built,) = list(rows(Product.objects.filter(pk=product.pk)))
    built.name = "Trà shan tuyết cổ thụ"
    built.save(update_fields=["name"])
    product.refresh_from_db()
    assert product.name == "Trà shan tuyết cổ thụ"


def test_models_with_init_receivers_are_built_by_from_db(monkeypatch):
    calls = []

    def receiver(sender, instance, **kwargs):
        calls.append(instance)

    build = builder(ProductPhoto, ["id"])
    assert build.__name__ == "build"  # no receiver: straight from the row
    post_init.connect(receiver, sender=ProductPhoto)
    try:
        build = builder(ProductPhoto, ["id"])
        obj = build("default", (5,))
    finally:
        post_init.disconnect(receiver, sender=ProductPhoto)
    assert build.__name__ == "<lambda>"
    assert calls == [obj] and obj.pk == 5 and obj._state.adding is False


def test_only_model_querysets_change_iterable():
    queryset = Product.objects.values("pk")
    assert rows(queryset) is queryset
    assert rows(Product.objects.all())._iterable_class is RowModelIterable
    assert Product.objects.all()._iterable_class is ModelIterable

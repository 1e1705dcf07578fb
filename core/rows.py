"""Model instances built straight from rows, for the hot read paths of the catalogue.

``Model.from_db`` calls ``Model.__init__``, which sends ``pre_init`` and ``post_init``, walks
every concrete field (a ``DEFERRED`` placeholder list is built first when columns are deferred)
and sets each value through its descriptor; a foreign key's descriptor asks whether the
related object is cached before it stores the id. For a products page of the API (about 1,700
instances: products, holders, certificates, evaluations, part scores, photos, offers and their
sellers) that was a fifth of an uncached answer.

``rows(queryset)`` evaluates a queryset with ``RowModelIterable`` instead: same SQL, same
``select_related`` objects, annotations and known related objects, but each instance is made
with ``object.__new__`` and its loaded columns written into its ``__dict__`` with a
``ModelState`` saying it came from the database — what ``__init__`` ends up with, because on a
fresh instance every descriptor's ``__set__`` stores the value under the attname and nothing
else. A model for which that does not hold (its own ``__init__``, ``from_db`` or
``__setattr__``, ``pre_init``/``post_init`` receivers — an ``ImageField`` with dimension fields
connects one — or a field whose descriptor is not one of Django's plain ones) is built with
``from_db`` as usual. The instances are ordinary: deferred columns load on access, related
managers, ``save()`` and ``refresh_from_db()`` work.

The queryset's clones keep the iterable (``filter`` in a prefetch does), ``values()`` and
``values_list()`` replace it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import ModelIterable, RelatedPopulator
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

QS = TypeVar("QS", bound=QuerySet)
Build = Callable[[str, tuple], Model]

# Descriptors whose ``__set__`` on a fresh instance only stores the value under the attname
# (and ``FileDescriptor`` with its subclasses: on a fresh instance there is no previous file).
_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)


def rows(queryset: QS) -> QS:
    """``queryset`` evaluated with ``RowModelIterable`` (a queryset of model instances only)."""
    if queryset._iterable_class is ModelIterable:
        queryset = queryset._chain()
        queryset._iterable_class = RowModelIterable
    return queryset


def _plain(model: type[Model]) -> bool:
    """Is ``__init__`` from these values the same as filling the instance's ``__dict__``?"""
    if (
        model.__init__ is not Model.__init__
        or model.__setattr__ is not object.__setattr__
        or model.from_db.__func__ is not Model.from_db.__func__
        or pre_init.has_listeners(model)
        or post_init.has_listeners(model)
    ):
        return False
    for field in model._meta.concrete_fields:
        descriptor = getattr(model, field.attname, None)
        if type(descriptor) not in _PLAIN_DESCRIPTORS and not isinstance(
            descriptor, FileDescriptor
        ):
            return False
    return True


def builder(model: type[Model], init_list: list[str]) -> Build:
    """``build(db, values)``: an instance of ``model`` loaded from the database with the
    columns ``init_list`` (attnames, in the select's order) set to ``values``."""
    if not _plain(model):
        return lambda db, values: model.from_db(db, init_list, values)
    new = object.__new__
    names = tuple(init_list)

    def build(db, values):
        obj = new(model)
        state = ModelState()
        state.adding = False
        state.db = db
        attributes = obj.__dict__
        attributes["_state"] = state
        attributes.update(zip(names, values, strict=True))
        return obj

    return build


class RowRelatedPopulator(RelatedPopulator):
    """``select_related`` objects, built like the main ones."""

    def __init__(self, klass_info, select, db):
        super().__init__(klass_info, select, db)
        self.build = builder(self.model_cls, self.init_list)
        self.related_populators = _populators(klass_info, select, db)

    def populate(self, row, from_obj):
        if self.reorder_for_init:
            obj_data = self.reorder_for_init(row)
        else:
            obj_data = row[self.cols_start : self.cols_end]
        if obj_data[self.pk_idx] is None:
            obj = None
        else:
            obj = self.build(self.db, obj_data)
            for populator in self.related_populators:
                populator.populate(row, obj)
        self.local_setter(from_obj, obj)
        if obj is not None:
            self.remote_setter(obj, from_obj)


def _populators(klass_info, select, db) -> list[RowRelatedPopulator]:
    return [
        RowRelatedPopulator(related, select, db)
        for related in klass_info.get("related_klass_infos", [])
    ]


class RowModelIterable(ModelIterable):
    """``ModelIterable`` with instances made by ``builder`` (see the module's docstring)."""

    def __iter__(self):
        queryset = self.queryset
        if queryset._known_related_objects:  # rare on these paths: Django's own way
            yield from super().__iter__()
            return
        db = queryset.db
        compiler = queryset.query.get_compiler(using=db)
        results = compiler.execute_sql(chunked_fetch=self.chunked_fetch, chunk_size=self.chunk_size)
        select, klass_info, annotation_col_map = (
            compiler.select,
            compiler.klass_info,
            compiler.annotation_col_map,
        )
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        init_list = [f[0].target.attname for f in select[start:end]]
        build = builder(klass_info["model"], init_list)
        populators = _populators(klass_info, select, db)
        annotations = list(annotation_col_map.items()) if annotation_col_map else []
        for row in compiler.results_iter(results):
            obj = build(db, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotations:
                setattr(obj, name, row[position])
            yield obj

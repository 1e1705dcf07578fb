"""The shape of every mutation: its object plus ``errors``.

A subclass declares ``Arguments`` and its output fields, and implements two class methods:

* ``check_permissions(info, **data) -> bool`` — denied by default, so a mutation that forgets to
  say who may call it is refused rather than open. The check runs before anything is written;
  refusing yields ``errors: [{code: PERMISSION_DENIED}]`` and changes nothing.
* ``perform_mutation(root, info, **data)`` — validates input, calls one service and returns
  ``cls(<object>=..., errors=[])``. It runs in a transaction: a domain error raised half-way
  rolls back what was written and comes back as ``errors`` (see ``errors_from_exception``).

Anything else raised is a bug and surfaces as a GraphQL error (masked outside DEBUG by the view).
"""

from __future__ import annotations

import graphene
from django.db import transaction
from django.utils.translation import gettext as _

from core.graphql.errors import Error, ErrorCode, errors_from_exception


class BaseMutation(graphene.Mutation):
    class Meta:
        abstract = True

    errors = graphene.List(
        graphene.NonNull(Error),
        required=True,
        description="Why the mutation did not happen; empty when it did.",
    )

    @classmethod
    def check_permissions(cls, info, **data) -> bool:
        return False

    @classmethod
    def perform_mutation(cls, root, info, **data):
        raise NotImplementedError(f"{cls.__name__} must implement perform_mutation().")

    @classmethod
    def permission_denied(cls, message=None):
        return cls(
            errors=[
                Error(
                    field=None,
                    message=str(message or _("You do not have permission to do this.")),
                    code=ErrorCode.PERMISSION_DENIED,
                )
            ]
        )

    @classmethod
    def mutate(cls, root, info, **data):
        if not cls.check_permissions(info, **data):
            return cls.permission_denied()
        try:
            with transaction.atomic():
                result = cls.perform_mutation(root, info, **data)
                if result.errors is None:
                    result.errors = []
                if result.errors:
                    # A mutation that reports errors must not leave half of its work behind.
                    transaction.set_rollback(True)
                return result
        except Exception as exc:
            errors = errors_from_exception(exc)
            if errors is None:
                raise
            return cls(errors=errors)

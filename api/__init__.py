"""The public API: the root GraphQL schema and its endpoint, ``/graphql/``.

This package sits above every other one (search → traceability → marketplace → catalog →
sellers → core): assembling the API is the one job that needs all of them, and nothing imports
it back. Each package owns its GraphQL in a ``graphql/`` sub-package (types, shaping, queries,
mutations, and the extensions it makes to the types of packages below it); here:

- ``types`` composes the schema's types that packages above their owner extend (``Product``,
  ``Business``) from the owner's base type and those extensions;
- ``schema`` lists every package's ``Query`` and ``Mutation`` and builds the schema;
- ``views`` and ``urls`` serve it (API tokens, multipart uploads).

ARCHITECTURE.md, *How to add a package's API*, says how a new package joins in.
"""

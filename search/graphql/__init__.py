"""The search package's GraphQL: ``search``, ``suggest`` and ``products(search:)``."""

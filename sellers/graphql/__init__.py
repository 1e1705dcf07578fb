"""GraphQL of the sellers domain.

``types`` (businesses, the signed-in user and their memberships), ``shaping`` (selection →
queryset), ``acting`` (how every seller-side query and mutation finds the businesses a request
acts for — used by the packages above too), ``queries`` and ``mutations`` (the team, and
``SellerMutation``, the base of every seller-side mutation). The root schema (``api.schema``)
assembles them; ``Business`` is composed there with the fields catalog and marketplace add.
"""

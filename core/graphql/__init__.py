"""Shared GraphQL pieces: type-checked Relay IDs, errors, connections, limits, the view.

Domain code never imports this package; each package's ``schema`` module does.
"""

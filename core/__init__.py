"""Foundation shared by every domain package: text, money, administrative units, GraphQL pieces.

It sits below ``sellers`` in the dependency chain and imports no domain package.
"""

"""Offers: a seller's sale of a catalog variant, with stock per location."""

"""The certified catalogue: the OCOP registry and the products it certifies."""

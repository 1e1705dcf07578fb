"""The buyer-facing storefront: catalogue pages with the offers buyers can act on."""

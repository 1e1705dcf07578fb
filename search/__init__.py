"""The search index: one interface, a database backend and an Elasticsearch backend."""

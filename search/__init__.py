"""The search index: one interface (``core.search``), a database backend and an Elasticsearch
backend, the documents they serve and the pages that show them."""

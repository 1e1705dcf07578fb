"""psycopg remembers the statements of a products page (100 ids): core.statements."""

import pytest
from django.db import connection

from core.statements import MAX_REMEMBERED_PARAMS


@pytest.mark.django_db
def test_psycopg_remembers_a_statement_of_a_hundred_parameters():
    if connection.vendor != "postgresql":
        pytest.skip("psycopg only")
    queries = pytest.importorskip("psycopg._queries")
    assert queries.MAX_CACHED_STATEMENT_PARAMS == MAX_REMEMBERED_PARAMS
    sql = "SELECT count(*) FROM core_province WHERE id IN (" + ", ".join(["%s"] * 101) + ")"
    queries._query2pg_client.cache_clear()
    with connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute(sql, list(range(101)))
    info = queries._query2pg_client.cache_info()
    assert (info.misses, info.hits) == (1, 2)  # split once, then remembered

"""The Elasticsearch backend without a server: the index definition, the query bodies and the
parsing of recorded answers as data; the outbox under a failing server; the rebuild's alias
swap. ``test_against_a_real_server`` runs only when ELASTICSEARCH_URL is set
(``docker compose --profile search up -d elasticsearch``)."""

import datetime
import json
import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import Product
from core.search import SearchFilters, search_backend, search_rows_changed
from search.backends import elastic
from search.models import SearchDocument, SearchIndexState, SearchOutbox
from tests.factories import certified_product

RECORDED = Path(__file__).parent / "recorded"
TODAY = datetime.date(2026, 12, 6)


def recorded(name: str) -> dict:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


class FakeIndices:
    def __init__(self, client):
        self.client = client
        self.aliases: dict[str, str] = {}

    def create(self, index, body):
        self.client.calls.append(("create", index, body))

    def exists_alias(self, name):
        return name in self.aliases.values()

    def get_alias(self, name):
        return {index: {"aliases": {name: {}}} for index, a in self.aliases.items() if a == name}

    def update_aliases(self, actions):
        self.client.calls.append(("update_aliases", actions))
        for action in actions:
            if "remove" in action:
                self.aliases.pop(action["remove"]["index"], None)
            if "add" in action:
                self.aliases[action["add"]["index"]] = action["add"]["alias"]

    def delete(self, index):
        self.client.calls.append(("delete", index))

    def refresh(self, index):
        self.client.calls.append(("refresh", index))


class FakeClient:
    """Answers like Elasticsearch, or fails like a server that is down."""

    def __init__(self, *, down=False):
        self.down = down
        self.calls: list = []
        self.indices = FakeIndices(self)

    def bulk(self, index, operations, refresh=False):
        if self.down:
            raise ConnectionError("Connection refused")
        self.calls.append(("bulk", index, operations))
        items = [
            {action: {"_id": meta["_id"], "status": 200}}
            for entry in operations
            for action, meta in entry.items()
            if action in ("index", "delete")
        ]
        return {"errors": False, "items": items}

    def count(self, index):
        return {"count": 0}


@pytest.fixture
def es(settings):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    settings.ELASTICSEARCH_INDEX = "ocop-test"
    backend = search_backend("elasticsearch")
    client = FakeClient()
    backend._client_instance, backend._failed_at = client, 0.0
    yield client
    backend._client_instance, backend._failed_at = None, 0.0


def test_index_definition_folds_and_suggests():
    body = elastic.index_definition("ocop-search-1").to_dict()
    analysis = body["settings"]["analysis"]
    assert analysis["filter"]["ocop_folding"] == {
        "type": "asciifolding",
        "preserve_original": False,
    }
    assert "che, tra" in analysis["filter"]["ocop_synonyms"]["synonyms"]
    assert "hop tac xa, htx" in analysis["filter"]["ocop_synonyms"]["synonyms"]
    assert analysis["filter"]["ocop_edge_ngrams"]["type"] == "edge_ngram"
    assert analysis["analyzer"]["ocop_folded_search"]["filter"] == [
        "lowercase", "ocop_folding", "ocop_synonyms",
    ]  # fmt: skip
    properties = body["mappings"]["properties"]
    assert properties["title"]["analyzer"] == "ocop_folded"
    assert properties["title"]["search_analyzer"] == "ocop_folded_search"
    assert properties["title"]["fields"]["suggest"]["analyzer"] == "ocop_suggest"
    for facet in ("province", "category_slug", "seller_types", "latest_status", "kind"):
        assert properties[facet] == {"type": "keyword"}
    assert properties["stars"] == {"type": "integer"}
    assert properties["certificate_valid_until"] == {"type": "date"}
    assert properties["card"] == {"type": "object", "enabled": False}


def test_search_body_filters_ranks_and_counts():
    body = elastic.search_body(
        query="gio luaa",
        filters=SearchFilters(province="quang-ninh", stars=3),
        kind="product",
        order="relevance",
        offset=24,
        limit=24,
        today=TODAY,
        facets=True,
        understood="gio lua",
    )
    assert body["from"] == 24 and body["size"] == 24 and body["track_total_hits"] is True
    filters = body["query"]["bool"]["filter"]
    assert {"term": {"kind": "product"}} in filters
    assert {"range": {"certificate_valid_until": {"gte": "2026-12-06"}}} in filters
    assert {"term": {"province": "quang-ninh"}} in filters
    assert {"term": {"stars": 3}} in filters
    should = body["query"]["bool"]["must"][0]["bool"]["should"]
    assert should[0]["multi_match"]["type"] == "cross_fields"
    assert should[0]["multi_match"]["operator"] == "and"
    assert should[0]["multi_match"]["fields"][0] == "title^10"
    assert should[1]["multi_match"]["fuzziness"] == "AUTO:4,7"
    assert should[2] == {"match_phrase": {"title": {"query": "gio lua", "boost": 8}}}
    assert should[-1]["multi_match"]["query"] == "gio lua"
    assert body["sort"][0] == "_score"
    assert body["sort"][1]["_script"]["script"]["params"] == {"today": "2026-12-06"}
    assert body["sort"][2] == {"stars": {"order": "desc", "missing": "_last"}}
    assert body["aggs"]["price"]["aggs"]["values"]["range"]["ranges"][1] == {
        "key": "100000-200000", "from": 100000, "to": 200000,
    }  # fmt: skip
    assert body["aggs"]["in_stock"]["filter"]["bool"]["filter"][1] == {"term": {"in_stock": True}}


def test_suggest_body_uses_edge_ngrams():
    body = elastic.suggest_body(prefix="Rau m", today=TODAY, limit=8)
    assert body["query"]["bool"]["must"] == [
        {"match": {"title.suggest": {"query": "rau m", "operator": "and"}}}
    ]
    assert body["size"] == 8


@pytest.mark.django_db
def test_parse_a_recorded_answer():
    results = elastic.parse_search(
        recorded("search_gio_lua.json"), filters=SearchFilters(), today=TODAY
    )
    assert results.total == 2
    first, second = results.hits
    assert (first.title, first.object_id, first.stars, first.buyable, first.min_price) == (
        "Giò lụa Móng Cái", 17, 3, True, 100_000,
    )  # fmt: skip
    assert first.highlight == "<mark>Giò</mark> <mark>lụa</mark> Móng Cái"
    assert first.card["province"]["slug"] == "quang-ninh"
    # Its certificate ran out yesterday: never buyable, whatever the stored stock says.
    assert (second.in_force, second.buyable, second.stars, second.min_price) == (
        False, False, None, None,
    )  # fmt: skip
    assert second.highlight == "Chả <mark>lụa</mark> &lt;Móng Cái&gt;"
    facets = results.facets
    assert [(v.value, v.count) for v in facets["stars"]] == [("3", 1)]
    assert [(v.value, v.label, v.count) for v in facets["province"]] == [
        ("quang-ninh", "Tỉnh Quảng Ninh", 2)
    ]
    assert [(v.value, v.count) for v in facets["price"]] == [("100000-200000", 1)]
    assert [(v.value, v.count) for v in facets["seller_type"]] == [
        ("producer", 1), ("ocop_centre", 1),
    ]  # fmt: skip
    assert [(v.value, v.count) for v in facets["in_stock"]] == [("1", 1)]
    assert facets["set"][0].label.startswith("8. ")
    suggestions = elastic.parse_suggest(recorded("suggest_rau_m.json"))
    assert suggestions[0].title == "Rau mầm Song Hành"
    assert suggestions[0].highlight == "<mark>Rau</mark> <mark>mầm</mark> Song Hành"


@pytest.mark.django_db
def test_the_outbox_keeps_changes_while_elasticsearch_is_down(
    es, django_capture_on_commit_callbacks
):
    es.down = True
    with django_capture_on_commit_callbacks(execute=True):
        product, _evaluation, _certificate = certified_product(name="Mật ong Tiên Yên")
    waiting = SearchOutbox.objects.filter(kind="product", object_id=product.pk)
    assert waiting.exists()
    assert all(row.attempts == 1 and "Connection refused" in row.last_error for row in waiting)
    assert SearchDocument.objects.filter(object_id=product.pk, kind="product").exists()

    out = StringIO()
    with pytest.raises(CommandError):
        call_command("search_outbox", "--drain", stdout=out, stderr=StringIO())
    assert "backlog: " in out.getvalue() and "backlog: 0" not in out.getvalue()

    es.down = False
    out = StringIO()
    call_command("search_outbox", "--drain", stdout=out)
    assert "backlog: 0" in out.getvalue()
    assert not SearchOutbox.objects.exists()
    sent = [op for call in es.calls if call[0] == "bulk" for op in call[2]]
    assert {"index": {"_id": f"product:{product.pk}"}} in sent
    source = next(op for op in sent if op.get("title") == "Mật ong Tiên Yên")
    assert source["kind"] == "product" and source["province"] == product.holder.province.slug
    assert SearchIndexState.objects.get(backend="elasticsearch").last_error == ""


@pytest.mark.django_db
def test_a_rolled_back_change_queues_nothing(es):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        certified_product(name="Chả mực Hạ Long")
        assert SearchOutbox.objects.exists()
        raise RuntimeError
    assert not SearchOutbox.objects.exists()


@pytest.mark.django_db
def test_a_removed_document_is_deleted_from_the_index(es):
    product, _evaluation, _certificate = certified_product(name="Chả mực Hạ Long")
    elastic.outbox_drain(client=es)
    Product.objects.filter(pk=product.pk).update(name="Chả mực")  # no document change
    SearchDocument.objects.filter(object_id=product.pk).delete()
    search_rows_changed(Product, [])  # nothing announced: nothing queued
    assert not SearchOutbox.objects.exists()
    search_backend().documents_changed(kind="product", ids=[product.pk])
    elastic.outbox_drain(client=es)
    assert {"delete": {"_id": f"product:{product.pk}"}} in es.calls[-1][2]


@pytest.mark.django_db
def test_rebuild_fills_a_new_index_and_swaps_the_alias(es):
    certified_product(name="Gốm sứ trang trí Quang Vinh")
    es.indices.aliases = {"ocop-test-old": "ocop-test"}
    out = StringIO()
    call_command("search_rebuild", "--backend", "elasticsearch", stdout=out)
    created = next(call for call in es.calls if call[0] == "create")
    new = created[1]
    assert new.startswith("ocop-test-2")
    assert "analysis" in created[2]["settings"]
    swap = next(call for call in es.calls if call[0] == "update_aliases")[1]
    assert swap == [
        {"remove": {"index": "ocop-test-old", "alias": "ocop-test"}},
        {"add": {"index": new, "alias": "ocop-test"}},
    ]
    assert ("delete", "ocop-test-old") in es.calls
    assert SearchIndexState.objects.get(backend="elasticsearch").index_name == new
    assert f"alias ocop-test → {new}" in out.getvalue()
    assert "/s" in out.getvalue()  # the rate


@pytest.mark.skipif(not os.environ.get("ELASTICSEARCH_URL"), reason="needs ELASTICSEARCH_URL")
@pytest.mark.usefixtures("demo")
def test_against_a_real_server(settings):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_INDEX = "ocop-test-integration"
    backend = search_backend("elasticsearch")
    backend._client_instance = None
    backend.rebuild()
    try:
        for query, expected in [
            ("gio lua", "Giò lụa Móng Cái"),
            ("rau mam song hanh", "Rau mầm Song Hành"),
            ("gom trang tri", "Gốm sứ trang trí Quang Vinh"),
            ("ruou bakich", "Rượu ba kích Ba Chẽ"),
        ]:
            assert expected in [hit.title for hit in backend.search(query=query, limit=3).hits]
        assert backend.suggest(prefix="rau m")[0].title == "Rau mầm Song Hành"
        results = backend.search(query="ba che")
        assert results.total >= 3 and results.facets["stars"]
    finally:
        client = backend.client
        for index in client.indices.get_alias(name="ocop-test-integration"):
            client.indices.delete(index=index)


class DownForSearch(FakeClient):
    def search(self, index, body):
        raise ConnectionError("Connection refused")


@pytest.mark.django_db
def test_searches_fall_back_to_the_database_documents_while_elasticsearch_is_down(settings):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    backend = search_backend("elasticsearch")
    backend._client_instance = DownForSearch()
    try:
        certified_product(name="Giò lụa Móng Cái")
        assert [hit.title for hit in backend.search(query="gio luaa").hits] == ["Giò lụa Móng Cái"]
        assert [s.title for s in backend.suggest(prefix="gio l")] == ["Giò lụa Móng Cái"]
    finally:
        backend._client_instance = None

"""The documents follow the writes that change them, in the same transaction, and buyable is
decided when the index is read."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from catalog.models import Product
from catalog.services import certificate_expire_due
from core.search import SearchFilters, search_backend, search_rows_changed
from marketplace.offers.models import OfferStatus
from marketplace.offers.services import offer_pause, offer_update, stock_set
from search.indexer import index_rebuild
from search.models import MATCH_FIELDS, SearchDocument, SearchMatch, SearchPrefix, SearchTerm
from search.query import query_parse
from search.text import edit_distance, folded_field, tokens
from sellers.services import business_suspend
from tests.factories import (
    BusinessFactory,
    ProductFactory,
    UserFactory,
    certified_product,
    honey_on_sale,
    member,
    revoke_certificate,
)

pytestmark = pytest.mark.django_db


def on_sale(quantity=12):
    """``honey_on_sale`` (built with factories, which write no document), then indexed as the
    services would have."""
    product, certificate, offer, stock = honey_on_sale(quantity=quantity)
    search_rows_changed(Product, [product.pk])
    return product, certificate, offer, stock


def titles(query, **kwargs):
    return [hit.title for hit in search_backend().search(query=query, **kwargs).hits]


def document(product):
    return SearchDocument.objects.get(kind="product", object_id=product.pk)


def test_folding_and_tokens():
    assert tokens("Giò lụa (500 g) ĐẶC SẢN") == ["gio", "lua", "500", "g", "dac", "san"]
    assert folded_field("Rượu ba kích", "Ba Chẽ") == " ruou ba kich ba che "
    assert edit_distance("luaa", "lua") == 1
    assert edit_distance("lau", "lua") == 1  # neighbours swapped
    assert edit_distance("mat", "mut") == 1
    assert edit_distance("gio", "lua") == 3


def test_query_understanding_corrects_splits_and_expands_synonyms():
    certified_product(name="Rượu ba kích Ba Chẽ")
    certified_product(name="Chè Đường Hoa")
    parsed = query_parse("ruou bakich")
    assert [[a.terms for a in g.alternatives] for g in parsed.groups] == [
        [("ruou",)],
        [("ba", "kich")],
    ]
    assert parsed.corrected == "ruou ba kich"
    parsed = query_parse("ruouu ba kich")
    assert parsed.groups[0].alternatives[0].terms == ("ruou",)
    assert parsed.corrected == "ruou ba kich"
    # No product says "trà": the synonym alone carries the word.
    parsed = query_parse("tra duong hoa")
    assert [a.terms for a in parsed.groups[0].alternatives] == [("che",)]
    certified_product(name="Trà hoa vàng")
    parsed = query_parse("tra duong hoa")
    assert [a.terms for a in parsed.groups[0].alternatives] == [("tra",), ("che",)]
    # Three letters: one replaced is another word ("sam" is not "san"), swapped is a typo.
    assert query_parse("gioo").groups[0].alternatives == []
    assert [a.terms for a in query_parse("ruuo").groups[0].alternatives] == [("ruou",)]


def test_certificate_issue_indexes_the_product_with_its_card():
    product, _evaluation, certificate = certified_product(
        name="Mật ong Tiên Yên", holder=BusinessFactory(name="HTX Mật ong Đồng Tiến")
    )
    doc = document(product)
    assert doc.title == "Mật ong Tiên Yên"
    assert doc.title_text == " mat ong tien yen "
    assert doc.holder_text == " htx mat ong dong tien "
    assert (doc.stars, doc.certificate_valid_until) == (certificate.stars, certificate.valid_until)
    assert doc.latest_status == "active"
    assert doc.card["holder"]["name"] == "HTX Mật ong Đồng Tiến"
    assert doc.card["province"]["slug"] == product.holder.province.slug
    assert doc.url == f"/san-pham/{product.slug}/"
    assert SearchTerm.objects.filter(variant="tien", term="tien").exists()
    assert SearchTerm.objects.filter(variant="ten", term="tien").exists()


def test_a_rolled_back_write_leaves_the_index_as_it_was():
    product, _evaluation, certificate = certified_product(name="Chả mực Hạ Long")
    with pytest.raises(RuntimeError), transaction.atomic():
        revoke_certificate(certificate=certificate, ground="mark_misuse")
        assert document(product).stars is None
        raise RuntimeError
    assert document(product).stars == certificate.stars
    assert titles("cha muc") == ["Chả mực Hạ Long"]


def test_revocation_and_recorded_expiry_take_the_product_out_at_once():
    _product, _evaluation, certificate = certified_product(name="Chả mực Hạ Long")
    revoke_certificate(certificate=certificate, ground="mark_misuse")
    assert titles("cha muc") == []
    hits = search_backend().search(query="cha muc", filters=SearchFilters(status="revoked")).hits
    assert [(h.title, h.in_force, h.buyable, h.stars) for h in hits] == [
        ("Chả mực Hạ Long", False, False, None)
    ]
    other, _evaluation, certificate = certified_product(name="Miến dong Bình Liêu")
    certificate_expire_due(today=certificate.valid_until + datetime.timedelta(days=1))
    assert document(other).latest_status == "expired"
    assert titles("mien dong") == []


def test_a_certificate_lapsing_at_midnight_stops_being_buyable_without_a_write():
    _product, certificate, _offer, _stock = on_sale(quantity=5)
    last_day = certificate.valid_until
    hits = search_backend().search(query="mat ong", today=last_day).hits
    assert [(h.title, h.buyable, h.stars, h.min_price) for h in hits] == [
        ("Mật ong Tiên Yên", True, certificate.stars, 125_000)
    ]
    next_day = last_day + datetime.timedelta(days=1)
    assert search_backend().search(query="mat ong", today=next_day).total == 0
    registry = search_backend().search(
        query="mat ong", filters=SearchFilters(status="all"), today=next_day
    )
    assert [(h.title, h.buyable, h.in_force, h.stars, h.min_price) for h in registry.hits] == [
        ("Mật ong Tiên Yên", False, False, None, None)
    ]
    expired = search_backend().search(
        query="mat ong", filters=SearchFilters(status="expired"), today=next_day
    )
    assert expired.total == 1
    assert search_backend().search(query="", filters=SearchFilters(in_stock=True),
                                   today=next_day).total == 0  # fmt: skip


def test_offers_stock_and_seller_status_follow_through_the_services():
    product, _certificate, offer, stock = on_sale(quantity=5)
    owner = member(product.holder)
    assert (document(product).min_price, document(product).in_stock) == (125_000, True)
    offer_update(actor=owner, offer=offer, price=99_000)
    assert document(product).min_price == 99_000
    stock_set(actor=owner, offer=offer, location=stock.location, quantity=0)
    doc = document(product)
    assert (doc.in_stock, doc.seller_count) == (False, 1)
    stock_set(actor=owner, offer=offer, location=stock.location, quantity=3)
    offer_pause(actor=owner, offer=offer)
    doc = document(product)
    assert (doc.min_price, doc.seller_count, doc.in_stock) == (None, 0, False)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PAUSED
    business_suspend(business=product.holder, reviewer=UserFactory(is_staff=True))
    assert document(product).seller_count == 0


def test_phrase_ranks_above_scattered_words_then_stock_then_stars():
    certified_product(name="Lụa tơ tằm và giò thủ", total="95")  # ★5, words scattered
    certified_product(name="Giò lụa Móng Cái", total="55")  # ★3, the phrase
    assert titles("gio lua") == ["Giò lụa Móng Cái", "Lụa tơ tằm và giò thủ"]
    _four, _e, _c = certified_product(name="Trà hoa vàng số 1", total="75")
    _five, _e, _c = certified_product(name="Trà hoa vàng số 2", total="95")
    assert titles("tra hoa vang") == ["Trà hoa vàng số 2", "Trà hoa vàng số 1"]
    # In stock beats stars when the text matches as well.
    _product, _certificate, _offer, _stock = on_sale()
    certified_product(name="Mật ong rừng", total="95")
    assert titles("mat ong")[0] == "Mật ong Tiên Yên"


def test_a_product_never_certified_is_only_in_the_registry():
    ProductFactory(name="Bánh đa cua")
    search_rows_changed(Product, Product.objects.values_list("pk", flat=True))
    assert titles("banh da") == []
    hits = search_backend().search(query="banh da", filters=SearchFilters(status="all")).hits
    assert [(h.title, h.buyable, h.in_force) for h in hits] == [("Bánh đa cua", False, False)]


def test_rebuild_restores_lost_documents_and_the_vocabulary():
    certified_product(name="Gốm sứ trang trí Quang Vinh")
    SearchDocument.objects.all().delete()
    SearchTerm.objects.all().delete()
    assert titles("gom trang tri") == []
    counts = index_rebuild()
    assert counts["product"] == 1
    assert titles("gom trang trii") == ["Gốm sứ trang trí Quang Vinh"]


def test_facets_count_every_match():
    certified_product(name="Mật ong A", total="75")
    certified_product(name="Mật ong B", total="95")
    certified_product(name="Mật ong C", total="95")
    results = search_backend().search(query="mat ong", limit=1)
    assert results.total == 3 and len(results.hits) == 1
    assert [(v.value, v.count) for v in results.facets["stars"]] == [("5", 2), ("4", 1)]
    narrowed = search_backend().search(query="mat ong", filters=SearchFilters(stars=4))
    assert [h.title for h in narrowed.hits] == ["Mật ong A"]
    assert [(v.value, v.count, v.selected) for v in narrowed.facets["stars"]] == [("4", 1, True)]


def test_suggestion_rows_follow_the_document():
    product, certificate, offer, stock = on_sale(quantity=5)
    rows = SearchPrefix.objects.filter(document=document(product))
    assert sorted(rows.values_list("prefix", flat=True)) == [
        "m", "ma", "mat", "o", "on", "ong", "t", "ti", "tie", "tien", "y", "ye", "yen",
    ]  # fmt: skip
    assert {(r.product, r.valid_until, r.tier, r.title_text) for r in rows.all()} == {
        (True, certificate.valid_until, 100 + 10 + certificate.stars, " mat ong tien yen ")
    }
    stock_set(actor=member(product.holder), offer=offer, location=stock.location, quantity=0)
    assert set(rows.values_list("tier", flat=True)) == {100 + certificate.stars}

    def suggested(**kwargs):
        return [(s.kind, s.title) for s in search_backend().suggest(prefix="tien y", **kwargs)]

    holder = ("business", "HTX Mật ong Tiên Yên")
    assert suggested() == [("product", "Mật ong Tiên Yên"), holder]
    next_day = certificate.valid_until + datetime.timedelta(days=1)
    assert suggested(today=next_day) == [holder]
    revoke_certificate(certificate=certificate, ground="mark_misuse")
    assert set(rows.values_list("valid_until", flat=True)) == {None}
    assert suggested() == []  # the holder has no certified product left either
    SearchDocument.objects.filter(pk=document(product).pk).delete()
    assert not rows.exists()


def test_suggestions_read_from_the_word_beginnings_rank_as_the_documents_do():
    """Where the word-beginning rows answer, they give what ranking the documents gives."""
    for name in ("Mật ong rừng Ba Chẽ", "Mật ong Tiên Yên", "Mắm tôm Hạ Long", "Miến dong"):
        certified_product(name=name)
    for name in ("Mật ong hoa nhãn", "Mật ong bạc hà"):
        certified_product(name=name, total="85")
    backend = search_backend()
    today = datetime.date.today()
    for typed in ("m", "ma", "mat", "mat o", "mat ong", "mat ong r", "ong m", "tom", "xyz"):
        words = tokens(typed)
        parsed = query_parse(" ".join(words[:-1])) if len(words) > 1 else None
        groups = parsed.matchable if parsed else []
        for limit in (1, 2, 8):
            fast = backend._suggest_from_prefixes(groups, words[-1], limit=limit, today=today)
            slow = backend._suggest_from_documents(groups, words[-1], limit=limit, today=today)
            assert fast is None or fast == slow, (typed, limit)


def test_a_word_begun_alone_is_one_statement(django_queries):
    certified_product(name="Mật ong rừng Ba Chẽ")
    with django_queries(1):
        assert [s.title for s in search_backend().suggest(prefix="mat")] == ["Mật ong rừng Ba Chẽ"]


def match_and_document(product):
    """The product's match row and document, as the values of the match row's columns."""
    doc = document(product)
    match = SearchMatch.objects.get(pk=doc.pk)
    assert (match.kind, match.object_id) == ("product", product.pk)
    return (
        {name: getattr(match, name) for name in MATCH_FIELDS},
        {name: getattr(doc, name) for name in MATCH_FIELDS},
    )


def test_match_rows_follow_the_document_in_the_write_transaction():
    product, _certificate, offer, stock = on_sale(quantity=5)
    match, doc = match_and_document(product)
    assert match == doc
    assert (match["in_stock"], match["title_text"]) == (True, " mat ong tien yen ")
    actor = member(product.holder)
    stock_set(actor=actor, offer=offer, location=stock.location, quantity=0)
    match, doc = match_and_document(product)
    assert match == doc and match["in_stock"] is False
    with pytest.raises(RuntimeError), transaction.atomic():
        stock_set(actor=actor, offer=offer, location=stock.location, quantity=7)
        assert SearchMatch.objects.get(kind="product", object_id=product.pk).in_stock is True
        raise RuntimeError("rolled back")
    assert SearchMatch.objects.get(kind="product", object_id=product.pk).in_stock is False
    in_stock = SearchFilters(in_stock=True)
    assert titles("mat ong", filters=in_stock) == []
    stock_set(actor=actor, offer=offer, location=stock.location, quantity=7)
    assert titles("mat ong", filters=in_stock) == ["Mật ong Tiên Yên"]
    SearchDocument.objects.filter(pk=document(product).pk).delete()
    assert not SearchMatch.objects.filter(kind="product", object_id=product.pk).exists()


def test_matching_ranking_and_facets_read_the_match_rows_and_only_the_page_documents():
    on_sale()
    certified_product(name="Mật ong rừng", total="95")
    with CaptureQueriesContext(connection) as captured:
        results = search_backend().search(query="mat ong", limit=1)
    assert (results.total, [h.title for h in results.hits]) == (2, ["Mật ong Tiên Yên"])
    statements = [q["sql"] for q in captured.captured_queries]
    ranking = [sql for sql in statements if sql.startswith("WITH m AS")]
    assert len(ranking) == 1
    assert "search_searchmatch" in ranking[0] and "search_searchdocument" not in ranking[0]
    documents = [sql for sql in statements if '"search_searchdocument"' in sql]
    assert len(documents) == 1 and '"search_searchdocument"."id" IN (' in documents[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored tsvector is PostgreSQL's")
def test_the_match_vector_is_the_documents_text_as_a_tsvector():
    on_sale()
    certified_product(name="Rượu ba kích Ba Chẽ")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), SUM(CASE WHEN m.vector = to_tsvector('ocop_folded', d.text) "
            "THEN 1 ELSE 0 END) FROM search_searchmatch m JOIN search_searchdocument d "
            "ON d.id = m.id"
        )
        assert cursor.fetchone() == (4, 4)  # two products, their two holders


def test_product_documents_read_the_certificate_in_force_by_the_products_certificate_ids():
    """Filtered on status and product, SQLite's planner walks the (status, valid_until) index
    — every active certificate, for each batch of documents: a registry import indexing
    200,000 new products in its transaction went quadratic. The in-force query is keyed by the
    ids of the products' certificates, which the other certificate query has just read."""
    from search.documents import product_documents

    product, certificate, _offer, _stock = honey_on_sale()
    other, _evaluation, other_certificate = certified_product(name="Trà hoa vàng Ba Chẽ")
    with CaptureQueriesContext(connection) as queries:
        documents = product_documents([product.pk, other.pk])
    assert documents[product.pk]["stars"] == certificate.stars
    assert documents[other.pk]["stars"] == other_certificate.stars
    in_force = [
        q["sql"]
        for q in queries.captured_queries
        if '"catalog_certificate"."kept_until"' in q["sql"]
    ]
    assert len(in_force) == 1
    where = in_force[0].split(" WHERE ", 1)[1]
    assert '"catalog_certificate"."id" IN' in where
    assert '"product_id" IN' not in where


def test_new_documents_delete_no_suggestion_rows_and_rewritten_ones_replace_theirs():
    """A batch of new documents has no prefixes to remove: no DELETE (PostgreSQL planned the
    500-id one as a scan of every prefix row, once per batch of a registry import)."""
    product = ProductFactory(name="Mật ong rừng")
    with CaptureQueriesContext(connection) as queries:
        search_rows_changed(Product, [product.pk])
    deletes = [q["sql"] for q in queries.captured_queries if "DELETE" in q["sql"]]
    assert not any('"search_searchprefix"' in sql for sql in deletes)
    document = SearchDocument.objects.get(kind="product", object_id=product.pk)
    prefixes = set(SearchPrefix.objects.filter(document=document).values_list("prefix", flat=True))
    assert {"m", "mat", "rung"} <= prefixes

    Product.objects.filter(pk=product.pk).update(name="Trà hoa vàng")
    search_rows_changed(Product, [product.pk])
    prefixes = set(SearchPrefix.objects.filter(document=document).values_list("prefix", flat=True))
    assert {"tra", "hoa", "vang"} <= prefixes and "mat" not in prefixes


def test_producer_documents_read_the_certificates_in_force_by_their_ids():
    """The producer documents' "certified product" test was a correlated EXISTS per product,
    planned as a scan of every active certificate per batch inside an import's transaction.
    It is keyed by certificate ids now, and says the same: a holder's products in force, by
    name; a holder with none gets no document."""
    from catalog.models import Certificate, CertificateStatus
    from search.documents import business_documents

    product, _certificate, _offer, _stock = honey_on_sale()
    holder = product.holder
    certified_product(name="Bánh gai", holder=holder)
    lapsed, _evaluation, lapsed_certificate = certified_product(name="Chè Bát Tiên")
    Certificate.objects.filter(pk=lapsed_certificate.pk).update(status=CertificateStatus.REVOKED)
    with CaptureQueriesContext(connection) as queries:
        documents = business_documents([holder.pk, lapsed.holder_id])
    assert list(documents) == [holder.pk]
    assert documents[holder.pk]["card"]["products"] == ["Bánh gai", "Mật ong Tiên Yên"]
    in_force = [
        q["sql"]
        for q in queries.captured_queries
        if '"catalog_certificate"."kept_until"' in q["sql"]
    ]
    assert len(in_force) == 1
    where = in_force[0].split(" WHERE ", 1)[1]
    assert '"catalog_certificate"."id" IN' in where
    assert "EXISTS" not in in_force[0]
    assert len(queries) == 4

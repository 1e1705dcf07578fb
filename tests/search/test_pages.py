"""The search pages on the demo catalogue: /tim-kiem/, the header's suggestions, the health page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("demo")

RESULTS = "/tim-kiem/"
SUGGEST = "/tim-kiem/goi-y/"


def card_titles(response) -> list[str]:
    html = response.content.decode()
    return [
        re.sub(r"<[^>]+>", "", title)
        for title in re.findall(r'<h3 class="card-title hit-title"><a [^>]+>(.*?)</a>', html)
    ]


def test_results_with_highlighted_matches(client):
    response = client.get(RESULTS, {"q": "gio lua"})
    assert response.status_code == 200
    assert card_titles(response)[0] == "Giò lụa Móng Cái"
    assert "<mark>Giò</mark> <mark>lụa</mark> Móng Cái" in response.content.decode()


def test_a_corrected_query_says_how_it_was_read(client):
    body = client.get(RESULTS, {"q": "gio luaa"}).content.decode()
    assert "Đang hiển thị kết quả cho “gio lua”." in body


def test_nothing_found_offers_did_you_mean(client):
    body = client.get(RESULTS, {"q": "mat ong tien yem", "province": "ha-noi"}).content.decode()
    assert "Không có sản phẩm được chứng nhận nào phù hợp" in body
    # A three-letter word with a letter replaced is another word: not searched, but offered.
    body = client.get(RESULTS, {"q": "gxm"}).content.decode()
    assert 'Có phải bạn muốn tìm <a href="/tim-kiem/?q=gom">gom</a>' in body
    assert card_titles(client.get(RESULTS, {"q": "gom"}))[0] == "Gốm sứ trang trí Quang Vinh"


def test_facets_with_counts_narrow_the_results(client):
    response = client.get(RESULTS, {"q": "ba che"})
    assert card_titles(response) == [
        "Ba kích khô Ba Chẽ",
        "Trà hoa vàng Ba Chẽ",
        "Rượu ba kích Ba Chẽ",
    ]
    html = response.content.decode()
    stars = re.findall(r'data-facet="stars" data-value="(\d)"><span>[^<]*</span> '
                       r'<span class="facet-count">(\d+)</span>', html)  # fmt: skip
    assert sorted(stars) == [("3", "1"), ("4", "1"), ("5", "1")]
    assert 'href="/tim-kiem/?q=ba+che&amp;stars=5"' in html
    narrowed = client.get(RESULTS, {"q": "ba che", "stars": "5"})
    assert card_titles(narrowed) == ["Trà hoa vàng Ba Chẽ"]
    assert 'aria-current="true"' in narrowed.content.decode()
    by_seller = client.get(RESULTS, {"q": "ba che", "seller_type": "ocop_centre"})
    assert len(card_titles(by_seller)) < 3


def test_producers_are_listed_beside_the_products(client):
    body = client.get(RESULTS, {"q": "dap thanh"}).content.decode()
    assert "Công ty CP kinh doanh lâm sản <mark>Đạp</mark> <mark>Thanh</mark>" in body


def test_bad_filters_are_ignored_with_a_notice(client):
    response = client.get(RESULTS, {"q": "mat ong", "stars": "9", "price": "cheap"})
    assert response.status_code == 200
    assert card_titles(response)[0] == "Mật ong Tiên Yên"
    assert "Một số bộ lọc không hợp lệ" in response.content.decode()


def test_constant_sql_whatever_the_number_of_results(client, django_queries):
    def count(params):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(RESULTS, params).status_code == 200
        return len(captured.captured_queries)

    one = count({"q": "gio lua"})
    three = count({"q": "ba che"})
    assert one == three
    with django_queries(one):
        client.get(RESULTS, {"q": "rau mam song hanh"})


def test_the_header_search_box_is_on_every_page_and_works_without_javascript(client):
    for path in ("/", "/san-pham/", "/tra-cuu/"):
        html = client.get(path).content.decode()
        assert '<form class="site-search" method="get" action="/tim-kiem/"' in html
        assert 'data-suggest-url="/tim-kiem/goi-y/"' in html
        assert 'name="q"' in html


def test_suggestions_as_json(client, django_queries):
    # The vocabulary, the titles' word beginnings, then (fewer than eight titles hold "gio"
    # and a word begun with "l") the documents.
    with django_queries(3):
        response = client.get(SUGGEST, {"q": "gio l"})
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["query"] == "gio l"
    assert data["suggestions"][0] == {
        "kind": "product",
        "title": "Giò lụa Móng Cái",
        "url": "/san-pham/gio-lua-mong-cai/",
        "subtitle": "Cơ sở sản xuất giò chả Quang Dần",
        "highlight": "<mark>Giò</mark> <mark>lụa</mark> Móng Cái",
    }
    assert client.get(SUGGEST, {"q": "m"}).json()["suggestions"] == []
    producers = client.get(SUGGEST, {"q": "dap th"}).json()["suggestions"]
    assert "Công ty CP kinh doanh lâm sản Đạp Thanh" in [s["title"] for s in producers]


def test_the_registry_lookup_uses_the_same_search(client):
    html = client.get("/tra-cuu/", {"q": "ruou bakich"}).content.decode()
    assert "Rượu ba kích Ba Chẽ" in html
    html = client.get("/tra-cuu/", {"q": "ruou bakich", "status": "all"}).content.decode()
    assert "Rượu ba kích Quảng Ninh" in html


def registry_names(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<h3 class="card-title"><a href="[^"]+">([^<]+)</a></h3>', html)


def test_the_registry_lookup_orders_by_relevance_when_words_are_given(client, django_queries):
    # The same order as /tim-kiem/ (name and holder matches first), not the name order.
    response = client.get("/tra-cuu/", {"q": "ba che"})
    assert registry_names(response) == [
        "Ba kích khô Ba Chẽ",
        "Trà hoa vàng Ba Chẽ",
        "Rượu ba kích Ba Chẽ",
    ]
    assert '<option value="relevance" selected>' in response.content.decode()
    by_name = client.get("/tra-cuu/", {"q": "ba che", "sort": "name"})
    assert registry_names(by_name) == [
        "Ba kích khô Ba Chẽ",
        "Rượu ba kích Ba Chẽ",
        "Trà hoa vàng Ba Chẽ",
    ]
    # Whatever the status, the best match first; without words, best match is the name order.
    every_status = client.get("/tra-cuu/", {"q": "ruou ba kich che", "status": "all"})
    assert registry_names(every_status)[:2] == ["Rượu ba kích Ba Chẽ", "Rượu ba kích Ba Chẽ"]
    assert registry_names(client.get("/tra-cuu/", {"sort": "relevance"})) == registry_names(
        client.get("/tra-cuu/", {"sort": "name"})
    )
    # The relevance is read per product by a subquery: still a constant number of queries.
    with CaptureQueriesContext(connection) as one:
        client.get("/tra-cuu/", {"q": "gio lua"})
    with django_queries(len(one.captured_queries)):
        client.get("/tra-cuu/", {"q": "ba che"})


def test_the_health_page_is_for_staff(client):
    assert client.get("/tim-kiem/tinh-trang/").status_code == 302
    client.force_login(UserFactory(is_staff=True))
    html = client.get("/tim-kiem/tinh-trang/").content.decode()
    assert '<dd data-health="backend">database</dd>' in html
    assert re.search(r'data-health="documents-product">\d+<', html)
    assert '<dd data-health="backlog">0</dd>' in html


def test_one_word_being_typed_is_suggested_too(client):
    titles = [s["title"] for s in client.get(SUGGEST, {"q": "mie"}).json()["suggestions"]]
    assert titles[0] == "Miến dong Bình Liêu"

"""Relevance on the demo catalogue (``load_demo`` + ``load_demo_shop``), through the backend
the settings choose — the database backend here, run on SQLite and on PostgreSQL by the suite.

Each case: what a buyer types (no diacritics, a typo, a synonym, a place, a producer) and the
certified product that must be among the first three results."""

import pytest

from core.search import SearchFilters, search_backend

pytestmark = pytest.mark.usefixtures("demo")


def top(query: str, n: int = 3) -> list[str]:
    return [hit.title for hit in search_backend().search(query=query, limit=n).hits]


# The examples.
EXAMPLES = [
    ("gio lua", "Giò lụa Móng Cái"),
    ("rau mam song hanh", "Rau mầm Song Hành"),
    ("gom trang tri", "Gốm sứ trang trí Quang Vinh"),
    ("ruou bakich", "Rượu ba kích Ba Chẽ"),
]

WITHOUT_DIACRITICS = [
    ("mat ong tien yen", "Mật ong Tiên Yên"),
    ("mat ong", "Mật ong Tiên Yên"),
    ("MAT ONG", "Mật ong Tiên Yên"),
    ("Mật Ong", "Mật ong Tiên Yên"),
    ("cha muc ha long", "Chả mực Hạ Long"),
    ("cha muc", "Chả mực Hạ Long"),
    ("mien dong binh lieu", "Miến dong Bình Liêu"),
    ("mien dong", "Miến dong Bình Liêu"),
    ("nuoc mam sa sung", "Nước mắm sá sùng Cái Rồng"),
    ("nuoc mam", "Nước mắm sá sùng Cái Rồng"),
    ("tra hoa vang", "Trà hoa vàng Ba Chẽ"),
    ("che duong hoa", "Chè Đường Hoa"),
    ("cam van yen", "Cam Vạn Yên"),
    ("ba kich kho", "Ba kích khô Ba Chẽ"),
    ("ruou ba kich", "Rượu ba kích Ba Chẽ"),
    ("gom su", "Gốm sứ trang trí Quang Vinh"),
    ("rau mam", "Rau mầm Song Hành"),
    ("gio lua mong cai", "Giò lụa Móng Cái"),
    ("ba kich", "Ba kích khô Ba Chẽ"),
    ("ba kich", "Rượu ba kích Ba Chẽ"),
    ("dong Binh Lieu", "Miến dong Bình Liêu"),
]

TYPOS = [
    ("gio luaa", "Giò lụa Móng Cái"),
    ("rau mamm", "Rau mầm Song Hành"),
    ("mat ongg tien yen", "Mật ong Tiên Yên"),
    ("mat og", "Mật ong Tiên Yên"),
    ("mật ong tiên yen", "Mật ong Tiên Yên"),
    ("cha mucc", "Chả mực Hạ Long"),
    ("chả muc ha lon", "Chả mực Hạ Long"),
    ("mien dongg", "Miến dong Bình Liêu"),
    ("mein dong", "Miến dong Bình Liêu"),
    ("nuoc mam sa sugn", "Nước mắm sá sùng Cái Rồng"),
    ("tra hao vang", "Trà hoa vàng Ba Chẽ"),
    ("tra hoa vag", "Trà hoa vàng Ba Chẽ"),
    ("gom tran tri", "Gốm sứ trang trí Quang Vinh"),
    ("gom trang trii", "Gốm sứ trang trí Quang Vinh"),
    ("ruou ba kickh", "Rượu ba kích Ba Chẽ"),
    ("ruou bakichh", "Rượu ba kích Ba Chẽ"),
    ("bakich kho", "Ba kích khô Ba Chẽ"),
    ("giolua", "Giò lụa Móng Cái"),
    ("matong", "Mật ong Tiên Yên"),
    ("rau maam", "Rau mầm Song Hành"),
    ("cam vann yen", "Cam Vạn Yên"),
    ("chee duong hoa", "Chè Đường Hoa"),
    ("gio lau", "Giò lụa Móng Cái"),
]

SYNONYMS = [
    ("tra duong hoa", "Chè Đường Hoa"),
    ("che hoa vang", "Trà hoa vàng Ba Chẽ"),
    ("che", "Chè Đường Hoa"),
    ("tra", "Trà hoa vàng Ba Chẽ"),
]

PLACES = [
    ("mong cai", "Giò lụa Móng Cái"),
    ("tien yen", "Mật ong Tiên Yên"),
    ("ha long", "Chả mực Hạ Long"),
    ("binh lieu", "Miến dong Bình Liêu"),
    ("quang yen", "Rau mầm Song Hành"),
    ("dong trieu", "Gốm sứ trang trí Quang Vinh"),
    ("hai ha", "Chè Đường Hoa"),
    ("van don", "Cam Vạn Yên"),
    ("van don", "Nước mắm sá sùng Cái Rồng"),
    ("cai rong", "Nước mắm sá sùng Cái Rồng"),
    ("ba che", "Trà hoa vàng Ba Chẽ"),
    ("ba che", "Rượu ba kích Ba Chẽ"),
    ("huyen ba che", "Ba kích khô Ba Chẽ"),
    ("mat ong quang ninh", "Mật ong Tiên Yên"),
    ("gom dong trieu", "Gốm sứ trang trí Quang Vinh"),
    ("ruou ba che", "Rượu ba kích Ba Chẽ"),
    ("rau mam quang yen", "Rau mầm Song Hành"),
    ("nuoc mam van don", "Nước mắm sá sùng Cái Rồng"),
    ("tra ba che", "Trà hoa vàng Ba Chẽ"),
    ("thanh pho mong cai", "Giò lụa Móng Cái"),
    ("tp mong cai", "Giò lụa Móng Cái"),
]

PRODUCERS = [
    ("htx khai thac mat ong tien yen", "Mật ong Tiên Yên"),
    ("hop tac xa mat ong", "Mật ong Tiên Yên"),
    ("htx mat ong", "Mật ong Tiên Yên"),
    ("htx nong trang van yen", "Cam Vạn Yên"),
    ("hop tac xa nong trang van yen", "Cam Vạn Yên"),
    ("htx ba che", "Ba kích khô Ba Chẽ"),
    ("thuan quynh", "Chè Đường Hoa"),
    ("cong ty thuan quynh", "Chè Đường Hoa"),
    ("cty thuan quynh", "Chè Đường Hoa"),
    ("dap thanh", "Trà hoa vàng Ba Chẽ"),
    ("dap thanh", "Rượu ba kích Ba Chẽ"),
    ("lam san dap thanh", "Trà hoa vàng Ba Chẽ"),
    ("quang dan", "Giò lụa Móng Cái"),
    ("gio cha quang dan", "Giò lụa Móng Cái"),
    ("gom su quang vinh", "Gốm sứ trang trí Quang Vinh"),
    ("quang vinh", "Gốm sứ trang trí Quang Vinh"),
    ("song hanh", "Rau mầm Song Hành"),
    ("cong ty song hanh", "Rau mầm Song Hành"),
    ("thuy san cai rong", "Nước mắm sá sùng Cái Rồng"),
    ("hoi che bien cha muc", "Chả mực Hạ Long"),
]


@pytest.mark.parametrize(
    ("query", "expected"), EXAMPLES + WITHOUT_DIACRITICS + TYPOS + SYNONYMS + PLACES + PRODUCERS
)
def test_expected_product_in_the_top_three(query, expected):
    assert expected in top(query)


@pytest.mark.parametrize(("query", "expected"), EXAMPLES)
def test_examples_rank_first(query, expected):
    assert top(query, 1) == [expected]


def test_only_products_with_a_certificate_in_force_by_default():
    # Three "Rượu ba kích" products: only Đạp Thanh's has a certificate in force.
    results = search_backend().search(query="ruou ba kich")
    assert [hit.title for hit in results.hits] == ["Rượu ba kích Ba Chẽ"]
    assert results.hits[0].subtitle == "Công ty CP kinh doanh lâm sản Đạp Thanh"
    assert results.hits[0].buyable and results.hits[0].in_force


def test_the_registry_finds_every_status_and_never_as_buyable():
    results = search_backend().search(
        query="ruou ba kich", filters=SearchFilters(status="all"), limit=10
    )
    titles = [(hit.title, hit.subtitle, hit.buyable) for hit in results.hits]
    assert titles[0] == ("Rượu ba kích Ba Chẽ", "Công ty CP kinh doanh lâm sản Đạp Thanh", True)
    assert sorted(titles[1:]) == [
        ("Rượu ba kích Ba Chẽ", "HTX kinh doanh lâm sản ngoài gỗ Ba Chẽ", False),
        ("Rượu ba kích Quảng Ninh", "Công ty CP XD & SX Bia Rượu Nước giải khát", False),
    ]
    assert all(hit.stars is None and hit.min_price is None for hit in results.hits[1:])

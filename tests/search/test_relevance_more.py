"""More relevance cases on the demo catalogue's certified products, beyond the issue's examples
(``test_relevance.py``): words without diacritics or in capitals, a letter doubled, dropped,
swapped or replaced, syllables run together, synonyms (both ways, and the abbreviations of
"hợp tác xã", "công ty", "thành phố"…), places (district, town, province, in any order with the
product) and producers' names. Run by the suite on SQLite and on PostgreSQL, through the backend
the settings choose: each expected product must be among the first three."""

import pytest

from core.search import search_backend

pytestmark = pytest.mark.usefixtures("demo")


def top(query: str, n: int = 3) -> list[str]:
    return [hit.title for hit in search_backend().search(query=query, limit=n).hits]


WITHOUT_DIACRITICS_OR_CASE = [
    ("gio lua móng cai", "Giò lụa Móng Cái"),
    ("nuoc mam cai rong", "Nước mắm sá sùng Cái Rồng"),
    ("sa sung", "Nước mắm sá sùng Cái Rồng"),
    ("trang tri", "Gốm sứ trang trí Quang Vinh"),
    ("hoa vang", "Trà hoa vàng Ba Chẽ"),
    ("khai thac mat ong", "Mật ong Tiên Yên"),
    ("mien binh lieu", "Miến dong Bình Liêu"),
    ("cam", "Cam Vạn Yên"),
    ("ruou", "Rượu ba kích Ba Chẽ"),
    ("GIÒ LỤA", "Giò lụa Móng Cái"),
    ("Nước Mắm", "Nước mắm sá sùng Cái Rồng"),
    ("duong hoa", "Chè Đường Hoa"),
    ("mực", "Chả mực Hạ Long"),
]

TYPOS = [
    ("mat ongf", "Mật ong Tiên Yên"),
    ("cha mưc", "Chả mực Hạ Long"),
    ("tra hoa vnag", "Trà hoa vàng Ba Chẽ"),
    ("mien dogn", "Miến dong Bình Liêu"),
    ("nuoc mam sa sungg", "Nước mắm sá sùng Cái Rồng"),
    ("gom su quang vihn", "Gốm sứ trang trí Quang Vinh"),
    ("rau mam song han", "Rau mầm Song Hành"),
    ("ba kihc", "Ba kích khô Ba Chẽ"),
    ("cam van yenn", "Cam Vạn Yên"),
    ("gioo lua", "Giò lụa Móng Cái"),
    ("ruou bakich ba chee", "Rượu ba kích Ba Chẽ"),
]

RUN_TOGETHER = [
    ("raumam", "Rau mầm Song Hành"),
    ("chamuc", "Chả mực Hạ Long"),
    ("nuocmam", "Nước mắm sá sùng Cái Rồng"),
    ("miendong", "Miến dong Bình Liêu"),
]

SYNONYMS = [
    ("che hoa vang ba che", "Trà hoa vàng Ba Chẽ"),
    ("tra duong hoa hai ha", "Chè Đường Hoa"),
    ("hop tac xa nong trang", "Cam Vạn Yên"),
    ("htx khai thac", "Mật ong Tiên Yên"),
    ("cty thuy san cai rong", "Nước mắm sá sùng Cái Rồng"),
    ("ctcp dau tu song hanh", "Rau mầm Song Hành"),
    ("tp ha long", "Chả mực Hạ Long"),
    ("thanh pho ha long", "Chả mực Hạ Long"),
    ("heo", "Giò lụa Móng Cái"),
    ("thit heo mong cai", "Giò lụa Móng Cái"),
]

PLACES = [
    ("huyen tien yen", "Mật ong Tiên Yên"),
    ("thi xa quang yen", "Rau mầm Song Hành"),
    ("tx dong trieu", "Gốm sứ trang trí Quang Vinh"),
    ("hai ha quang ninh", "Chè Đường Hoa"),
    ("binh lieu quang ninh", "Miến dong Bình Liêu"),
    ("van don quang ninh", "Cam Vạn Yên"),
    ("mong cai quang ninh", "Giò lụa Móng Cái"),
    ("cam van don", "Cam Vạn Yên"),
    ("che hai ha", "Chè Đường Hoa"),
    ("mien quang ninh", "Miến dong Bình Liêu"),
    ("mat ong rung tien yen", "Mật ong Tiên Yên"),
    ("nuoc mam van don", "Nước mắm sá sùng Cái Rồng"),
    ("sa sùng van don", "Nước mắm sá sùng Cái Rồng"),
    ("ha long cha muc", "Chả mực Hạ Long"),
]

PRODUCERS = [
    ("cong ty gom su quang vinh", "Gốm sứ trang trí Quang Vinh"),
    ("dau tu song hanh", "Rau mầm Song Hành"),
    ("binh lieu thuong mai", "Miến dong Bình Liêu"),
    ("nong trang van yen", "Cam Vạn Yên"),
    ("san xuat gio cha", "Giò lụa Móng Cái"),
    ("lam san ngoai go", "Ba kích khô Ba Chẽ"),
    ("hoi san xuat cha muc", "Chả mực Hạ Long"),
    ("co so quang dan", "Giò lụa Móng Cái"),
    ("kinh doanh lam san dap thanh", "Rượu ba kích Ba Chẽ"),
    ("gom", "Gốm sứ trang trí Quang Vinh"),
    ("tra ba che dap thanh", "Trà hoa vàng Ba Chẽ"),
]

WORD_ORDER = [
    ("yen tien mat ong", "Mật ong Tiên Yên"),
    ("rượu ba kích", "Rượu ba kích Ba Chẽ"),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    WITHOUT_DIACRITICS_OR_CASE + TYPOS + RUN_TOGETHER + SYNONYMS + PLACES + PRODUCERS + WORD_ORDER,
)
def test_expected_product_in_the_top_three(query, expected):
    assert expected in top(query)


# Where one product alone carries every word, it comes first.
FIRST = [
    ("nuoc mam cai rong", "Nước mắm sá sùng Cái Rồng"),
    ("tra hoa vnag", "Trà hoa vàng Ba Chẽ"),
    ("raumam", "Rau mầm Song Hành"),
    ("cty thuy san cai rong", "Nước mắm sá sùng Cái Rồng"),
    ("thi xa quang yen", "Rau mầm Song Hành"),
    ("cam van don", "Cam Vạn Yên"),
    ("lam san ngoai go", "Ba kích khô Ba Chẽ"),
    ("yen tien mat ong", "Mật ong Tiên Yên"),
]


@pytest.mark.parametrize(("query", "expected"), FIRST)
def test_the_only_product_with_every_word_comes_first(query, expected):
    assert top(query, 1) == [expected]


def test_when_the_words_are_not_found_together_the_fallback_keeps_to_the_words_typed():
    """No product has "bánh chưng": "banh" is known only as a correction ("bình", "hành"), and
    alone that brings products sharing no word with the query. The fallback (any of the words)
    keeps to words the buyer typed; "did you mean" still helps."""
    results = search_backend().search(query="banh chung")
    assert (results.total, results.hits) == (0, [])
    assert results.did_you_mean == "bang chung"
    titles = [h.title for h in search_backend().search(query="mat ong banh chung", limit=50).hits]
    assert titles[0] == "Mật ong Tiên Yên"
    assert not {"Miến dong Bình Liêu", "Rau mầm Song Hành"} & set(titles)

"""The floors: ``products(first: 100)`` with offers — the storefront benchmark's GraphQL query,
same fields, same order — from five hand-written SQL statements and ``json.dumps``; and the
listing page ``/san-pham/`` (its first page in the default order: the filter form's provinces,
categories and product sets, the count, 24 cards with photo, stars, holder, province, price and
sellers, the pagination) from eight statements and string formatting, in Vietnamese. A bare WSGI
app (no Django, no GraphQL, no templates): ``POST`` answers the GraphQL query whatever is posted,
``GET`` the listing page. ``storefront.py`` serves it with gunicorn beside the real endpoints and
checks that the GraphQL answers are equal once parsed and that the listing's cards are the real
page's, byte for byte (``listing_cards``).

It answers that one query whatever is posted, for the benchmark's data set (one active
certificate per product, at most one in force: the certificate in force is the active one
whose dates cover today, as ``catalog.rules.in_force_q`` says for such data)."""

import datetime
import json
import os
import re
import urllib.parse
import zoneinfo
from html import escape

import psycopg

TODAY_ZONE = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
MEDIA_URL = os.environ.get("FLOOR_MEDIA_URL", "/media/")
IN_FORCE = (
    "{c}.status = 'active' AND {c}.valid_from <= %(today)s "
    "AND ({c}.valid_until >= %(today)s OR {c}.kept_until >= %(today)s)"
)

COUNT = f"SELECT COUNT(*) FROM catalog_certificate c WHERE {IN_FORCE.format(c='c')}"
PAGE = f"""
SELECT p.id, p.name, p.slug, b.name, c.stars, c.valid_until, c.status, c.evaluation_id,
       e.total_score
FROM catalog_product p
JOIN catalog_certificate c ON c.product_id = p.id AND {IN_FORCE.format(c="c")}
JOIN sellers_business b ON b.id = p.holder_id
LEFT JOIN catalog_evaluation e ON e.id = c.evaluation_id
ORDER BY p.name_folded, p.name, p.id
LIMIT 100"""
PHOTOS = """
SELECT product_id, image, renditions FROM catalog_productphoto
WHERE product_id = ANY(%(ids)s) ORDER BY position, id"""
PARTS = """
SELECT ep.evaluation_id, fp.code, fp.max_points, ep.score
FROM catalog_evaluationpart ep JOIN catalog_frameworkpart fp ON fp.id = ep.part_id
WHERE ep.evaluation_id = ANY(%(ids)s) ORDER BY fp.code"""
OFFERS = f"""
SELECT v.product_id, o.price, s.name
FROM offers_offer o
JOIN catalog_productvariant v ON v.id = o.variant_id
JOIN catalog_product p ON p.id = v.product_id
JOIN sellers_business s ON s.id = o.seller_id
WHERE v.product_id = ANY(%(ids)s) AND o.status = 'published' AND s.status = 'active'
  AND EXISTS (SELECT 1 FROM catalog_certificate c
              WHERE c.product_id = v.product_id AND {IN_FORCE.format(c="c")})
  AND (o.seller_id = p.holder_id OR EXISTS (
       SELECT 1 FROM offers_resaleauthorization r
       WHERE r.product_id = p.id AND r.reseller_id = o.seller_id AND r.revoked_at IS NULL))
ORDER BY o.price, o.id"""

_connection = None


def _cursor():
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    return _connection.cursor()


def _url(name: str) -> str:
    return MEDIA_URL + urllib.parse.quote(name, safe="/~!*()'")


def _number(value) -> float | None:
    return None if value is None else float(value)


def products_answer() -> dict:
    today = datetime.datetime.now(TODAY_ZONE).date()
    with _cursor() as cursor:
        cursor.execute(COUNT, {"today": today})
        (total,) = cursor.fetchone()
        cursor.execute(PAGE, {"today": today})
        page = cursor.fetchall()
        ids = [row[0] for row in page]
        evaluations = [row[7] for row in page if row[7] is not None]
        cursor.execute(PHOTOS, {"ids": ids})
        photos: dict[int, list] = {pk: [] for pk in ids}
        for product_id, image, renditions in cursor:
            photos[product_id].append(
                {
                    "url": _url(image),
                    "renditions": [
                        {"width": r["width"], "url": _url(r["name"])}
                        for r in renditions or ()
                        if r.get("name")
                    ],
                }
            )
        cursor.execute(PARTS, {"ids": evaluations})
        parts: dict[int, list] = {pk: [] for pk in evaluations}
        for evaluation_id, code, max_points, score in cursor:
            parts[evaluation_id].append(
                {"code": code, "maxScore": _number(max_points), "score": _number(score)}
            )
        cursor.execute(OFFERS, {"ids": ids, "today": today})
        offers: dict[int, list] = {pk: [] for pk in ids}
        for product_id, price, seller in cursor:
            offers[product_id].append({"price": int(price), "seller": {"name": seller}})
    edges = []
    for pk, name, slug, holder, stars, valid_until, status, evaluation_id, score in page:
        evaluation = None
        if evaluation_id is not None:
            evaluation = {"totalScore": _number(score), "parts": parts[evaluation_id]}
        edges.append(
            {
                "node": {
                    "name": name,
                    "slug": slug,
                    "holder": {"name": holder},
                    "currentCertificate": {
                        "stars": stars,
                        "validUntil": valid_until.isoformat(),
                        "status": status.upper(),
                        "evaluation": evaluation,
                    },
                    "photos": photos[pk],
                    "offers": offers[pk],
                }
            }
        )
    return {"data": {"products": {"totalCount": total, "edges": edges}}}


# --- the listing page -------------------------------------------------------------------------

PER_PAGE = 24
PROVINCES = "SELECT slug, name FROM core_province ORDER BY name"
CURRENT_FRAMEWORK = (
    "(SELECT f.id FROM catalog_framework f WHERE f.in_force_from <= %(today)s "
    "AND f.scores_with_id IS NULL ORDER BY f.in_force_from DESC LIMIT 1)"
)
CATEGORIES = (
    f"SELECT slug, name FROM catalog_productcategory WHERE framework_id = {CURRENT_FRAMEWORK} "
    "ORDER BY code"
)
SETS = (
    f"SELECT number, name FROM catalog_productset WHERE framework_id = {CURRENT_FRAMEWORK} "
    "ORDER BY number"
)
PER_STARS = (
    f"SELECT c.stars, COUNT(*) FROM catalog_certificate c WHERE {IN_FORCE.format(c='c')} "
    "GROUP BY c.stars ORDER BY c.stars DESC"
)
LEVEL_PAGE = f"""
SELECT p.id FROM catalog_product p
JOIN catalog_certificate c ON c.product_id = p.id AND {IN_FORCE.format(c="c")}
WHERE c.stars = %(stars)s ORDER BY p.name_folded, p.id LIMIT %(limit)s"""
CARDS = f"""
SELECT p.id, p.name, p.slug, p.is_demo, b.name, pr.name, c.stars, c.is_demo
FROM catalog_product p
JOIN sellers_business b ON b.id = p.holder_id
JOIN core_province pr ON pr.id = b.province_id
LEFT JOIN catalog_certificate c ON c.product_id = p.id AND {IN_FORCE.format(c="c")}
WHERE p.id = ANY(%(ids)s)"""
CARD_PHOTOS = """
SELECT DISTINCT ON (product_id) product_id, image, renditions, width, height, alt_text,
       is_illustration
FROM catalog_productphoto WHERE product_id = ANY(%(ids)s)
ORDER BY product_id, position, id"""
SUMMARIES = f"""
SELECT v.product_id, MIN(o.price), COUNT(DISTINCT o.seller_id),
       BOOL_OR(EXISTS (SELECT 1 FROM offers_stock st WHERE st.offer_id = o.id AND st.quantity > 0))
FROM offers_offer o
JOIN catalog_productvariant v ON v.id = o.variant_id
JOIN catalog_product p ON p.id = v.product_id
JOIN sellers_business s ON s.id = o.seller_id
WHERE v.product_id = ANY(%(ids)s) AND o.status = 'published' AND s.status = 'active'
  AND EXISTS (SELECT 1 FROM catalog_certificate c
              WHERE c.product_id = v.product_id AND {IN_FORCE.format(c="c")})
  AND (o.seller_id = p.holder_id OR EXISTS (
       SELECT 1 FROM offers_resaleauthorization r
       WHERE r.product_id = p.id AND r.reseller_id = o.seller_id AND r.revoked_at IS NULL))
GROUP BY v.product_id"""

# The card's markup (``marketplace.storefront.cards.shop_card``) in Vietnamese.
CARD = (
    '\n<article class="card product-card shop-card">\n  {photo}\n  <h3 class="card-title">'
    '<a href="/san-pham/{slug}/">{name}</a></h3>\n  {stars}\n  <p class="card-holder">{holder} · '
    '<span class="card-province">{province}</span></p>\n  {offers}\n  {demo}\n\n</article>\n'
)
CARD_IMG = (
    '<img class="card-photo" src="{src}" srcset="{srcset}" sizes="(min-width: 48rem) 16rem, '
    '50vw" width="{width}" height="{height}" alt="{alt}" loading="lazy" decoding="async">'
    "{badge}\n"
)
ILLUSTRATION_BADGE = (
    '<span class="badge badge-illustration" title="Hình vẽ tự động, không phải ảnh chụp sản '
    'phẩm.">Ảnh minh hoạ</span>'
)
DEMO_BADGE = (
    '<span class="badge badge-demo" title="Dữ liệu minh hoạ: tên là thật, điểm và hạng sao '
    'không phải thật.">Dữ liệu minh hoạ</span>'
)
STARS = (
    '<p class="card-stars"><span class="stars" role="img" aria-label="{count} sao">'
    '<span class="stars-on" aria-hidden="true">{on}</span><span class="stars-off" '
    'aria-hidden="true">{off}</span></span>\n</p>'
)


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + "\u00a0₫"


def _card(row, photo, summary) -> str:
    _pk, name, slug, is_demo, holder, province, stars, certificate_demo = row
    photo_html = ""
    if photo is not None:
        image, renditions, width, height, alt_text, illustration = photo
        candidates = [(r["name"], r["width"]) for r in renditions or ()]
        candidates.append((image, width))
        alt = f"Ảnh minh hoạ: {alt_text}" if illustration else alt_text
        photo_html = CARD_IMG.format(
            src=escape(_url(image)),
            srcset=escape(", ".join(f"{_url(n)} {w}w" for n, w in candidates)),
            width=width,
            height=height,
            alt=escape(alt),
            badge=ILLUSTRATION_BADGE if illustration else "",
        )
    stars_html = ""
    if stars:
        stars_html = STARS.format(count=stars, on="★" * stars, off="☆" * (5 - stars))
    if summary is not None:
        min_price, sellers, in_stock = summary
        stock = "" if in_stock else " · Hết hàng"
        offers_html = (
            f'\n  <p class="card-price">từ {_vnd(min_price)}</p>\n  '
            f'<p class="card-sellers">{sellers} người bán{stock}</p>\n  '
        )
    else:
        offers_html = '\n  <p class="card-sellers">Chưa bán trực tuyến</p>\n  '
    return CARD.format(
        photo=photo_html,
        slug=escape(urllib.parse.quote(slug)),
        name=escape(name),
        stars=stars_html,
        holder=escape(holder),
        province=escape(province),
        offers=offers_html,
        demo=DEMO_BADGE if is_demo or certificate_demo else "",
    )


def _options(name: str, label: str, choices) -> str:
    options = "".join(
        f'<option value="{escape(str(value))}">{escape(text)}</option>\n' for value, text in choices
    )
    return (
        f'<div class="field"><label for="id_{name}">{label}</label>\n<select name="{name}" '
        f'id="id_{name}">\n<option value="" selected>Tất cả</option>\n{options}</select></div>\n'
    )


def listing_cards(page: str) -> list[str]:
    """The cards of a listing page, as the page writes them."""
    start = page.index('<ul class="card-list shop-cards">')
    block = page[start : page.index("</ul>", start)]
    return re.findall(r"<li>(.*?)</li>", block, re.S)


def listing_page() -> bytes:
    today = datetime.datetime.now(TODAY_ZONE).date()
    with _cursor() as cursor:
        cursor.execute(PROVINCES)
        provinces = cursor.fetchall()
        cursor.execute(CATEGORIES, {"today": today})
        categories = cursor.fetchall()
        cursor.execute(SETS, {"today": today})
        sets = [(number, f"{number}. {name}") for number, name in cursor.fetchall()]
        cursor.execute(PER_STARS, {"today": today})
        per_stars = cursor.fetchall()
        ids: list[int] = []
        for stars, _count in per_stars:
            if len(ids) == PER_PAGE:
                break
            cursor.execute(
                LEVEL_PAGE, {"today": today, "stars": stars, "limit": PER_PAGE - len(ids)}
            )
            ids += [pk for (pk,) in cursor.fetchall()]
        cursor.execute(CARDS, {"ids": ids, "today": today})
        cards = {row[0]: row for row in cursor.fetchall()}
        cursor.execute(CARD_PHOTOS, {"ids": ids})
        photos = {row[0]: row[1:] for row in cursor.fetchall()}
        cursor.execute(SUMMARIES, {"ids": ids, "today": today})
        summaries = {row[0]: row[1:] for row in cursor.fetchall()}
    total = sum(count for _stars, count in per_stars)
    pages = max(1, -(-total // PER_PAGE))
    items = "".join(
        f"<li>{_card(cards[pk], photos.get(pk), summaries.get(pk))}</li>"
        for pk in ids
        if pk in cards
    )
    star_choices = [(n, "★" * n + f" ({n})") for n in (5, 4, 3)]
    links = "".join(f'<li><a href="?page={n}">{n}</a></li>\n' for n in range(2, min(pages, 4) + 1))
    body = (
        '<!doctype html>\n<html lang="vi">\n<head><meta charset="utf-8">'
        "<title>Sản phẩm OCOP đang bán</title></head>\n<body>\n<main>\n"
        "<h1>Sản phẩm OCOP đang bán</h1>\n"
        '<form class="filters" method="get" action="/san-pham/" role="search">\n'
        + _options("stars", "Hạng sao", star_choices)
        + _options("province", "Tỉnh/thành phố", provinces)
        + _options("category", "Nhóm sản phẩm", categories)
        + _options("set", "Bộ sản phẩm", sets)
        + "</form>\n"
        + f'<h2 class="result-count">{total} sản phẩm</h2>\n'
        + f'<ul class="card-list shop-cards">\n  {items}\n</ul>\n'
        + '<nav class="pagination" aria-label="Trang"><ul>\n'
        + '<li><span aria-current="page">1</span></li>\n'
        + links
        + f'<li><a href="?page={pages}">{pages}</a></li>\n'
        + "</ul></nav>\n</main>\n</body>\n</html>\n"
    )
    return body.encode()


def application(environ, start_response):
    if environ.get("REQUEST_METHOD") == "GET":
        body, content_type = listing_page(), "text/html; charset=utf-8"
    else:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length:
            environ["wsgi.input"].read(length)
        body = json.dumps(products_answer(), separators=(",", ":")).encode()
        content_type = "application/json"
    start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]

"""The floor: ``products(first: 100)`` with offers — the storefront benchmark's GraphQL query,
same fields, same order — from five hand-written SQL statements and ``json.dumps``, as a bare
WSGI app (no Django, no GraphQL). ``storefront.py --floor`` serves it with gunicorn beside the
real endpoint and checks that both answers are equal once parsed.

It answers that one query whatever is posted, for the benchmark's data set (one active
certificate per product, at most one in force: the certificate in force is the active one
whose dates cover today, as ``catalog.rules.in_force_q`` says for such data)."""

import datetime
import json
import os
import urllib.parse
import zoneinfo

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


def application(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)
    body = json.dumps(products_answer(), separators=(",", ":")).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]

import datetime

import pytest

from tests.factories import (
    BusinessFactory,
    DecisionFactory,
    ProductFactory,
    ProductVariantFactory,
    certified_product,
    product_set,
    revoke_certificate,
)

pytestmark = pytest.mark.django_db


def test_product_page_shows_holder_set_variants_and_current_certificate(en_client):
    holder = BusinessFactory(name="HTX Mật ong Tiên Yên")
    product, _, certificate = certified_product(
        name="Mật ong rừng Tiên Yên", holder=holder, total="75", product_set=product_set(4)
    )
    ProductVariantFactory(product=product, name="Hũ 500 g", net_quantity="500", unit="g")
    ProductVariantFactory(product=product, name="Chai 1 l", net_quantity="1", unit="l", gtin="")

    response = en_client.get(f"/san-pham/{product.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Mật ong rừng Tiên Yên</h1>" in html
    assert f'<a href="/chu-the/{holder.slug}/">HTX Mật ong Tiên Yên</a>' in html
    assert "Product set: Honey" in html or "Product set: Mật ong" in html
    assert "<li>Hũ 500 g · 500 g</li>" in html
    assert "<li>Chai 1 l · 1 l</li>" in html
    assert 'aria-label="4 stars"' in html
    assert "Valid until 05/08/2029" in html
    assert f'href="/chung-nhan/{certificate.number}/">See the score and why</a>' in html


def test_description_and_story_are_plain_text_with_line_breaks(client):
    product, _, _ = certified_product(
        description="Dòng một\nDòng hai\n\nĐoạn mới <script>alert(1)</script>",
        story="Ngày xưa <b>ở</b> Tiên Yên",
    )
    html = client.get(f"/san-pham/{product.slug}/").content.decode()
    assert "<p>Dòng một<br>Dòng hai</p>" in html
    assert "<p>Đoạn mới &lt;script&gt;alert(1)&lt;/script&gt;</p>" in html
    assert "<script>alert" not in html
    assert "Ngày xưa &lt;b&gt;ở&lt;/b&gt; Tiên Yên" in html


def test_evaluation_history_links_each_certificate(en_client):
    product, _, old = certified_product(decision=DecisionFactory(date=datetime.date(2024, 3, 1)))
    _, _, new = certified_product(
        product=product, total="80", decision=DecisionFactory(date=datetime.date(2026, 8, 5))
    )
    html = en_client.get(f"/san-pham/{product.slug}/").content.decode()
    history = html[html.index("Evaluation history") :]
    assert history.index(new.number) < history.index(old.number)
    assert f'<a href="/chung-nhan/{new.number}/">Certificate {new.number}</a>' in history
    assert f'<a href="/chung-nhan/{old.number}/">Certificate {old.number}</a>' in history
    assert "16/07/2026" in history and "10/02/2024" in history
    assert "Superseded by a newer certificate" in history


def test_product_without_certificate_in_force_warns(en_client):
    product, _, certificate = certified_product()
    revoke_certificate(certificate=certificate, ground="false_dossier")
    response = en_client.get(f"/san-pham/{product.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "This product has no OCOP certificate in force today." in html
    assert "Revoked: False or forged dossier" in html


def test_product_never_evaluated(en_client):
    product = ProductFactory(name="Sản phẩm mới")
    html = en_client.get(f"/san-pham/{product.slug}/").content.decode()
    assert "No evaluation recorded yet." in html


def test_demo_product_shows_the_badge(en_client):
    product, _, _ = certified_product(is_demo=True)
    html = en_client.get(f"/san-pham/{product.slug}/").content.decode()
    assert '<span class="badge badge-demo"' in html
    assert "Demo data</span>" in html


def test_unknown_product_is_a_friendly_404(client):
    response = client.get("/san-pham/khong-co-san-pham-nay/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert 'href="/"' in html


def test_product_page_runs_a_constant_number_of_queries(client, django_queries):
    product, _, _ = certified_product()
    ProductVariantFactory(product=product)
    # Product (+holder, set), variants, photos, history (evaluations +framework, certificate
    # +decision: the certificate in force is among them), then the storefront's visible offers
    # and the fairs where it is brought to a booth (marketplace.fairs.sections), then "buy in
    # person near you" (marketplace.places): the provinces to pick (no offer here has stock, so
    # no point of sale can: the points' stock is not read).
    with django_queries(7):
        response = client.get(f"/san-pham/{product.slug}/")
    assert response.status_code == 200

import datetime

import pytest

from tests.factories import (
    SET01_CAPPED_CHOICES,
    DecisionFactory,
    certified_product,
    revoke_certificate,
    scored_product,
)
from tests.pages.conftest import backdate

pytestmark = pytest.mark.django_db


def page(client, certificate) -> str:
    response = client.get(f"/chung-nhan/{certificate.number}/")
    assert response.status_code == 200
    return response.content.decode()


def test_active_certificate_reads_valid_until(en_client):
    _, _, certificate = certified_product(name="Mắm nêm Seagull", total="69.25")
    html = page(en_client, certificate)
    assert '<span class="validity validity-active">Valid until 05/08/2029</span>' in html
    assert 'role="img" aria-label="3 stars"' in html


def test_expired_by_status(en_client):
    _, _, certificate = certified_product(decision=DecisionFactory(date=datetime.date(2020, 1, 10)))
    assert certificate.status == "expired"
    html = page(en_client, certificate)
    assert '<span class="validity validity-expired">Expired on 10/01/2023</span>' in html


def test_active_certificate_past_its_date_reads_expired_before_the_daily_job(en_client):
    _, _, certificate = certified_product()
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    certificate = backdate(certificate, valid_until=yesterday)
    assert certificate.status == "active"
    html = page(en_client, certificate)
    assert f"Expired on {yesterday:%d/%m/%Y}" in html
    assert "Valid until" not in html


def test_revoked_names_the_ground(en_client):
    _, _, certificate = certified_product()
    revoke_certificate(
        certificate=certificate, ground="mark_misuse", note="Tem OCOP dán sai sản phẩm."
    )
    html = page(en_client, certificate)
    assert '<span class="validity validity-revoked">Revoked: Misuse of the OCOP mark</span>' in html
    assert "Tem OCOP dán sai sản phẩm." in html
    certificate.refresh_from_db()
    assert (
        f"Revoked by decision 99/QĐ-UBND of {certificate.revocation_decision_date:%d/%m/%Y} "
        "(Chủ tịch UBND cấp tỉnh) on the ground: Misuse of the OCOP mark." in html
    )


def test_superseded_links_to_the_newer_certificate(en_client):
    product, _, old = certified_product(decision=DecisionFactory(date=datetime.date(2024, 3, 1)))
    _, _, new = certified_product(
        product=product, total="80", decision=DecisionFactory(date=datetime.date(2026, 8, 5))
    )
    old.refresh_from_db()
    assert old.superseded_by == new
    html = page(en_client, old)
    assert f'Superseded by <a href="/chung-nhan/{new.number}/">{new.number}</a>' in html


def test_decision_facts_and_dates_are_dd_mm_yyyy(en_client):
    decision = DecisionFactory(
        number="3981/QĐ-UBND",
        date=datetime.date(2026, 8, 3),
        issuer="UBND tỉnh Lâm Đồng",
        source_url="https://ocoplamdong.gov.vn/3981.pdf",
    )
    _, _, certificate = certified_product(decision=decision)
    html = page(en_client, certificate)
    assert "<dd>3981/QĐ-UBND</dd>" in html
    assert "<dd>03/08/2026</dd>" in html
    assert "<dd>UBND tỉnh Lâm Đồng</dd>" in html
    assert "<dd>03/08/2026 to 03/08/2029</dd>" in html
    assert 'href="https://ocoplamdong.gov.vn/3981.pdf"' in html
    # The evaluation date (20 days before the decision) in the same format.
    assert "14/07/2026" in html


def test_score_breakdown_with_parts_totals_and_caps(en_client):
    _, evaluation, certificate = scored_product(choices=SET01_CAPPED_CHOICES)
    assert (evaluation.band_stars, evaluation.stars) == (5, 3)
    html = page(en_client, certificate)
    assert "Average total: <strong>99</strong>/100" in html
    # Parts A/B/C with score/max and a bar.
    assert '<span class="part-score">39/40</span>' in html
    assert '<span class="part-score">25/25</span>' in html
    assert '<span class="part-score">35/35</span>' in html
    assert 'style="width: 97%"' in html
    assert 'style="width: 100%"' in html
    # Band stars against awarded stars.
    assert "Stars by score band</dt>\n      <dd>" in html
    assert 'aria-label="5 stars"' in html
    assert 'aria-label="3 stars"' in html
    # The cap, explained.
    assert "Minimum requirements not met" in html
    assert "Did not meet the minimum for ★4 on criterion 2.3" in html
    assert "2 points where 3 are required, so the stars are capped at ★3." in html


def test_per_criterion_choices_grouped_by_group(en_client):
    _, _, certificate = scored_product(choices=SET01_CAPPED_CHOICES)
    html = page(en_client, certificate)
    assert "Score sheet, criterion by criterion" in html
    assert html.count('<section class="criterion-group">') == 12
    assert "A.1 Tổ chức sản xuất" in html
    # Group 2 scores 3+3+2+1 of its 10 points; criterion 2.3 chose 2 of 3.
    assert '<span class="part-score">9/10</span>' in html
    assert '<td class="num">2/3</td>' in html
    # Groups appear in sheet order.
    assert html.index("A.1 ") < html.index("A.2 ") < html.index("B.4 ") < html.index("C.12 ")


def test_total_only_certificate_says_parts_were_not_published(en_client):
    _, _, certificate = certified_product(total="72.50")
    html = page(en_client, certificate)
    assert "Average total: <strong>72.5</strong>/100" in html
    assert "The decision gives the total only; the part scores were not published." in html
    assert "The stars follow the score band: no minimum requirement lowered them." in html
    assert "criterion-group" not in html


def test_scores_use_a_decimal_comma_in_vietnamese(client):
    _, _, certificate = certified_product(total="72.50")
    assert "<strong>72,5</strong>/100" in page(client, certificate)


def test_demo_certificate_shows_the_badge(en_client):
    _, _, certificate = certified_product(is_demo=True)
    assert '<span class="badge badge-demo"' in page(en_client, certificate)
    _, _, real = certified_product()
    assert "badge-demo" not in page(en_client, real)


def test_unknown_certificate_is_a_friendly_404(en_client):
    response = en_client.get("/chung-nhan/OCOP-00-00-NOPE/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert 'action="/i18n/setlang/"' in html


def test_certificate_page_runs_a_constant_number_of_queries(client, django_queries):
    _, _, certificate = scored_product(choices=SET01_CAPPED_CHOICES)
    # The certificate with product, holder, decision, evaluation joined; parts; choices.
    with django_queries(3):
        response = client.get(f"/chung-nhan/{certificate.number}/")
    assert response.status_code == 200

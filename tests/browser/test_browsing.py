"""Browsing without buying: the search page and its facets, and the language switch."""

import re

import pytest


@pytest.mark.parametrize("language", ["vi", "en"])
def test_search_page_facet_click_narrows_the_results(open_context, viewport, language):
    visit = open_context(viewport, language)
    page = visit.page
    visit.goto("/tim-kiem/?q=mat+ong")
    before = int(re.search(r"\d+", page.locator("#result-count").inner_text()).group(0))
    facet = page.locator(".facet-values a[data-facet]:not([aria-current])").first
    count = int(facet.locator(".facet-count").inner_text())
    facet.click()
    page.wait_for_load_state("load")
    visit.check()
    assert page.locator(".facet-values a[aria-current=true]").count() == 1
    after = int(re.search(r"\d+", page.locator("#result-count").inner_text()).group(0))
    assert after == count <= before


def test_language_switch_keeps_the_page_and_remembers_the_choice(open_context, viewport):
    visit = open_context(viewport, "vi")
    page = visit.page
    visit.goto("/san-pham/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.locator(".language-switch button[value=en]").click()
    page.wait_for_url(re.compile(r"/san-pham/$"))
    visit.check()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".language-switch button[value=en]").get_attribute("aria-pressed") == "true"
    visit.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator(".language-switch button[value=vi]").click()
    page.wait_for_load_state("load")
    visit.check()
    assert page.locator("html").get_attribute("lang") == "vi"

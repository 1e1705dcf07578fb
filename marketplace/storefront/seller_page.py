"""Sections that packages above the storefront add to a seller's public page
(``/nguoi-ban/<slug>/``), as ``catalog.product_page`` does for the product page: registered in
``AppConfig.ready``, each gives a template and its context."""

from __future__ import annotations

from typing import Protocol

from django.http import HttpRequest

from sellers.models import Business


class SellerPageSection(Protocol):
    template: str

    def context(self, request: HttpRequest, *, seller: Business) -> dict: ...


_sections: list[SellerPageSection] = []


def seller_page_section_register(section: SellerPageSection) -> None:
    _sections.append(section)


def seller_page_sections() -> list[SellerPageSection]:
    return list(_sections)

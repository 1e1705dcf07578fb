"""The seller workspace's navigation, which every app with workspace pages joins.

The workspace (``/seller/<slug>/…``) is the sellers domain's, but most of its pages belong to
the apps above (offers, orders, ledger, traceability), which sellers may not name. Each app
registers its sections here when Django starts (its ``AppConfig.ready``); the workspace layout
(``{% workspace_nav %}``) and the account page (``workspace_home_url``) read them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from sellers.models import Business, SellerStatus


@dataclass(frozen=True)
class WorkspaceSection:
    position: int  # where it sits in the navigation, smallest first
    url_name: str  # reversed with the business's slug
    label: str  # lazily translated
    managers_only: bool = False  # shown to owners and managers only
    home: bool = False  # an active seller's workspace opens here


_sections: dict[str, WorkspaceSection] = {}


def workspace_section_register(section: WorkspaceSection) -> None:
    if section.url_name in _sections:
        raise ImproperlyConfigured(f"Workspace section {section.url_name} is registered twice.")
    if section.home and any(known.home for known in _sections.values()):
        raise ImproperlyConfigured("Only one workspace section can be the home.")
    _sections[section.url_name] = section


def workspace_sections(*, can_manage: bool) -> list[WorkspaceSection]:
    """The sections a member sees, in navigation order."""
    shown = [s for s in _sections.values() if can_manage or not s.managers_only]
    return sorted(shown, key=lambda section: section.position)


def workspace_home_url(*, business: Business) -> str:
    """Where a member's workspace opens: the home section once the business sells, the team
    page before (nothing else has anything to do yet)."""
    if business.status == SellerStatus.ACTIVE:
        for section in _sections.values():
            if section.home:
                return reverse(section.url_name, args=[business.slug])
    return reverse("seller:team", args=[business.slug])

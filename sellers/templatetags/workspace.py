from django import template
from django.urls import reverse

from sellers.workspace import workspace_home_url, workspace_sections

register = template.Library()


@register.inclusion_tag("workspace/_nav.html")
def workspace_nav(business, can_manage: bool) -> dict:
    """The workspace navigation of ``business``: every registered section the member sees."""
    return {
        "links": [
            (reverse(section.url_name, args=[business.slug]), section.label)
            for section in workspace_sections(can_manage=bool(can_manage))
        ]
    }


@register.simple_tag
def workspace_home(business) -> str:
    """The URL a member's workspace of ``business`` opens on."""
    return workspace_home_url(business=business)

from django.conf import settings

from core.site import site_url


def site(request):
    return {"SITE_URL": site_url(request), "DEBUG": settings.DEBUG}

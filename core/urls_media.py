from django.conf import settings
from django.urls import re_path

from core.media import media_serve

# Always routed; answered only where SERVE_MEDIA is on (read per request: core.media).
urlpatterns = [
    re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.+)$", media_serve, name="media"),
]

"""The Leaflet map's tile server, one home for every page that draws a map of points."""

from django.conf import settings


def map_tiles() -> dict[str, str]:
    """Template context for a map: the tile URL template (empty draws no tiles, as in tests or
    on a kiosk without network) and the attribution the tile server asks for."""
    return {
        "map_tiles_url": settings.POINTS_MAP_TILES_URL,
        "map_attribution": settings.POINTS_MAP_ATTRIBUTION,
    }

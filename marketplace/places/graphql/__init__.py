"""GraphQL of points of sale: ``pointsOfSale`` (a connection with the /diem-ban/ filters and
``distanceKm`` per edge when ``near`` is given), ``pointOfSale(id|slug)``, ``Product.pointsOfSale``
(composed into the schema's Product by ``api.types``), and the operators' mutations.

Reads go through ``marketplace.places.selectors`` and open-now through ``hours.Schedule`` (via
``point_open_state``), the same functions the pages use. Constant SQL: the connection finds the
page's ids in one query (the bounding box and exact distances when ``near`` is given), then
loads the page with ``points_for_page`` and, when selected, the offers in stock and displayed
products of the whole page at once. Mutations look points up through the caller's memberships
and call one service each (``marketplace.places.services``), which checks the role again.
"""

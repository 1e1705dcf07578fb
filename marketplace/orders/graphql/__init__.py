"""GraphQL for buying: the cart (identified by its token), checkout, the buyer's orders, and the
seller's orders and fulfilment (through memberships, like offers). Starting and completing the
payment is ``marketplace.payments.graphql`` (payments sit above orders).

A cart's token is its secret while the cart is anonymous; once a cart belongs to a user, only
that user may use it. Every mutation calls one orders service; their refusals come back as
``errors`` (``SOLD_OUT``, ``PRICE_CHANGED``, ``OFFER_UNAVAILABLE``…) and change nothing.
"""

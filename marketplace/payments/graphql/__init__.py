"""GraphQL of payments: starting the payment of a checkout and completing a card payment.

Payments sit above orders (``payments → orders``): these mutations use the cart, order types
and lookups of ``marketplace.orders.graphql``, never the reverse.
"""

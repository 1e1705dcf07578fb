"""The GraphQL endpoint (``/graphql/``). See ``core.graphql.views`` for limits and CSRF."""

from core.graphql.views import OcopGraphQLView

graphql_view = OcopGraphQLView.as_view()

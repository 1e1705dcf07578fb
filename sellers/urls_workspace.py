"""Seller pages under /seller/ (namespace "seller"). Pages about one business take its slug and
resolve it through the user's memberships (see sellers.views_workspace)."""

from django.urls import path

from sellers import views_workspace as views

app_name = "seller"
urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("claim/<slug:slug>/", views.claim, name="claim"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("<slug:slug>/activate/", views.activate, name="activate"),
    path("<slug:slug>/team/", views.team, name="team"),
    path("<slug:slug>/team/invite/", views.team_invite, name="team_invite"),
    path("<slug:slug>/team/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("<slug:slug>/team/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("<slug:slug>/tokens/", views.tokens, name="tokens"),
    path("<slug:slug>/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]

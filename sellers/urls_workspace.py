app_name = "seller"
urlpatterns: list = []

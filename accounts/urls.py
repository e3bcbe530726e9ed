from django.urls import path

from .views import TokenViewSet, UserViewSet

app_name = "accounts"

urlpatterns = [
    path("login", TokenViewSet.as_view({"post": "login"}), name="login"),
    path("refresh", TokenViewSet.as_view({"post": "refresh"}), name="refresh"),
    path("logout", TokenViewSet.as_view({"post": "logout"}), name="logout"),
    path("reguser", UserViewSet.as_view({"post": "create", "put": "upsert"}), name="reguser"),
    path("users/<str:number_of_items>", UserViewSet.as_view({"get": "newest"}), name="users"),
    path(
        "user/<str:username>",
        UserViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="user",
    ),
]

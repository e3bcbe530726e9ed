"""Helpers shared by the test modules of every app."""

import json

from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

PASSWORD = "s3cret-pass"


def make_user(username, staff=False):
    return get_user_model().objects.create_user(
        username=username, password=PASSWORD, is_staff=staff, is_superuser=staff
    )


def login(client, username, password=PASSWORD, **extra):
    response = client.post("/v3/login", {"username": username, "password": password, **extra},
                           format="json")
    assert response.status_code == 200, response.content
    return response.json()


class V3Client(APIClient):
    """APIClient that sends JSON and can carry a bearer token."""

    def with_token(self, token):
        self.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return self

    def anonymous(self):
        self.credentials()
        return self

    def send(self, method, path, body=None, raw=None, content_type="application/json"):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        return self.generic(method, path, data=data or "", content_type=content_type)

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_seed_with_debug_uses_demo_password_and_is_idempotent(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("USER1_PASSWORD", raising=False)
    call_command("seed_default_users")
    User = get_user_model()
    admin = User.objects.get(username="admin")
    user1 = User.objects.get(username="user1")
    assert admin.is_staff and admin.is_superuser and admin.check_password("123")
    assert not user1.is_staff and user1.check_password("123")
    hashes = list(User.objects.order_by("pk").values_list("password", flat=True))
    call_command("seed_default_users")
    assert list(User.objects.order_by("pk").values_list("password", flat=True)) == hashes


def test_seed_takes_passwords_from_environment(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.setenv("ADMIN_PASSWORD", "admin-secret")
    monkeypatch.setenv("USER1_PASSWORD", "user-secret")
    call_command("seed_default_users")
    User = get_user_model()
    assert User.objects.get(username="admin").check_password("admin-secret")
    assert User.objects.get(username="user1").check_password("user-secret")


def test_seed_without_debug_or_password_refuses(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="ADMIN_PASSWORD is not set"):
        call_command("seed_default_users")
    assert not get_user_model().objects.exists()

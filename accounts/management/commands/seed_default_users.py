import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.defaults import DEFAULT_USERS, DEMO_PASSWORD


class Command(BaseCommand):
    help = (
        "Create the default users 'admin' (staff, superuser) and 'user1' if they do not exist. "
        "Passwords come from ADMIN_PASSWORD and USER1_PASSWORD; the documented demo password "
        "'123' is used only when DEBUG is on. Existing users are left untouched."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        for username, variable, is_admin in DEFAULT_USERS:
            if User.objects.filter(username=username).exists():
                self.stdout.write(f"{username}: exists, left unchanged")
                continue
            password = os.environ.get(variable)
            if not password:
                if not settings.DEBUG:
                    raise CommandError(
                        f"{variable} is not set. Set it to {username}'s password; the demo "
                        f"password '{DEMO_PASSWORD}' is only used when DEBUG is on."
                    )
                password = DEMO_PASSWORD
            User.objects.create_user(
                username=username, password=password, is_staff=is_admin, is_superuser=is_admin
            )
            self.stdout.write(f"{username}: created{' (staff, superuser)' if is_admin else ''}")

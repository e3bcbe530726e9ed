"""The default users and the demo password the original documented: one place for both."""

DEMO_PASSWORD = "123"

# username, the environment variable holding its password, staff (and superuser)
DEFAULT_USERS = (
    ("admin", "ADMIN_PASSWORD", True),
    ("user1", "USER1_PASSWORD", False),
)

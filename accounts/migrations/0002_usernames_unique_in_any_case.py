from django.db import migrations

# auth.User belongs to Django; the case-insensitive uniqueness of its usernames is an index on
# lower(username), which PostgreSQL and SQLite both build the same way.
CREATE = "CREATE UNIQUE INDEX accounts_username_any_case ON auth_user (lower(username))"
DROP = "DROP INDEX accounts_username_any_case"


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]

from django.db import migrations


class Migration(migrations.Migration):
    """The app's first migration, empty: each part of field work adds its own tables after it."""

    initial = True

    dependencies = [
        ("areas", "0001_initial"),
        ("accounts", "0004_login_throttle_scoped_tokens"),
        ("registry", "0007_person_name_index"),
        ("cases", "0007_open_case_indexes"),
    ]

    operations: list = []

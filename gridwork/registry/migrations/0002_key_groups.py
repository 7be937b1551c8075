from django.db import migrations


def seed(apps, schema_editor):
    from gridwork.registry.key_groups import KEY_GROUPS

    KeyGroup = apps.get_model("registry", "KeyGroup")
    for order, (code, name, name_en, kind, sensitivity, interval) in enumerate(KEY_GROUPS):
        KeyGroup.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "kind": kind,
                "sensitivity": sensitivity,
                "visit_interval_days": interval,
                "sort_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

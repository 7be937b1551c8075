# Encryption at rest (issue 12): the column becomes ciphertext with an HMAC column beside it;
# the existing rows are encrypted in batches (core.field_rewrite), and decrypted again going back.

import gridwork.core.encrypted_fields
from gridwork.core.field_rewrite import migration_step
from django.db import migrations

encrypt_rows, decrypt_rows = migration_step('cases', ['Case'])


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0007_open_case_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='reporter_phone_hash',
            field=gridwork.core.encrypted_fields.HashField(source='reporter_phone'),
        ),
        migrations.AlterField(
            model_name='case',
            name='reporter_phone',
            field=gridwork.core.encrypted_fields.EncryptedCharField(blank=True, max_length=20, verbose_name='reporter phone'),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]

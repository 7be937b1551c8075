# Encryption at rest (issue 12): the column becomes ciphertext with an HMAC column beside it;
# the existing rows are encrypted in batches (core.field_rewrite), and decrypted again going back.

import gridwork.core.encrypted_fields
from gridwork.core.field_rewrite import migration_step
from django.db import migrations

encrypt_rows, decrypt_rows = migration_step('accounts', ['User'])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_login_throttle_scoped_tokens'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='phone_hash',
            field=gridwork.core.encrypted_fields.HashField(source='phone'),
        ),
        migrations.AlterField(
            model_name='user',
            name='phone',
            field=gridwork.core.encrypted_fields.EncryptedCharField(blank=True, max_length=20, verbose_name='phone'),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]

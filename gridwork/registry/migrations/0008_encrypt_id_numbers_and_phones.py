# Encryption at rest (issue 12): the columns become ciphertext with an HMAC column beside each;
# the existing rows are encrypted in batches (core.field_rewrite), and decrypted again going back.

import gridwork.core.encrypted_fields
from gridwork.core.field_rewrite import migration_step
from django.db import migrations, models

encrypt_rows, decrypt_rows = migration_step('registry', ['Person', 'Organization'])


class Migration(migrations.Migration):

    dependencies = [
        ('areas', '0001_initial'),
        ('registry', '0007_person_name_index'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='person',
            name='one_living_person_per_id',
        ),
        migrations.RemoveIndex(
            model_name='person',
            name='person_id_number',
        ),
        migrations.AddField(
            model_name='organization',
            name='contact_phone_hash',
            field=gridwork.core.encrypted_fields.HashField(source='contact_phone'),
        ),
        migrations.AddField(
            model_name='person',
            name='id_number_hash',
            field=gridwork.core.encrypted_fields.HashField(source='id_number'),
        ),
        migrations.AddField(
            model_name='person',
            name='id_number_key',
            field=gridwork.core.encrypted_fields.HashField(normalise=True, source='id_number'),
        ),
        migrations.AddField(
            model_name='person',
            name='phone_hash',
            field=gridwork.core.encrypted_fields.HashField(source='phone'),
        ),
        migrations.AlterField(
            model_name='organization',
            name='contact_phone',
            field=gridwork.core.encrypted_fields.EncryptedCharField(blank=True, max_length=20, verbose_name='contact phone'),
        ),
        migrations.AlterField(
            model_name='person',
            name='id_number',
            field=gridwork.core.encrypted_fields.EncryptedCharField(max_length=32, verbose_name='ID number'),
        ),
        migrations.AlterField(
            model_name='person',
            name='phone',
            field=gridwork.core.encrypted_fields.EncryptedCharField(blank=True, max_length=20, verbose_name='phone'),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['id_number_hash'], name='person_id_number_hash'),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['phone_hash'], name='person_phone_hash'),
        ),
        migrations.AddConstraint(
            model_name='person',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'deceased'), _negated=True), fields=('id_type', 'id_number_hash'), name='one_living_person_per_id'),
        ),
    ]

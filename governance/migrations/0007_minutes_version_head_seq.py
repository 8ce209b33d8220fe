"""Published minutes keep the audit head as (seq, hash); versions published before have no seq."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0006_suspensions"),
    ]

    operations = [
        migrations.AddField(
            model_name="minutesversion",
            name="audit_head_seq",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
    ]

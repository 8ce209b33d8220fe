"""Certified results keep the audit head as (seq, hash); elections certified before have none."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("elections", "0003_rule_set_in_core"),
    ]

    operations = [
        migrations.AddField(
            model_name="election",
            name="certified_head_seq",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="election",
            name="certified_head_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
    ]

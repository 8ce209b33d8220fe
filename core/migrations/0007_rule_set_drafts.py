from django.db import migrations, models


class Migration(migrations.Migration):
    """A rule-set version may be a draft: no ``effective_from`` until a decision adopts it."""

    dependencies = [
        ("core", "0006_suspension_notice_days"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ruleset",
            name="effective_from",
            field=models.DateTimeField(
                blank=True,
                db_index=True,
                help_text="Empty while the version is a draft; set when a decision adopts it.",
                null=True,
                verbose_name="in force from",
            ),
        ),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_rule_set_and_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="second_factor",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Only such tokens carry the privileges of their holder's roles.",
                verbose_name="created after two-factor authentication",
            ),
        ),
    ]

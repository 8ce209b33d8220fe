from django.db import migrations, models

import core.clock


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_api_token_second_factor"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublishedHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.PositiveBigIntegerField(unique=True)),
                ("hash", models.CharField(max_length=64)),
                ("published_at", models.DateTimeField(db_index=True, default=core.clock.now)),
                ("reason", models.CharField(default="daily", max_length=40)),
            ],
            options={
                "verbose_name": "published audit head",
                "verbose_name_plural": "published audit heads",
                "ordering": ["-seq"],
            },
        ),
    ]

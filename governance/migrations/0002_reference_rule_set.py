"""The shipped preset: the reference foundation's bylaws as amended April 2026.

Later migrations that add rule-set fields give them the reference values, so this
preset grows with the model. Other foundations change the data, not the code.
"""

import datetime as dt

from django.db import migrations


def create_preset(apps, schema_editor):
    RuleSet = apps.get_model("governance", "RuleSet")
    if RuleSet.objects.exists():
        return
    RuleSet.objects.create(
        version=1,
        name="Reference bylaws (amended April 2026)",
        effective_from=dt.datetime(2021, 1, 1, tzinfo=dt.UTC),
        adopted_by="Bylaws as amended by the board, April 2026 (shipped preset)",
        membership_term_days=365,
        reminder_offsets_days=[30, 7, 1],
        grace_days=30,
        grace_may_vote=False,
        min_membership_days_before_record_date=0,
        not_reached_after_days=7,
    )


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]
    operations = [migrations.RunPython(create_preset, migrations.RunPython.noop)]

"""The reference election rules for every rule-set version that exists."""

from django.db import migrations


def create_reference_rules(apps, schema_editor):
    RuleSet = apps.get_model("governance", "RuleSet")
    ElectionRules = apps.get_model("elections", "ElectionRules")
    for rule_set in RuleSet.objects.filter(election_rules__isnull=True):
        ElectionRules.objects.create(
            rule_set=rule_set,
            nominations_open_days=45,
            nominations_close_days=10,
            min_voting_days=14,
            quorum_members_percent=10,
            quorum_weight_percent=10,
            extension_days=7,
            max_extensions=2,
            nominee_standing_days=60,
            provisional_roll_days=14,
            voting_reminder_offsets_days=[7, 1],
        )


class Migration(migrations.Migration):
    dependencies = [("elections", "0001_initial"), ("governance", "0002_reference_rule_set")]
    operations = [migrations.RunPython(create_reference_rules, migrations.RunPython.noop)]

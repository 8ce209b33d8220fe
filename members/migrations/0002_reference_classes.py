"""The reference foundation's six membership classes, attached to rule set v1."""

from django.db import migrations

# code, name, kind, dues (USD cents), weight, in kind, renewal needs approval, mirror url,
# sponsor, board seats per member
CLASSES = [
    ("platinum", "Platinum", "organisation", 100_000_00, 50, True, False, False, True, 2),
    ("gold", "Gold", "organisation", 20_000_00, 15, True, False, False, True, 0),
    ("ruby", "Ruby", "organisation", 5_000_00, 5, False, False, False, True, 0),
    ("silver", "Silver", "organisation", 2_500_00, 5, True, False, False, True, 0),
    ("individual", "Individual", "individual", 0, 1, False, True, False, False, 0),
    ("mirror", "Mirror", "either", 0, 1, False, True, True, False, 0),
]

DESCRIPTIONS = {
    "platinum": "Organisation. $100,000 a year, or staff time approved by the board.",
    "gold": "Organisation. $20,000 a year, or in kind.",
    "ruby": "Organisation. $5,000 a year.",
    "silver": "Organisation. $2,500 a year, or hardware or services.",
    "individual": "A person who uses, contributes to or supports the project. Free.",
    "mirror": "A person or organisation hosting a verified mirror. Free.",
}


def create_classes(apps, schema_editor):
    RuleSet = apps.get_model("governance", "RuleSet")
    MembershipClass = apps.get_model("members", "MembershipClass")
    preset = RuleSet.objects.filter(version=1).first()
    if preset is None or MembershipClass.objects.filter(rule_set=preset).exists():
        return
    for position, row in enumerate(CLASSES):
        code, name, kind, dues, weight, in_kind, renewal_approval, mirror, sponsor, seats = row
        MembershipClass.objects.create(
            rule_set=preset,
            code=code,
            name=name,
            description=DESCRIPTIONS[code],
            kind=kind,
            annual_dues_minor=dues,
            currency="USD",
            vote_weight=weight,
            in_kind_allowed=in_kind,
            approval_required=True,
            renewal_needs_approval=renewal_approval,
            requires_mirror_url=mirror,
            is_sponsor=sponsor,
            board_seats_per_member=seats,
            position=position,
        )


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial"), ("governance", "0002_reference_rule_set")]
    operations = [migrations.RunPython(create_classes, migrations.RunPython.noop)]

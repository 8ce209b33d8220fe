"""A director's employer is chosen from the list (organisation or group) or declared independent.

Holdings whose employer was only typed (no organisation) get the group of that name, created
unconfirmed like the organisations' typed groups (members 0005), so the one-director-per-group
rule sees them; the committee merges look-alikes.
"""

import re
import unicodedata

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


_SUFFIXES = frozenset(
    "ab ag aps as asa bv co company corp corporation gmbh group groupe gruppe holding holdings inc "
    "incorporated kg kk limited llc llp lp ltd nv oy oyj plc pte pty sa sarl sas spa srl".split()
)


def _name_key(name):
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().replace(".", "")
    words = re.sub(r"[^\w\s]", " ", text).replace("_", " ").split()
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words.pop()
    if len(words) > 1 and words[0] == "the":
        words.pop(0)
    return " ".join(words)


def typed_employers_to_groups(apps, schema_editor):
    SeatHolding = apps.get_model("governance", "SeatHolding")
    CorporateGroup = apps.get_model("members", "CorporateGroup")
    for holding in SeatHolding.objects.filter(employer__isnull=True).exclude(employer_name="").order_by("pk"):
        name = " ".join(holding.employer_name.split())[:200]
        group = (
            CorporateGroup.objects.filter(merged_into__isnull=True, name__iexact=name).order_by("pk").first()
            or CorporateGroup.objects.create(name=name, name_key=_name_key(name))
        )
        holding.employer_group_id = group.pk
        holding.save(update_fields=["employer_group"])


class Migration(migrations.Migration):

    dependencies = [
        ('governance', '0007_minutes_version_head_seq'),
        ('members', '0005_corporate_groups'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='seatholding',
            name='employer_group',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.corporategroup'),
        ),
        migrations.AddField(
            model_name='seatholding',
            name='independent',
            field=models.BooleanField(default=False, verbose_name='independent (no employer)'),
        ),
        migrations.AddConstraint(
            model_name='seatholding',
            constraint=models.CheckConstraint(condition=models.Q(('independent', False), models.Q(('employer__isnull', True), ('employer_group__isnull', True)), _connector='OR'), name='holding_independent_has_no_employer'),
        ),
        migrations.RunPython(typed_employers_to_groups, migrations.RunPython.noop),
    ]

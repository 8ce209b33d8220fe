"""Issue 18: every organisation's vote, employers from the list, lines struck on suspension.

Data:
- rolls still open (frozen, voting not closed) get a voter on every organisation line that
  had none: the representative in force at the record date, or the current one when no
  change was recorded by then (what ``elections.services.roll._voters`` now does);
- a candidate's typed employer (no organisation) becomes the group of that name, created
  unconfirmed like the organisations' typed groups; a candidate who left both empty had
  declared "self-employed or not employed" (the acceptance form said so): independent.
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


def repair_open_rolls(apps, schema_editor):
    Election = apps.get_model("elections", "Election")
    RollEntry = apps.get_model("elections", "RollEntry")
    Membership = apps.get_model("members", "Membership")
    RepresentativeChange = apps.get_model("members", "RepresentativeChange")
    open_rolls = Election.objects.filter(roll_frozen_at__isnull=False, closed_at__isnull=True).exclude(
        state__in=("counted", "certified", "failed", "cancelled")
    )
    for election in open_rolls:
        for entry in RollEntry.objects.filter(election=election, voter__isnull=True):
            membership = (
                Membership.objects.filter(number=entry.member_number).select_related("organisation").first()
            )
            if membership is None:
                continue
            if membership.user_id is not None:
                voter = membership.user_id
            elif membership.organisation is not None:
                change = (
                    RepresentativeChange.objects.filter(
                        organisation_id=membership.organisation_id,
                        role="representative",
                        changed_at__lte=election.record_date,
                    )
                    .order_by("-changed_at", "-id")
                    .first()
                )
                voter = (change.user_id if change else None) or membership.organisation.representative_id
            else:
                voter = None
            if voter is not None:
                entry.voter_id = voter
                if entry.alternate_id == voter:
                    entry.alternate_id = None
                entry.save(update_fields=["voter", "alternate"])


def candidates_employers(apps, schema_editor):
    Candidate = apps.get_model("elections", "Candidate")
    CorporateGroup = apps.get_model("members", "CorporateGroup")
    for candidate in Candidate.objects.filter(employer__isnull=True).order_by("pk"):
        name = " ".join(candidate.employer_name.split())[:200]
        if not name:
            candidate.independent = True
            candidate.save(update_fields=["independent"])
            continue
        group = (
            CorporateGroup.objects.filter(merged_into__isnull=True, name__iexact=name).order_by("pk").first()
            or CorporateGroup.objects.create(name=name, name_key=_name_key(name))
        )
        candidate.employer_group_id = group.pk
        candidate.save(update_fields=["employer_group"])


class Migration(migrations.Migration):

    dependencies = [
        ('elections', '0008_candidate_names_without_quotes'),
        ('members', '0005_corporate_groups'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='candidate',
            name='employer_group',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.corporategroup'),
        ),
        migrations.AddField(
            model_name='candidate',
            name='independent',
            field=models.BooleanField(default=False, verbose_name='independent (no employer)'),
        ),
        migrations.AddField(
            model_name='rollentry',
            name='struck',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='rollentry',
            name='struck_reason',
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddConstraint(
            model_name='rollentry',
            constraint=models.CheckConstraint(condition=models.Q(('struck', False), ('has_voted', False), _connector='OR'), name='struck_roll_line_has_not_voted'),
        ),
        migrations.RunPython(repair_open_rolls, migrations.RunPython.noop),
        migrations.RunPython(candidates_employers, migrations.RunPython.noop),
    ]

"""Corporate groups become an entity the membership committee confirms (issue 18).

Every organisation's free-text ``corporate_group`` becomes an unconfirmed group (its own
legal name when it had none): one group per spelling, ignoring case and spacing (which the
old rule ignored too), so look-alikes ("Acme" and "ACME Inc.") are separate groups that the
committee's page suggests merging. Applications keep their typed group as a proposal.
"""

import re
import unicodedata

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.clock

# Frozen copy of ``members.models.group_name_key`` as it was when this migration was written.
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


def groups_from_text(apps, schema_editor):
    Organisation = apps.get_model("members", "Organisation")
    CorporateGroup = apps.get_model("members", "CorporateGroup")
    by_spelling = {}
    for org in Organisation.objects.order_by("pk"):
        name = " ".join((org.corporate_group_text or org.legal_name or "").split())[:200] or f"Organisation {org.pk}"
        spelling = name.casefold()
        group = by_spelling.get(spelling)
        if group is None:
            group = CorporateGroup.objects.create(name=name, name_key=_name_key(name), created_at=core.clock.now())
            by_spelling[spelling] = group
        org.corporate_group_id = group.pk
        org.save(update_fields=["corporate_group"])
    if schema_editor.connection.vendor == "postgresql":
        # Run the deferred foreign-key checks now, so the column can be dropped below.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def text_from_groups(apps, schema_editor):
    Organisation = apps.get_model("members", "Organisation")
    for org in Organisation.objects.select_related("corporate_group"):
        group = org.corporate_group
        org.corporate_group_text = group.name if group is not None and group.name != org.legal_name else ""
        org.save(update_fields=["corporate_group_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_event_decision_number"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CorporateGroup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("name_key", models.CharField(db_index=True, editable=False, max_length=200)),
                (
                    "confirmed",
                    models.BooleanField(default=False, verbose_name="confirmed by the membership committee"),
                ),
                ("confirmed_at", models.DateTimeField(blank=True, null=True)),
                ("merged_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(default=core.clock.now)),
                (
                    "confirmed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "merged_into",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="merged_groups",
                        to="members.corporategroup",
                    ),
                ),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="subsidiaries",
                        to="members.corporategroup",
                        verbose_name="parent group",
                    ),
                ),
                (
                    "proposed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "corporate group",
                "verbose_name_plural": "corporate groups",
                "ordering": ["name", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("parent", models.F("pk")), _negated=True), name="group_not_own_parent"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("merged_into", models.F("pk")), _negated=True),
                        name="group_not_merged_into_itself",
                    ),
                ],
            },
        ),
        # Organisations: the typed group becomes a link to a group.
        migrations.RenameField(model_name="organisation", old_name="corporate_group", new_name="corporate_group_text"),
        migrations.AddField(
            model_name="organisation",
            name="corporate_group",
            field=models.ForeignKey(
                blank=True,
                help_text=(
                    "Used by the anti-capture rule: one director per group. Chosen from the list; a change "
                    "waits for the membership committee."
                ),
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="organisations",
                to="members.corporategroup",
                verbose_name="corporate group",
            ),
        ),
        migrations.RunPython(groups_from_text, text_from_groups),
        migrations.RemoveField(model_name="organisation", name="corporate_group_text"),
        # Applications: the typed group is kept as a proposal; a chosen group is a link.
        migrations.RenameField(
            model_name="membershipapplication", old_name="corporate_group", new_name="proposed_group"
        ),
        migrations.AddField(
            model_name="membershipapplication",
            name="corporate_group",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="members.corporategroup",
            ),
        ),
        # Individuals may declare their employer's group (private unless they publish it).
        migrations.AddField(
            model_name="membership",
            name="employer_group",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="members.corporategroup",
                verbose_name="employer's corporate group",
            ),
        ),
        migrations.AddField(
            model_name="membership",
            name="employer_group_public",
            field=models.BooleanField(default=False, verbose_name="show my employer publicly"),
        ),
        migrations.CreateModel(
            name="OrganisationGroupChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting for the membership committee"),
                            ("confirmed", "Confirmed"),
                            ("rejected", "Rejected"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("requested_at", models.DateTimeField(default=core.clock.now)),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("note", models.CharField(blank=True, max_length=300)),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="members.corporategroup"
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="group_changes",
                        to="members.organisation",
                    ),
                ),
                (
                    "previous",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="members.corporategroup",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["-requested_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "pending")),
                        fields=("organisation",),
                        name="one_pending_group_change",
                    )
                ],
            },
        ),
    ]

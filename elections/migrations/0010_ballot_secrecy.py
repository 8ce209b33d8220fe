"""Ballot secrecy (issue 12): sealed ballots and the election key, roll salts and published
lines, the rule values for turnout classes and roll retention; and the same guarantees for
what is already in the database:

- every existing frozen roll keeps its recorded fingerprint, marked version 1, and each
  row gets a salt (its hashed published line);
- receipt emails keep no subject or body (they held the tracker code);
- elections whose voting is over keep no voted marks, voting reminders or receipt rows.
"""

import secrets
import uuid

import django.db.models.deletion
from django.db import migrations, models

OVER = ("counting", "counted", "certified", "failed", "cancelled")


def forward(apps, schema_editor):
    Election = apps.get_model("elections", "Election")
    RollEntry = apps.get_model("elections", "RollEntry")
    VotingReminder = apps.get_model("elections", "VotingReminder")
    OutgoingEmail = apps.get_model("core", "OutgoingEmail")
    Election.objects.filter(roll_frozen_at__isnull=False).update(roll_fingerprint_version=1)
    batch = []
    for row in RollEntry.objects.filter(salt="").only("pk").iterator(chunk_size=2000):
        row.salt = secrets.token_hex(16)
        batch.append(row)
        if len(batch) >= 2000:
            RollEntry.objects.bulk_update(batch, ["salt"])
            batch = []
    RollEntry.objects.bulk_update(batch, ["salt"])
    OutgoingEmail.objects.filter(purpose="elections.receipt").update(subject="", body="")
    for election in Election.objects.filter(state__in=OVER):
        RollEntry.objects.filter(election=election).update(has_voted=None)
        reminders = VotingReminder.objects.filter(election=election)
        emails = [pk for pk in reminders.values_list("email_id", flat=True) if pk is not None]
        reminders.delete()
        OutgoingEmail.objects.filter(pk__in=emails).delete()
        OutgoingEmail.objects.filter(purpose="elections.receipt", subject_ref=election.slug).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('elections', '0009_voters_groups_strikes'),
        ('core', '0012_outgoing_email_template'),
    ]

    operations = [
        migrations.CreateModel(
            name='BallotKey',
            fields=[
                ('election', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='elections.election')),
                ('public_key', models.BinaryField()),
                ('wrapped_private_key', models.BinaryField()),
                ('kek_id', models.CharField(max_length=16)),
                ('pad_to', models.PositiveIntegerField()),
            ],
        ),
        migrations.AddField(
            model_name='election',
            name='roll_fingerprint_version',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='election',
            name='roll_purged_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='electionrules',
            name='roll_retention_days',
            field=models.PositiveSmallIntegerField(default=90, verbose_name='frozen roll kept (days after certification)'),
        ),
        migrations.AddField(
            model_name='rollentry',
            name='listed',
            field=models.BooleanField(null=True),
        ),
        migrations.AddField(
            model_name='rollentry',
            name='salt',
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.AlterField(
            model_name='rollentry',
            name='has_voted',
            field=models.BooleanField(default=False, null=True),
        ),
        migrations.CreateModel(
            name='SealedBallot',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('sealed', models.BinaryField()),
                ('election', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='elections.election')),
            ],
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]

"""The rule set and roles move from governance to core, keeping their tables."""

import core.clock
import core.models.rules
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED = ("ruleset", "roleassignment")


def _relabel(apps, source: str, target: str) -> None:
    """Keep existing content types (and so permissions and admin history) with the models."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def relabel_content_types(apps, schema_editor) -> None:
    _relabel(apps, "governance", "core")


def unrelabel_content_types(apps, schema_editor) -> None:
    _relabel(apps, "core", "governance")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0002_api_tokens_and_keys'),
        # The tables were created, with every column, by governance's migrations.
        ('governance', '0004_dues_rules'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where governance created them (db_table in Meta).
            state_operations=[
                migrations.CreateModel(
                    name='RuleSet',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('version', models.PositiveIntegerField(unique=True)),
                        ('name', models.CharField(max_length=200)),
                        ('effective_from', models.DateTimeField(db_index=True)),
                        ('adopted_by', models.CharField(blank=True, help_text='The decision that adopted it.', max_length=300, verbose_name='adopted by')),
                        ('notes', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(default=core.clock.now)),
                        ('membership_term_days', models.PositiveIntegerField(default=365, verbose_name='membership term (days)')),
                        ('reminder_offsets_days', models.JSONField(blank=True, default=core.models.rules.reference_reminder_offsets, verbose_name='renewal reminders (days before expiry)')),
                        ('grace_days', models.PositiveIntegerField(default=30, verbose_name='grace period (days)')),
                        ('grace_may_vote', models.BooleanField(default=False, verbose_name='members in grace may vote')),
                        ('min_membership_days_before_record_date', models.PositiveIntegerField(default=0, verbose_name='minimum days of membership before a record date')),
                        ('not_reached_after_days', models.PositiveIntegerField(default=7, verbose_name='not reached: days without action after the last reminder')),
                        ('board_min_size', models.PositiveSmallIntegerField(default=1, verbose_name='board: minimum size')),
                        ('board_normal_min_size', models.PositiveSmallIntegerField(default=7, verbose_name='board: normal minimum size (a warning when below)')),
                        ('board_max_size', models.PositiveSmallIntegerField(default=13, verbose_name='board: maximum size')),
                        ('board_max_per_group', models.PositiveSmallIntegerField(default=1, verbose_name='board: maximum directors per organisation or corporate group')),
                        ('board_term_years', models.PositiveSmallIntegerField(default=4, verbose_name='board: term (years)')),
                        ('board_cohorts', models.JSONField(default=core.models.rules.reference_cohorts, verbose_name='board: cohorts')),
                        ('board_consecutive_terms', models.PositiveSmallIntegerField(default=2, verbose_name='board: consecutive terms before a gap')),
                        ('board_term_gap_years', models.PositiveSmallIntegerField(default=1, verbose_name='board: gap after the limit (years)')),
                        ('board_vacancy_window_months', models.PositiveSmallIntegerField(default=3, verbose_name='board: appointment window before an election (months)')),
                        ('board_quorum_numerator', models.PositiveSmallIntegerField(default=1, verbose_name='board quorum: numerator')),
                        ('board_quorum_denominator', models.PositiveSmallIntegerField(default=2, verbose_name='board quorum: denominator')),
                        ('board_quorum_strict', models.BooleanField(default=True, verbose_name='board quorum: strictly more than the fraction of directors in office')),
                        ('recused_count_for_quorum', models.BooleanField(default=True, verbose_name='recused directors count toward quorum')),
                        ('majority_numerator', models.PositiveSmallIntegerField(default=1, verbose_name='ordinary majority: numerator')),
                        ('majority_denominator', models.PositiveSmallIntegerField(default=2, verbose_name='ordinary majority: denominator')),
                        ('majority_strict', models.BooleanField(default=True, verbose_name='ordinary majority: strictly more than')),
                        ('majority_base', models.CharField(choices=[('cast', 'votes cast (yes and no)'), ('present', 'directors present'), ('in_office', 'directors in office')], default='cast', max_length=12, verbose_name='ordinary majority: counted of')),
                        ('supermajority_numerator', models.PositiveSmallIntegerField(default=2, verbose_name='supermajority: numerator')),
                        ('supermajority_denominator', models.PositiveSmallIntegerField(default=3, verbose_name='supermajority: denominator')),
                        ('supermajority_strict', models.BooleanField(default=False, verbose_name='supermajority: strictly more than')),
                        ('supermajority_base', models.CharField(choices=[('cast', 'votes cast (yes and no)'), ('present', 'directors present'), ('in_office', 'directors in office')], default='in_office', max_length=12, verbose_name='supermajority: counted of')),
                        ('supermajority_decision_types', models.JSONField(default=core.models.rules.reference_supermajority_types, verbose_name='decision types that need the supermajority')),
                        ('written_consent_objection_limit', models.PositiveSmallIntegerField(default=2, verbose_name='written consent fails when this many directors object')),
                        ('conflict_declaration_days', models.PositiveSmallIntegerField(default=365, verbose_name='conflict-of-interest declaration valid for (days)')),
                        ('antitrust_statement', models.TextField(default=core.models.rules.reference_antitrust_statement, verbose_name='antitrust statement (opens every agenda)')),
                        ('invoice_issue_days_before_expiry', models.PositiveIntegerField(default=30, verbose_name='dues invoices issued (days before expiry)')),
                        ('lobbying_share_percent', models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='share of dues used for lobbying (%)')),
                    ],
                    options={
                        'verbose_name': 'rule set',
                        'verbose_name_plural': 'rule sets',
                        'db_table': 'governance_ruleset',
                        'ordering': ['-version'],
                    },
                ),
                migrations.CreateModel(
                    name='RoleAssignment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('director', 'Director'), ('chair', 'Board chair'), ('secretary', 'Secretary'), ('treasurer', 'Treasurer'), ('membership_committee', 'Membership committee member'), ('election_committee', 'Election committee member'), ('election_committee_chair', 'Election committee chair'), ('election_observer', 'Election observer'), ('staff', 'Staff')], max_length=40)),
                        ('starts_at', models.DateTimeField(default=core.clock.now)),
                        ('ends_at', models.DateTimeField(blank=True, null=True)),
                        ('note', models.CharField(blank=True, max_length=300)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='role_assignments', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'governance_roleassignment',
                        'ordering': ['role', 'starts_at'],
                        'indexes': [models.Index(fields=['user', 'role'], name='role_user_role_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('ends_at__isnull', True), ('ends_at__gt', models.F('starts_at')), _connector='OR'), name='role_ends_after_start')],
                    },
                ),
            ],
        ),
        migrations.RunPython(relabel_content_types, unrelabel_content_types),
    ]

"""Members: classes (from the rule set), organisations, memberships and their history.

State changes are written only by ``members.services.transitions``; models hold
fields, constraints and choices.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock

# Crockford-style alphabet: no I, L, O, U; easy to read aloud and to type.
_NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_member_number() -> str:
    """An opaque public member number, e.g. ``M-7K3Q-9XZ2``; never the database id."""
    raw = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(8))
    return f"M-{raw[:4]}-{raw[4:]}"


class ClassKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ORGANISATION = "organisation", _("Organisation")
    EITHER = "either", _("Individual or organisation")


class MembershipClass(models.Model):
    """A class of membership as one rule-set version defines it (weights, dues).

    A dues or weight change is a new rule-set version with its own rows, so every
    past answer can be recomputed with the numbers that were in force.
    """

    rule_set = models.ForeignKey("core.RuleSet", on_delete=models.PROTECT, related_name="membership_classes")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=15, choices=ClassKind.choices)
    annual_dues_minor = models.PositiveBigIntegerField(_("annual dues (minor units)"), default=0)
    currency = models.CharField(max_length=3, default="USD")
    vote_weight = models.PositiveIntegerField(default=1)
    in_kind_allowed = models.BooleanField(default=False)
    approval_required = models.BooleanField(default=True)
    renewal_needs_approval = models.BooleanField(default=False)
    requires_mirror_url = models.BooleanField(default=False)
    is_sponsor = models.BooleanField(
        default=False, help_text=_("A paid sponsor tier (shown on the sponsors' pages).")
    )
    board_seats_per_member = models.PositiveIntegerField(
        default=0, help_text=_("Board seats the bylaws require per member of this class.")
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["rule_set", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "code"], name="class_code_per_rule_set"),
        ]
        verbose_name = _("membership class")
        verbose_name_plural = _("membership classes")

    def __str__(self) -> str:
        return f"{self.name} (v{self.rule_set.version})" if self.rule_set_id else self.name

    @property
    def is_free(self) -> bool:
        return self.annual_dues_minor == 0

    @property
    def for_organisations(self) -> bool:
        return self.kind in (ClassKind.ORGANISATION, ClassKind.EITHER)

    @property
    def for_individuals(self) -> bool:
        return self.kind in (ClassKind.INDIVIDUAL, ClassKind.EITHER)


# Legal forms and group words a company name may end with: two spellings of one company
# ("ACME Inc." and "Acme", "Zeta Group, Inc." and "Zeta Group") share a key without them.
LEGAL_SUFFIXES = frozenset(
    {
        "ab", "ag", "aps", "as", "asa", "bv", "co", "company", "corp", "corporation", "gmbh",
        "group", "groupe", "gruppe", "holding", "holdings", "inc", "incorporated", "kg", "kk",
        "limited", "llc", "llp", "lp", "ltd", "nv", "oy", "oyj", "plc", "pte", "pty", "sa",
        "sarl", "sas", "spa", "srl",
    }
)  # fmt: skip
_NOT_A_WORD = re.compile(r"[^\w\s]", re.UNICODE)


def group_name_key(name: str) -> str:
    """The look-alike key of a group's name: case, accents, punctuation and legal suffixes ignored.

    ``"ACME Inc."``, ``"Acme"`` and ``"acme, inc"`` share ``"acme"``; ``"S.A."`` and ``"GmbH"``
    go the same way. A name made only of such words keeps them (``"Group"`` stays ``"group"``).
    """
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().replace(".", "")
    words = _NOT_A_WORD.sub(" ", text).replace("_", " ").split()
    core = list(words)
    while len(core) > 1 and core[-1] in LEGAL_SUFFIXES:
        core.pop()
    if len(core) > 1 and core[0] == "the":
        core.pop(0)
    return " ".join(core)


class CorporateGroup(models.Model):
    """A corporate group: the companies one owner controls, for the one-director-per-group rule.

    Organisations choose their group from the list, or propose a new one, which stays
    unconfirmed until the membership committee confirms it or merges it into another
    (``merged_into``). A group may be declared a subsidiary of another (``parent``); the rule
    counts directors per top-level group (``members.selectors.group_of_organisation``).
    ``name_key`` is the look-alike key (``group_name_key``) the committee's merge hints use.
    """

    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    confirmed = models.BooleanField(_("confirmed by the membership committee"), default=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subsidiaries",
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_groups"
    )
    merged_at = models.DateTimeField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="group_not_own_parent"),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")), name="group_not_merged_into_itself"
            ),
        ]
        verbose_name = _("corporate group")
        verbose_name_plural = _("corporate groups")

    def __str__(self) -> str:
        return self.name

    @property
    def audit_ref(self) -> str:
        return f"group:{self.pk}"

    @property
    def is_live(self) -> bool:
        """Not merged into another group (a merged group only forwards to its target)."""
        return self.merged_into_id is None


class Organisation(models.Model):
    """A member organisation; it acts through one designated representative."""

    legal_name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    corporate_group = models.ForeignKey(
        "members.CorporateGroup",
        verbose_name=_("corporate group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        help_text=_(
            "Used by the anti-capture rule: one director per group. Chosen from the list; a change "
            "waits for the membership committee."
        ),
    )
    website = models.URLField(blank=True)
    logo = models.ImageField(upload_to="logos/", blank=True)
    billing_contact_name = models.CharField(max_length=200, blank=True)
    billing_contact_email = models.EmailField(blank=True)
    billing_address = models.TextField(blank=True)
    tax_id = models.CharField(_("tax or VAT id"), max_length=60, blank=True)
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="represented_organisations",
    )
    alternate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alternate_for_organisations",
    )
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="administered_organisations"
    )
    in_directory = models.BooleanField(_("listed in the public directory"), default=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["legal_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(alternate__isnull=True) | ~Q(alternate=models.F("representative")),
                name="org_alternate_differs",
            )
        ]

    def __str__(self) -> str:
        return self.legal_name


class RepresentativeChange(models.Model):
    """Every change of representative or alternate, with its time (rolls read it)."""

    class Role(models.TextChoices):
        REPRESENTATIVE = "representative", _("Representative")
        ALTERNATE = "alternate", _("Alternate")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="representative_changes"
    )
    role = models.CharField(max_length=15, choices=Role.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=clock.now, db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.organisation} {self.role} → {self.user or '—'} at {self.changed_at:%Y-%m-%d}"


class GroupChangeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the membership committee")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class OrganisationGroupChange(models.Model):
    """An organisation's admin asks to move it to another corporate group.

    The organisation stays in its group until the membership committee confirms the
    change, so an admin cannot take a company out of its group to seat a second director.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="group_changes")
    previous = models.ForeignKey(
        CorporateGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(CorporateGroup, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=GroupChangeStatus.choices, default=GroupChangeStatus.PENDING
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=clock.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(status="pending"), name="one_pending_group_change"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.group} ({self.status})"

    @property
    def audit_ref(self) -> str:
        return f"group-change:{self.pk}"


class MembershipState(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACTIVE = "active", _("Active")
    GRACE = "grace", _("In grace period")
    LAPSED = "lapsed", _("Lapsed")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended")


class Membership(models.Model):
    """A person's or an organisation's membership, with a stable public number.

    One row per member for life: renewals, lapses, suspensions and re-admission are
    events in its history (``MembershipEvent``), which is what past answers read.
    """

    number = models.CharField(max_length=12, unique=True, default=new_member_number, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    class_code = models.SlugField(max_length=40)
    state = models.CharField(max_length=10, choices=MembershipState.choices, default=MembershipState.PENDING)
    member_since = models.DateTimeField(
        null=True, blank=True, help_text=_("Start of the current unbroken membership.")
    )
    term_start = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    mirror_url = models.URLField(blank=True)
    in_directory = models.BooleanField(_("listed in the public directory"), default=False)
    suspension_reason = models.TextField(blank=True)
    # An individual member's employer, declared if they wish (never asked of organisations):
    # private unless ``employer_group_public``; the control figures count it only in aggregates.
    employer_group = models.ForeignKey(
        CorporateGroup,
        verbose_name=_("employer's corporate group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    employer_group_public = models.BooleanField(_("show my employer publicly"), default=False)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(organisation__isnull=True))
                | (Q(user__isnull=True) & Q(organisation__isnull=False)),
                name="membership_one_subject",
            ),
            # One membership per person and per organisation: renewals and re-admission
            # reuse it, so two live memberships for one subject cannot exist.
            models.UniqueConstraint(
                fields=["user"], condition=Q(user__isnull=False), name="one_membership_per_user"
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(organisation__isnull=False),
                name="one_membership_per_org",
            ),
        ]
        indexes = [models.Index(fields=["state", "expires_at"], name="membership_state_exp_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.subject_name}"

    @property
    def audit_ref(self) -> str:
        return self.number

    @property
    def is_organisation(self) -> bool:
        return self.organisation_id is not None

    @property
    def public_name(self) -> str:
        """The member's name as public pages show it (never an email address)."""
        if self.organisation is not None:
            return self.organisation.legal_name
        return self.user.public_name if self.user is not None else ""

    @property
    def subject_name(self) -> str:
        if self.organisation is not None:
            return self.organisation.legal_name
        return str(self.user) if self.user is not None else ""


class MembershipEvent(models.Model):
    """One entry in a membership's history: the state and terms from ``at`` onwards.

    The latest event at or before a moment says what the membership was then; the
    voting-rights rules read nothing else, so any past moment can be answered.
    """

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=40)
    state = models.CharField(max_length=10, choices=MembershipState.choices)
    class_code = models.SlugField(max_length=40)
    member_since = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    decision_ref = models.CharField(max_length=200, blank=True)
    # The number of the register's decision (governance) behind this event; empty for
    # events recorded before suspensions named a decision of the register, whose
    # ``decision_ref`` is free text (shown as a legacy reference).
    decision_number = models.PositiveIntegerField(null=True, blank=True)
    actor_ref = models.CharField(max_length=80, blank=True)
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["membership", "at", "id"]
        indexes = [models.Index(fields=["membership", "at"], name="mevent_membership_at_idx")]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.kind} → {self.state} at {self.at:%Y-%m-%d}"


class MembershipStanding(models.Model):
    """Each membership's latest history event (by ``at``, then id): the snapshot that answers
    "now" (and any moment at or after that event) in one indexed join.

    Written in the same transaction as the event, by ``members.standing.refresh_standings``
    (the transition service, the approval of a fresh application, bulk loaders and the
    migration that added it). A row of its own, not a column on ``Membership``: a stale
    ``Membership.save()`` elsewhere can never overwrite it.
    """

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, primary_key=True, related_name="standing"
    )
    event = models.ForeignKey(MembershipEvent, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.membership_id} → event {self.event_id}"


class ApplicationState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    NEEDS_INFO = "needs_info", _("Question from the committee")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_APPLICATION_STATES = (ApplicationState.SUBMITTED, ApplicationState.NEEDS_INFO)


class MembershipApplication(models.Model):
    """An application (or a renewal that needs re-approval) in the committee's queue."""

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="membership_applications"
    )
    class_code = models.SlugField(max_length=40)
    is_renewal = models.BooleanField(default=False)
    state = models.CharField(
        max_length=12, choices=ApplicationState.choices, default=ApplicationState.SUBMITTED
    )
    statement = models.TextField(_("why you are applying"), blank=True)
    mirror_url = models.URLField(blank=True)
    # Organisation applications
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    legal_name = models.CharField(max_length=200, blank=True)
    legal_name_key = models.CharField(max_length=200, blank=True, editable=False)
    # The group chosen from the list, or the name of a new one the applicant proposes (it
    # becomes an unconfirmed group when the application is approved).
    corporate_group = models.ForeignKey(
        CorporateGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_group = models.CharField(max_length=200, blank=True)
    website = models.URLField(blank=True)
    billing_contact_name = models.CharField(max_length=200, blank=True)
    billing_contact_email = models.EmailField(blank=True)
    representative_email = models.EmailField(blank=True)
    # Decision
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    submitted_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant"],
                condition=Q(state__in=OPEN_APPLICATION_STATES, legal_name_key=""),
                name="one_open_personal_application",
            ),
            models.UniqueConstraint(
                fields=["legal_name_key"],
                condition=Q(state__in=OPEN_APPLICATION_STATES) & ~Q(legal_name_key=""),
                name="one_open_application_per_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legal_name or self.applicant} ({self.class_code}, {self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_APPLICATION_STATES

    @property
    def is_organisation(self) -> bool:
        return bool(self.legal_name_key)


class ApplicationMessage(models.Model):
    """A question from the committee or an answer from the applicant."""

    application = models.ForeignKey(MembershipApplication, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_committee = models.BooleanField(default=False)
    body = models.TextField()
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Message on application {self.application_id}"


class Invitation(models.Model):
    """An invitation for someone without an account to become a representative."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=15, choices=RepresentativeChange.Role.choices)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation to {self.organisation} as {self.role}"


class Reminder(models.Model):
    """A renewal reminder for one term at one offset; unique, so jobs never send twice."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="reminders")
    term_expires_at = models.DateTimeField()
    offset_days = models.IntegerField()
    sent_at = models.DateTimeField(default=clock.now)
    email = models.ForeignKey(
        "core.OutgoingEmail", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "term_expires_at", "offset_days"], name="one_reminder_per_offset"
            )
        ]

    def __str__(self) -> str:
        return f"Reminder {self.offset_days}d for {self.membership_id}"

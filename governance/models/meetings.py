"""Board meetings, their agenda and attendance, and the minutes with their published versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("Regular meeting")
    SPECIAL = "special", _("Special meeting")
    WRITTEN_CONSENT = "written_consent", _("Written consent")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    """A board meeting, or a written consent (a decision taken without meeting)."""

    kind = models.CharField(max_length=16, choices=MeetingKind.choices, default=MeetingKind.REGULAR)
    title = models.CharField(max_length=200)
    scheduled_at = models.DateTimeField(db_index=True)
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rule_set = models.ForeignKey("core.RuleSet", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-scheduled_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.title} ({self.scheduled_at:%Y-%m-%d})"

    @property
    def audit_ref(self) -> str:
        return f"meeting:{self.pk}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [models.UniqueConstraint(fields=["meeting", "position"], name="agenda_position_unique")]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    GUEST = "guest", _("Invited expert (non-voting)")


class Attendance(models.Model):
    """Who attended; ``is_director`` is fixed when recorded, so quorum can be recomputed."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=AttendanceStatus.choices)
    is_director = models.BooleanField(default=False)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["meeting", "-is_director", "person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_status_display()}"


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved, awaiting publication")
    PUBLISHED = "published", _("Published")


class Minutes(models.Model):
    """The minutes of one meeting. ``number`` is sequential; published text is versioned."""

    number = models.PositiveIntegerField(unique=True)
    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes")
    status = models.CharField(max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT)
    draft_md = models.TextField(_("draft (Markdown)"), blank=True)
    approved_by = models.ForeignKey(
        "governance.Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    current_version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=clock.now)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return _("Minutes no. %(number)s") % {"number": self.number}

    @property
    def audit_ref(self) -> str:
        return f"minutes:{self.number}"


class MinutesVersion(models.Model):
    """One published text of the minutes; never edited. A correction adds a version."""

    minutes = models.ForeignKey(Minutes, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    body_md = models.TextField()
    body_html = models.TextField()
    reason = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The audit chain's head (seq, hash) just after this publication. Versions published
    # before the seq was kept have only the hash (seq null).
    audit_head_seq = models.PositiveBigIntegerField(null=True, blank=True)
    audit_head_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["minutes", "version"]
        constraints = [models.UniqueConstraint(fields=["minutes", "version"], name="minutes_version_unique")]

    def __str__(self) -> str:
        return f"{self.minutes} v{self.version}"

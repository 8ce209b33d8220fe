"""A first draft of a meeting's minutes, in Markdown, from what Charter recorded about it.

The secretary's editor starts from this text instead of an empty box: the meeting's date and
place, who attended (directors present and absent, invited experts), whether quorum was
present, the agenda, and every decision recorded at the meeting with its roll call. It is
a read: nothing is saved until the secretary saves the draft (``minutes_draft``).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from governance.models import Attendance, AttendanceStatus, Decision, Meeting, Vote, VoteChoice
from governance.voting import quorum_count, quorum_required

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]#>!])")


def _md(text: str) -> str:
    """Names and titles as literal text in Markdown (no accidental emphasis, links or HTML)."""
    text = " ".join(str(text).split()).replace("&", "&amp;").replace("<", "&lt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _names(rows: list[Attendance]) -> str:
    return ", ".join(_md(str(a.person)) for a in rows) or _("none")


def minutes_prefill(*, meeting: Meeting) -> str:
    """The Markdown draft for ``meeting``'s minutes."""
    lines: list[str] = [
        f"## {_md(meeting.title)}",
        "",
        _("%(kind)s, %(date)s UTC")
        % {"kind": meeting.get_kind_display(), "date": f"{meeting.scheduled_at:%Y-%m-%d %H:%M}"}
        + (f" · {_md(meeting.location)}" if meeting.location else ""),
        "",
    ]
    attendance = list(Attendance.objects.filter(meeting=meeting).select_related("person"))
    if attendance:
        directors = [a for a in attendance if a.is_director]
        present = [a for a in directors if a.status == AttendanceStatus.PRESENT]
        absent = [a for a in directors if a.status == AttendanceStatus.ABSENT]
        guests = [a for a in attendance if a.status == AttendanceStatus.GUEST]
        required = quorum_required(meeting.rule_set, len(directors))
        reached = quorum_count(meeting.rule_set, present=len(present), recused=0) >= required
        lines += [
            "### " + _("Attendance"),
            "",
            "- " + _("Directors present: %(names)s") % {"names": _names(present)},
            "- " + _("Directors absent: %(names)s") % {"names": _names(absent)},
        ]
        if guests:
            lines.append("- " + _("Invited experts (non-voting): %(names)s") % {"names": _names(guests)})
        lines += [
            "- "
            + (
                _("Quorum present: %(present)s of %(office)s directors (%(required)s needed).")
                if reached
                else _("Quorum not present: %(present)s of %(office)s directors (%(required)s needed).")
            )
            % {"present": len(present), "office": len(directors), "required": required},
            "",
        ]
    items = list(meeting.agenda_items.all())
    if items:
        lines += ["### " + _("Agenda"), ""]
        for item in items:
            lines.append(f"{item.position}. **{_md(item.title)}**")
            if item.body.strip():
                lines.append(f"   {_md(item.body)}")
        lines.append("")
    decisions = list(Decision.objects.filter(meeting=meeting).order_by("number"))
    if decisions:
        votes: dict[int, list[Vote]] = {}
        for vote in Vote.objects.filter(decision__in=decisions).select_related("director"):
            votes.setdefault(vote.decision_id, []).append(vote)
        lines += ["### " + _("Decisions"), ""]
        for decision in decisions:
            lines += [
                f"#### {decision.reference} {_md(decision.title)}",
                "",
                _md(decision.text),
                "",
                _(
                    "Outcome: %(outcome)s. Yes %(yes)s, no %(no)s, abstain %(abstain)s, recused %(recused)s, absent %(absent)s."
                )
                % {
                    "outcome": decision.get_outcome_display(),
                    "yes": decision.yes,
                    "no": decision.no,
                    "abstain": decision.abstain,
                    "recused": decision.recused,
                    "absent": decision.absent,
                },
                "",
            ]
            recusals = [v for v in votes.get(decision.pk, []) if v.choice == VoteChoice.RECUSED]
            for vote in recusals:
                lines.append(
                    "- "
                    + _("%(person)s recused: %(note)s")
                    % {"person": _md(str(vote.director)), "note": _md(vote.conflict_note)}
                )
            if recusals:
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"

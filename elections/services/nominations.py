"""Nominations and candidacies.

A member in good standing nominates during the window: an individual or mirror member
one person, never themself; an organisation one of its own people (its representative,
alternate or administrators). The database allows one nomination per nominating member
per election. The nominee accepts, with a statement and their employer (frozen then).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from core import clock
from core.access import has_role
from core.audit import audit_record
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.mail import email_queue
from core.models import Role
from core.rules import rules_in_force
from elections.models import Candidate, CandidateState, Election, ElectionState, Nomination
from elections.rules import election_rules_for
from elections.services.ballot_names import check_ballot_name
from elections.services.common import day, lock_election
from governance.services.composition import check_declared_employer, check_term_limit
from members.models import CorporateGroup, Membership, Organisation
from members.rights import voting_rights
from members.services.groups import corporate_group_propose

COMMITTEE_ROLES = (Role.ELECTION_COMMITTEE, Role.ELECTION_COMMITTEE_CHAIR)


def organisation_people(organisation: Organisation) -> set[int]:
    """The people an organisation may nominate: its representative, alternate and administrators."""
    people = set(organisation.admins.values_list("pk", flat=True))
    people |= {pk for pk in (organisation.representative_id, organisation.alternate_id) if pk}
    return people


def check_can_nominate(*, membership: Membership, user: Any) -> None:
    """``user`` may act for ``membership`` and it is in good standing; committee members may not."""
    if membership.organisation is None:
        acts = membership.user_id == user.pk
    else:
        acts = membership.organisation.representative_id == user.pk
    if not acts:
        raise NotAllowed(
            _("Only the member, or an organisation's representative, can nominate for it."),
            code="not_nominator",
        )
    if has_role(user, *COMMITTEE_ROLES):
        raise NotAllowed(_("Members of the election committee cannot nominate."), code="committee_member")
    rights = voting_rights(subject=membership)
    if not rights.eligible:
        raise NotAllowed(
            _("Only members in good standing can nominate: %(reasons)s")
            % {"reasons": " ".join(r.message for r in rights.reasons)},
            code="nominator_not_in_good_standing",
        )


def _qualifies(membership: Membership, since: dt.datetime, at: dt.datetime) -> bool:
    if membership.member_since is None or membership.member_since > since:
        return False
    return (
        voting_rights(subject=membership, at=at).eligible
        and voting_rights(subject=membership, at=since).eligible
    )


def check_nominee_eligible(*, election: Election, person: Any, at: dt.datetime | None = None) -> None:
    """Raise with the reason when ``person`` cannot stand (committee, standing, membership days)."""
    at = at or clock.now()
    rules = election_rules_for(rule_set=election.rule_set)
    name = str(person)
    if has_role(person, *COMMITTEE_ROLES, at=at):
        raise Conflict(
            _("%(name)s is on the election committee and cannot stand.") % {"name": name},
            code="nominee_on_committee",
        )
    since = at - dt.timedelta(days=rules.nominee_standing_days)
    own = Membership.objects.filter(user=person).first()
    through = list(
        Membership.objects.filter(organisation__isnull=False)
        .filter(
            organisation__in=Organisation.objects.filter(representative=person)
            | Organisation.objects.filter(alternate=person)
            | Organisation.objects.filter(admins=person)
        )
        .distinct()
    )
    candidates = ([own] if own else []) + through
    if not candidates:
        raise Conflict(
            _("%(name)s is not a member and represents no member organisation.") % {"name": name},
            code="nominee_not_member",
        )
    if not any(_qualifies(m, since, at) for m in candidates):
        raise Conflict(
            _("%(name)s has not been a member in good standing for the last %(days)s days.")
            % {"name": name, "days": rules.nominee_standing_days},
            code="nominee_not_in_good_standing",
            detail={"days": rules.nominee_standing_days},
        )
    check_seat_eligibility(election=election, person=person)


def seating_at(election: Election) -> dt.datetime:
    """When the elected take their seats: the end of the cohort's current term (not before the
    close of voting), or the close of voting for a vacancy. Eligibility is judged then."""
    closes = election.voting_closes_at
    if election.cohort is not None:
        term_end = dt.datetime.combine(election.cohort.term_end, dt.time.min, tzinfo=dt.UTC)
        return max(term_end, closes)
    return closes


def check_seat_eligibility(*, election: Election, person: Any) -> None:
    """Refuse, with the reason, someone who could not take a seat when the elected are seated
    (the consecutive-term limit), so nobody stands, wins and is then refused at certification."""
    at = seating_at(election)
    try:
        check_term_limit(person=person, at=at, rules=rules_in_force(at=min(at, clock.now())))
    except Conflict as error:
        raise Conflict(
            _("%(name)s cannot stand in this election: %(reason)s")
            % {"name": person, "reason": error.message},
            code="nominee_term_limit",
            detail=error.detail,
        ) from None


def _require_nominations_open(election: Election) -> None:
    now = clock.now()
    if election.state != ElectionState.NOMINATIONS_OPEN or not (
        election.nominations_open_at <= now < election.nominations_close_at
    ):
        raise Conflict(
            _("Nominations are open from %(open)s to %(close)s.")
            % {"open": day(election.nominations_open_at), "close": day(election.nominations_close_at)},
            code="nominations_closed",
        )


def nomination_create(*, election: Election, nominator: Membership, nominee: Any, actor: Any) -> Nomination:
    """``actor`` nominates ``nominee`` on behalf of ``nominator`` (their own or their organisation's membership)."""
    with transaction.atomic():
        locked = lock_election(election)
        _require_nominations_open(locked)
        check_can_nominate(membership=nominator, user=actor)
        if nominator.user_id is not None and nominator.user_id == nominee.pk:
            raise ValidationFailed(_("Members cannot nominate themselves."), code="self_nomination")
        org = nominator.organisation
        if org is not None and nominee.pk not in organisation_people(org):
            raise ValidationFailed(
                _(
                    "An organisation nominates one of its own people (its representative, alternate or administrators)."
                ),
                code="not_own_person",
            )
        if Nomination.objects.filter(election=locked, nominator=nominator).exists():
            raise Conflict(
                _("This member has already nominated someone in this election."), code="already_nominated"
            )
        check_nominee_eligible(election=locked, person=nominee)
        candidate = Candidate.objects.select_for_update().filter(election=locked, person=nominee).first()
        if candidate is None:
            check_ballot_name(nominee.public_name)
            candidate = Candidate.objects.create(election=locked, person=nominee, name=nominee.public_name)
            new = True
        else:
            new = False
            if candidate.state in (CandidateState.DECLINED, CandidateState.WITHDRAWN):
                raise Conflict(
                    _("%(name)s has declined or withdrawn from this election.") % {"name": candidate.name},
                    code="candidate_declined",
                )
        try:
            with transaction.atomic():
                nomination = Nomination.objects.create(
                    election=locked, nominator=nominator, nominated_by=actor, candidate=candidate
                )
        except IntegrityError:
            raise Conflict(
                _("This member has already nominated someone in this election."), code="already_nominated"
            ) from None
        if new:
            email_queue(
                to=nominee.email,
                template="emails/elections/nominated",
                context={
                    "election": locked,
                    "nominator": nominator.public_name,
                    "url": reverse("elections:candidacy", kwargs={"slug": locked.slug}),
                },
                purpose="elections.nominated",
                subject_ref=locked.slug,
            )
        audit_record(
            actor=actor,
            action="election.nominated",
            obj=locked,
            data={"nominator": nominator.number, "candidate": candidate.pk},
        )
    return nomination


def candidate_accept(
    *,
    candidate: Candidate,
    statement: str,
    employer: Organisation | CorporateGroup | None,
    independent: bool = False,
    proposed_employer: str = "",
    actor: Any,
) -> Candidate:
    """The nominee accepts; statement and declared employer are frozen from now on.

    The employer is a member organisation or a corporate group chosen from the list, a new
    group the nominee names (``proposed_employer``: added unconfirmed for the membership
    committee), or independence declared explicitly (shown publicly); never left blank.
    """
    statement = (statement or "").strip()
    if not statement:
        raise ValidationFailed(_("Please write a statement for the members."), code="statement_required")
    with transaction.atomic():
        locked_election = lock_election(candidate.election_id)
        _require_nominations_open(locked_election)
        locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if locked.person_id != actor.pk:
            raise NotAllowed(_("Only the nominee can accept a nomination."), code="not_nominee")
        if locked.state != CandidateState.NOMINATED:
            raise Conflict(
                _("This nomination is “%(state)s”.") % {"state": locked.get_state_display()},
                code="not_pending",
            )
        check_nominee_eligible(election=locked_election, person=actor)
        if employer is None and proposed_employer.strip():
            employer = corporate_group_propose(name=proposed_employer, actor=actor)
        declared = check_declared_employer(employer, independent=independent)
        locked.state = CandidateState.ACCEPTED
        locked.statement = statement
        locked.employer = declared.organisation
        locked.employer_group = declared.group
        locked.independent = declared.independent
        locked.employer_name = declared.label
        locked.accepted_at = clock.now()
        locked.save(
            update_fields=[
                "state",
                "statement",
                "employer",
                "employer_group",
                "independent",
                "employer_name",
                "accepted_at",
            ]
        )
        audit_record(
            actor=actor,
            action="election.candidate_accepted",
            obj=locked_election,
            data={
                "candidate": locked.pk,
                "employer": declared.organisation.slug if declared.organisation else "",
                "employer_group": declared.group.audit_ref if declared.group else "",
                "independent": declared.independent,
            },
        )
    return locked


def candidate_decline(*, candidate: Candidate, actor: Any) -> Candidate:
    with transaction.atomic():
        lock_election(candidate.election_id)
        locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if locked.person_id != actor.pk:
            raise NotAllowed(_("Only the nominee can decline a nomination."), code="not_nominee")
        if locked.state != CandidateState.NOMINATED:
            raise Conflict(_("Only a pending nomination can be declined."), code="not_pending")
        locked.state = CandidateState.DECLINED
        locked.save(update_fields=["state"])
        audit_record(
            actor=actor,
            action="election.candidate_declined",
            obj=locked.election,
            data={"candidate": locked.pk},
        )
    return locked


def candidate_withdraw(*, candidate: Candidate, actor: Any) -> Candidate:
    """Withdraw. Before voting opens the name leaves the ballot; afterwards it is skipped in the count."""
    with transaction.atomic():
        election = lock_election(candidate.election_id)
        locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if locked.person_id != actor.pk:
            raise NotAllowed(_("Only the candidate can withdraw."), code="not_candidate")
        if locked.state not in (CandidateState.NOMINATED, CandidateState.ACCEPTED):
            raise Conflict(_("This candidacy is not active."), code="not_active")
        if election.state not in (
            ElectionState.NOMINATIONS_OPEN,
            ElectionState.NOMINATIONS_CLOSED,
            ElectionState.VOTING,
            ElectionState.EXTENDED,
        ):
            raise Conflict(_("It is too late to withdraw: voting has closed."), code="too_late")
        locked.state = CandidateState.WITHDRAWN
        locked.withdrawn_at = clock.now()
        locked.withdrawn_after_voting_opened = election.is_voting
        locked.save(update_fields=["state", "withdrawn_at", "withdrawn_after_voting_opened"])
        audit_record(
            actor=actor,
            action="election.candidate_withdrew",
            obj=election,
            data={"candidate": locked.pk, "during_voting": locked.withdrawn_after_voting_opened},
        )
    return locked

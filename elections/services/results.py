"""Counting, disputes, certification, and the published files (anonymised ballots, trackers).

The count uses ``elections.counting`` with the method the election names, the seed drawn
at the close of nominations, and the anti-capture rule of the rule set (candidates'
declared employers' corporate groups, counting the sitting directors who stay).

The count runs in the ``elections.count`` job, in three steps: ``count_spec`` reads the
election (no lock: in "counting" nothing changes), ``count_run`` counts outside any
transaction within the rule set's time budget (or its fallback method), and
``election_count`` writes the result, the signed count package and the audit entry in one
short transaction (``elections.services.packages``).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

import jwt
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _

from core import clock
from core.access import require
from core.audit import audit_head, audit_publish_head, audit_record
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.outbox import enqueue
from elections import permissions
from elections.counting import CountError, CountTimeout, count, format_text
from elections.counting import Election as CountElection
from elections.models import (
    Ballot,
    Candidate,
    CandidateState,
    CountPackage,
    Dispute,
    Election,
    ElectionState,
    Method,
    Tracker,
)
from elections.rules import election_rules_for
from elections.selectors import ballot_candidates, candidate_group, elected_in_order, seats_wait_for_term
from elections.services.common import lock_election
from elections.services.nominations import check_seat_eligibility
from elections.services.packages import CountOutcome, CountSpec, blt_text, csv_of, json_of, package_build
from governance.models import HoldingSource, SeatHolding
from governance.services.board import cohort_start_new_term, group_directors_in_office, seat_fill
from governance.services.common import change_record
from members.models import Membership
from members.selectors import group_index


def jwt_kid(token: str) -> str:
    return str(jwt.get_unverified_header(token).get("kid", ""))


def grouped_ballots(*, election: Election) -> list[tuple[tuple[int, ...], int]]:
    """Identical ballots merged, weights summed, in a canonical order (no link to anyone)."""
    counter: Counter[tuple[int, ...]] = Counter()
    for choices, weight in (
        Ballot.objects.filter(election=election).values_list("choices", "weight").iterator(chunk_size=5000)
    ):
        counter[tuple(choices)] += weight
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def count_input(*, election: Election) -> tuple[CountElection, dict[int, Candidate]]:
    """The counting library's input: candidates in ballot order, grouped weighted ballots."""
    candidates = ballot_candidates(election=election)
    by_pk = {c.pk: c for c in candidates}
    names = [c.name for c in candidates]
    ranked = election.is_ranked
    ballots: list[tuple[int | Fraction, tuple[tuple[str, ...], ...]]] = []
    for choices, weight in grouped_ballots(election=election):
        picked = [by_pk[pk].name for pk in choices if pk in by_pk]
        # Ranked: one name per preference level; marks: one level of equal choices.
        ranking: tuple[tuple[str, ...], ...] = (
            tuple((name,) for name in picked) if ranked else ((tuple(picked),) if picked else ())
        )
        ballots.append((weight, ranking))
    withdrawn = {c.name for c in candidates if c.state == CandidateState.WITHDRAWN}
    return (
        CountElection(
            candidates=names,
            seats=max(election.seats.count(), 1),
            ballots=ballots,
            withdrawn=withdrawn,
            title=election.title,
        ),
        by_pk,
    )


def candidate_groups(candidates: Iterable[Candidate]) -> dict[str, str]:
    """Ballot name → group key of each candidate with an employer (the anti-capture rule's input)."""
    index = group_index()
    keys = {c.name: candidate_group(c, index=index) for c in candidates}
    return {name: identity.key for name, identity in keys.items() if identity is not None}


def ineligible_candidates(*, election: Election, candidates: Iterable[Candidate]) -> dict[str, str]:
    """Ballot name → why a candidate could not take a seat when the elected are seated
    (the term limit): the count leaves them out, as the group cap does, so certification
    never meets a rule that could have been checked before."""
    refused: dict[str, str] = {}
    for candidate in candidates:
        try:
            check_seat_eligibility(election=election, person=candidate.person)
        except Conflict as error:
            refused[candidate.name] = error.message
    return refused


def counting_method(*, election: Election, seats: int) -> tuple[str, list[str]]:
    """The method the count runs, and a note when it is not the declared one."""
    if election.method == Method.PLURALITY and seats > 1:
        # Several marks, each worth the ballot's full weight (block vote): the approval sum.
        return Method.APPROVAL, [
            _("Plurality with several seats: each mark counts the ballot's full weight.")
        ]
    return election.method, []


def count_spec(*, election: Election) -> CountSpec:
    """Read everything the count needs, before counting and without a lock.

    The election is in "counting": its ballots, candidates and roll no longer change.
    """
    data, by_pk = count_input(election=election)
    seats = election.seats.count()
    # The anti-capture rule's input: the candidates' corporate groups, the sitting directors who stay.
    groups = candidate_groups(by_pk.values())
    sitting = group_directors_in_office(excluding_cohort=election.cohort)
    # Candidates the term limit keeps from taking the seat are left out of the count like
    # withdrawn ones (so the package records them and a recount does the same).
    ineligible = ineligible_candidates(election=election, candidates=by_pk.values())
    if ineligible:
        data = dataclasses.replace(data, withdrawn=set(data.withdrawn) | set(ineligible))
    engine, notes = counting_method(election=election, seats=seats)
    notes = [
        *(_("%(reason)s Left out of the count.") % {"reason": reason} for reason in ineligible.values()),
        *notes,
    ]
    rules = election_rules_for(rule_set=election.rule_set)
    return CountSpec(
        election=election,
        data=data,
        by_pk=by_pk,
        declared_method=election.method,
        engine=engine,
        seats=seats,
        tie_seed=election.tie_seed or None,
        groups=groups,
        max_per_group=election.rule_set.board_max_per_group if groups else None,
        sitting=dict(sitting),
        budget_seconds=rules.count_time_budget_seconds,
        fallback_method=rules.count_fallback_method,
        notes=notes,
    )


def count_run(spec: CountSpec, *, budget_seconds: float | None = None) -> CountOutcome:
    """Count with the election's method within the rule set's time budget.

    A count that does not finish in time is run again with the fallback method the rule set
    fixed before voting opened, if it names one (with a budget of its own); otherwise
    ``CountTimeout`` propagates and the election stays in "counting". ``CountError`` means the
    count cannot run as asked (a fallback of IRV for several seats, say).
    """
    budget = spec.budget_seconds if budget_seconds is None else budget_seconds
    data, seats = spec.data, spec.seats
    continuing = [c for c in data.candidates if c not in data.withdrawn]
    options: dict[str, Any] = {
        "groups": spec.groups or None,
        "max_per_group": spec.max_per_group,
        "sitting": spec.sitting,
    }
    method, fallback_used = spec.engine, False
    try:
        result = count(data, method, seats, spec.tie_seed, deadline=budget, **options)
    except CountTimeout:
        if not spec.fallback_method:
            raise
        method, fallback_used = spec.fallback_method, True
        # The fallback gets the rule set's budget of its own.
        result = count(data, method, seats, spec.tie_seed, deadline=spec.budget_seconds, **options)
        result.notes.append(
            _(
                "The count with %(method)s did not finish within %(seconds)s seconds, so the fallback "
                "method fixed in the rule set before voting opened, %(fallback)s, was used."
            )
            % {"method": spec.engine, "seconds": budget, "fallback": method}
        )
    result.method = spec.declared_method
    result.notes.extend(spec.notes)
    if not continuing:
        result.notes.append(_("No candidate remained in the count."))
    elif len(continuing) < seats:
        result.notes.append(
            _("Fewer candidates than seats: %(n)s seat(s) stay vacant.") % {"n": seats - len(result.elected)}
        )
    result_dict = result.to_dict()
    result_dict["count_method"] = method
    return CountOutcome(
        result_dict=result_dict,
        text=format_text(result),
        result=result,
        method=method,
        fallback_used=fallback_used,
    )


def _count_stalled(election_id: int, message: str, actor: Any = None) -> str:
    """Leave the election in "counting" and tell the committee why (the page shows it)."""
    with transaction.atomic():
        locked = lock_election(election_id)
        if locked.state != ElectionState.COUNTING:
            return f"{locked.slug}: not counting ({locked.state})"
        locked.count_message = message
        locked.save(update_fields=["count_message"])
        audit_record(actor=actor, action="election.count_stalled", obj=locked, data={"reason": message})
    return f"{locked.slug}: {message}"


def election_count(*, election_id: int, budget_seconds: float | None = None) -> str:
    """Count an election the close left in "counting" (the ``elections.count`` job).

    The count runs outside any transaction, within the rule set's time budget
    (``budget_seconds`` overrides it, for tests). Then, in one short transaction: the
    result, the signed count package (next version), the audit entry with the package's
    SHA-256, and the state "counted". Safe to run twice: the second run finds the election
    counted and does nothing.
    """
    election = Election.objects.select_related("rule_set", "cohort").get(pk=election_id)
    if election.state != ElectionState.COUNTING:
        return f"{election.slug}: not counting ({election.state})"
    spec = count_spec(election=election)
    try:
        outcome = count_run(spec, budget_seconds=budget_seconds)
    except CountTimeout:
        budget = spec.budget_seconds if budget_seconds is None else budget_seconds
        return _count_stalled(
            election_id,
            _(
                "The count did not finish within its time budget of %(seconds)s seconds, and the rule "
                "set names no fallback method. The election stays in “counting”: the committee can "
                "ask the board to decide how to proceed under the bylaws."
            )
            % {"seconds": budget},
        )
    except CountError as exc:
        return _count_stalled(election_id, _("The count could not be run: %(error)s") % {"error": exc})
    version = (CountPackage.objects.filter(election=election).aggregate(v=Max("version"))["v"] or 0) + 1
    data, manifest, token, name = package_build(spec, outcome, version=version)
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        locked = lock_election(election_id)
        if locked.state != ElectionState.COUNTING:
            return f"{locked.slug}: not counting ({locked.state})"
        result_dict = outcome.result_dict
        result_dict["candidate_ids"] = {c.name: c.pk for c in spec.by_pk.values()}
        result_dict["report_text"] = outcome.text
        result_dict["package"] = {"version": version, "name": name, "sha256": digest}
        CountPackage.objects.create(
            election=locked,
            version=version,
            name=name,
            sha256=digest,
            data=data,
            manifest=manifest,
            signature=token,
            kid=jwt_kid(token),
        )
        locked.result = result_dict
        locked.counted_at = clock.now()
        locked.state = ElectionState.COUNTED
        locked.count_message = ""
        locked.save(update_fields=["result", "counted_at", "state", "count_message"])
        audit_record(
            actor=None,
            action="election.counted",
            obj=locked,
            data={
                "elected": [result_dict["candidate_ids"][n] for n in result_dict["elected"]],
                "method": outcome.method,
                "fallback_used": outcome.fallback_used,
                "package_version": version,
                "package_sha256": digest,
                "ballots_sha256": manifest["files"]["ballots.blt"],
            },
        )
    return f"{election.slug}: counted"


def election_recount(*, election: Election, actor: Any) -> Election:
    """The committee counts again from the stored ballots: back to "counting", and the count
    job writes the next package version (same input, same result; a new signature). Also
    restarts a count that stalled (over its time budget, no fallback) once the rule set in
    force for it allows, e.g. after the board adopted a fix under the bylaws."""
    require(
        permissions.can_run_election(actor, election),
        _("Only the election committee recounts."),
        code="not_committee",
    )
    with transaction.atomic():
        locked = lock_election(election)
        stalled = locked.state == ElectionState.COUNTING and bool(locked.count_message)
        if locked.state != ElectionState.COUNTED and not stalled:
            raise Conflict(_("Only a counted, uncertified election can be recounted."), code="wrong_state")
        locked.state = ElectionState.COUNTING
        locked.count_message = ""
        locked.save(update_fields=["state", "count_message"])
        audit_record(actor=actor, action="election.recount_requested", obj=locked)
        enqueue("elections.count", election_id=locked.pk)
    return locked


def elected_candidates(*, election: Election) -> list[Candidate]:
    return elected_in_order(election=election)


def _term_pending(election: Election) -> bool:
    return seats_wait_for_term(election)


def election_seat_elected(*, election: Election, actor: Any = None) -> Election:
    """Seat the elected: a new cohort term first when the old one is over, then ``seat_fill``.

    A candidate who already holds the seat they are paired with (a re-elected incumbent
    whose term the board already renewed) keeps it. Safe to run twice.
    """
    with transaction.atomic():
        locked = lock_election(election)
        if locked.state != ElectionState.CERTIFIED or locked.seats_filled_at is not None:
            return locked
        cohort = locked.cohort
        if cohort is not None:
            cohort.refresh_from_db()
            if _term_pending(locked):
                return locked
            cohort_start_new_term(cohort=cohort, actor=actor)
        seats = list(locked.seats.order_by("number"))
        for seat, candidate in zip(seats, elected_candidates(election=locked), strict=False):
            holder = SeatHolding.objects.active().filter(seat=seat).first()
            if holder is not None and holder.person_id == candidate.person_id:
                continue
            seat_fill(
                seat=seat,
                person=candidate.person,
                employer=candidate.employer or candidate.employer_group,
                independent=candidate.independent,
                source=HoldingSource.ELECTION,
                actor=actor,
            )
        locked.seats_filled_at = clock.now()
        locked.save(update_fields=["seats_filled_at"])
        audit_record(actor=actor, action="election.seats_filled", obj=locked)
    return locked


def check_elected_still_eligible(*, election: Election) -> None:
    """The count left out whoever was ineligible then; if someone elected became ineligible
    since (appointed elsewhere, say), ask for a recount, which leaves them out too."""
    refused = ineligible_candidates(election=election, candidates=elected_candidates(election=election))
    if refused:
        raise Conflict(
            _("Since the count, %(names)s can no longer take a seat (%(reasons)s): recount, then certify.")
            % {"names": ", ".join(refused), "reasons": "; ".join(refused.values())},
            code="recount_needed",
        )


def _record_directors_elect(election: Election) -> None:
    """The change history says who was elected and when they take office (seated later)."""
    elected = elected_in_order(election=election)
    if not elected or election.cohort is None:
        return
    change_record(
        item_type="board",
        item_label=_("Board"),
        url=reverse("governance:board"),
        summary=_("Elected in %(title)s: %(names)s; takes office on %(date)s")
        % {
            "title": election.title,
            "names": ", ".join(str(c.person) for c in elected),
            "date": election.cohort.term_end.isoformat(),
        },
    )


def election_certify(*, election: Election, actor: Any) -> Election:
    """The committee chair certifies: disputes must be decided; the elected take their seats.

    For a cohort whose current term has not ended yet, the seats are filled when it ends
    (the schedule calls ``election_seat_elected``); vacancies are filled at once.
    """
    require(
        permissions.can_certify_election(actor, election),
        _("Only the election committee chair certifies results."),
        code="not_chair",
    )
    with transaction.atomic():
        locked = lock_election(election)
        if locked.state != ElectionState.COUNTED:
            raise Conflict(_("Only a counted election can be certified."), code="wrong_state")
        open_disputes = Dispute.objects.filter(election=locked, state=Dispute.State.OPEN).count()
        if open_disputes:
            raise Conflict(
                _("%(n)s dispute(s) must be decided before certification.") % {"n": open_disputes},
                code="open_disputes",
            )
        check_elected_still_eligible(election=locked)
        locked.state = ElectionState.CERTIFIED
        locked.certified_at = clock.now()
        locked.certified_by = actor
        locked.save(update_fields=["state", "certified_at", "certified_by"])
        audit_record(
            actor=actor,
            action="election.certified",
            obj=locked,
            data={"elected": len(locked.result.get("elected", []))},
        )
        seated = election_seat_elected(election=locked, actor=actor)
        if seated.seats_filled_at is None:
            _record_directors_elect(seated)
        # The head after the certification (and any seats it filled): shown with the results
        # and published, so a copy kept outside Charter proves the chain still reaches it.
        head_seq, head_hash = audit_head()
        Election.objects.filter(pk=locked.pk).update(
            certified_head_seq=head_seq, certified_head_hash=head_hash
        )
        audit_publish_head(reason="election")
    locked.refresh_from_db()
    return locked


# Limits against flooding the committee, not bylaws numbers (the bylaws say who may dispute
# and until when, not how much): every dispute is read and decided by a person, so one member
# cannot bury the committee in them; more can be filed once earlier ones are decided.
DISPUTE_MAX_CHARS = 10_000
DISPUTE_MAX_OPEN = 3  # open disputes per member per election


def dispute_file(*, election: Election, body: str, actor: Any) -> Dispute:
    """A member files a dispute, any time until certification (at most ``DISPUTE_MAX_OPEN`` open)."""
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("Please describe what is wrong."), code="body_required")
    if len(body) > DISPUTE_MAX_CHARS:
        raise ValidationFailed(
            _("Please say it in at most %(max)s characters.") % {"max": DISPUTE_MAX_CHARS},
            code="body_too_long",
            detail={"field": "body"},
        )
    if not Membership.objects.filter(user=actor).exists() and not actor.represented_organisations.exists():
        raise NotAllowed(_("Only members can file a dispute."), code="not_member")
    with transaction.atomic():
        locked = lock_election(election)
        if locked.state in (ElectionState.CERTIFIED, ElectionState.CANCELLED, ElectionState.DRAFT):
            raise Conflict(
                _("Disputes can be filed from nominations until certification."), code="wrong_state"
            )
        already_open = Dispute.objects.filter(
            election=locked, filed_by=actor, state=Dispute.State.OPEN
        ).count()
        if already_open >= DISPUTE_MAX_OPEN:
            raise ValidationFailed(
                _(
                    "You have %(n)s open disputes about this election: wait for a decision before filing another."
                )
                % {"n": already_open},
                code="too_many_open_disputes",
            )
        dispute = Dispute.objects.create(election=locked, filed_by=actor, body=body)
        audit_record(actor=actor, action="election.dispute_filed", obj=locked, data={"dispute": dispute.pk})
    return dispute


def dispute_decide(*, dispute: Dispute, upheld: bool, reason: str, actor: Any) -> Dispute:
    """The committee chair decides a dispute; the decision and reason are published."""
    require(
        permissions.can_decide_dispute(actor, dispute),
        _("Only the election committee chair decides disputes."),
        code="not_chair",
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("A decision needs a published reason."), code="reason_required")
    with transaction.atomic():
        lock_election(dispute.election_id)
        locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if locked.state != Dispute.State.OPEN:
            raise Conflict(_("This dispute has already been decided."), code="already_decided")
        locked.state = Dispute.State.UPHELD if upheld else Dispute.State.REJECTED
        locked.decision_reason = reason
        locked.decided_by = actor
        locked.decided_at = clock.now()
        locked.save(update_fields=["state", "decision_reason", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action="election.dispute_decided",
            obj=locked.election,
            data={"dispute": locked.pk, "state": locked.state},
        )
    return locked


# --- Published files ------------------------------------------------------------------


def export_blt(*, election: Election) -> str:
    """Anonymised ballots as BLT, identical ballots grouped with summed weight.

    Approval and plurality marks are written as equal preferences (``1=2``): recount them
    with the method the count used (the results page shows the command).
    """
    return blt_text(count_spec(election=election))


def export_csv(*, election: Election) -> str:
    """Through core.csv: a candidate's name cannot run as a spreadsheet formula."""
    return csv_of(count_spec(election=election))


def export_json(*, election: Election) -> str:
    return json_of(count_spec(election=election))


def tracker_codes(*, election: Election) -> list[str]:
    return sorted(Tracker.objects.filter(election=election).values_list("code", flat=True))

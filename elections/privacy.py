"""Elections' part of the members' data registry (core/privacy.py), registered in ``ElectionsConfig.ready()``.

Nominations, candidacies, lines on rolls and disputes. Ballots are anonymous by design (no
column links a ballot or a tracker to a voter): they are neither exported nor erased, and
stay counted. While an election is open (until it is certified, fails or is cancelled) a
person on its roll, or standing in it, cannot be forgotten: the roll's fingerprint and the
count must not change under the committee. Afterwards the name on the ballot of an election
that was voted on stays as published, so the published results and ballot files still
recount to the same result; everywhere else the pseudonym shows.

Rolls are deleted some days after certification (the dispute window) by the roll-retention
job of the ballot-secrecy work; the privacy page lists that period from the election rules.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import RuleSet
from core.privacy import (
    ORDER_ELECTIONS,
    Blocker,
    Collected,
    ErasureContext,
    Kept,
    PrivacyPart,
    RetentionRule,
    register_privacy_part,
    register_retention_rule,
)
from elections.models import (
    FINISHED_STATES,
    Ballot,
    Candidate,
    CandidateState,
    Dispute,
    Nomination,
    PendingReceipt,
    RollEntry,
)
from elections.rules import election_rules_for

ERASED_DISPUTE = gettext_lazy("[erased at the member's request]")


def export_elections(*, user: Any) -> dict[str, Any]:
    return {
        "candidacies": [
            {
                "election": c.election.title,
                "name_on_ballot": c.name,
                "state": c.state,
                "statement": c.statement,
                "employer": c.employer_name,
                "nominated_at": c.created_at,
                "accepted_at": c.accepted_at,
                "withdrawn_at": c.withdrawn_at,
            }
            for c in Candidate.objects.filter(person=user).select_related("election").order_by("created_at")
        ],
        # Who nominated whom is public (the bylaws); these are the nominations you made.
        "nominations_made": [
            {
                "election": n.election.title,
                "candidate": n.candidate.name,
                "as_member": n.nominator.number,
                "at": n.created_at,
            }
            for n in Nomination.objects.filter(nominated_by=user)
            .select_related("election", "candidate", "nominator")
            .order_by("created_at")
        ],
        # That a line was voted on, never how: ballots carry no link to anyone.
        "roll_lines": [
            {
                "election": r.election.title,
                "member_number": r.member_number,
                "class": r.class_code,
                "weight": r.weight,
                "you_are": "voter" if r.voter_id == user.pk else "alternate",
                "voted": r.has_voted,
            }
            for r in RollEntry.objects.filter(Q(voter=user) | Q(alternate=user))
            .select_related("election")
            .order_by("election__voting_opens_at", "member_number")
        ],
        "disputes_filed": [
            {
                "election": d.election.title,
                "filed_at": d.filed_at,
                "what_is_wrong": d.body,
                "state": d.state,
                "decision": d.decision_reason,
                "decided_at": d.decided_at,
            }
            for d in Dispute.objects.filter(filed_by=user).select_related("election").order_by("filed_at")
        ],
    }


def elections_blockers(*, user: Any) -> list[Blocker]:
    blockers = []
    on_roll = (
        RollEntry.objects.filter(Q(voter=user) | Q(alternate=user))
        .exclude(election__state__in=FINISHED_STATES)
        .select_related("election")
    )
    for title in sorted({entry.election.title for entry in on_roll}):
        blockers.append(
            Blocker(
                "on_open_roll",
                _("You are on the roll of “%(election)s”: wait for the election's end (its certification).")
                % {"election": title},
            )
        )
    standing = (
        Candidate.objects.filter(person=user, state__in=(CandidateState.NOMINATED, CandidateState.ACCEPTED))
        .exclude(election__state__in=FINISHED_STATES)
        .select_related("election")
    )
    for candidate in standing:
        blockers.append(
            Blocker(
                "candidate",
                _("You are a candidate in “%(election)s”: wait for the election's end.")
                % {"election": candidate.election.title},
            )
        )
    return blockers


def erase_elections(context: ErasureContext) -> dict[str, int]:
    user = context.user
    kept = renamed = 0
    for candidate in Candidate.objects.filter(person=user).select_related("election"):
        voted_on = (
            bool(candidate.election.result) or Ballot.objects.filter(election=candidate.election).exists()
        )
        if voted_on:
            # On the ballot, in the results and in the published ballot files: kept as published.
            Candidate.objects.filter(pk=candidate.pk).update(statement="")
            kept += 1
        else:
            Candidate.objects.filter(pk=candidate.pk).update(
                name=context.pseudonym, statement="", employer_name=""
            )
            renamed += 1
    disputes = Dispute.objects.filter(filed_by=user).update(body=str(ERASED_DISPUTE))
    receipts, _detail = PendingReceipt.objects.filter(user=user).delete()
    return {
        "candidacies_as_published": kept,
        "candidacies_pseudonymised": renamed,
        "disputes_erased": disputes,
        "pending_receipts_deleted": receipts,
    }


def kept_elections(rules: RuleSet) -> list[Kept]:
    return [
        Kept(
            gettext_lazy(
                "Your name on the ballot of elections that were voted on, and their published results"
            ),
            gettext_lazy(
                "Results, round-by-round counts and anonymised ballot files are published so anyone can "
                "recount; changing a name would change what they recount."
            ),
        ),
        Kept(
            gettext_lazy("Nominations you made (who nominated whom), under the pseudonym"),
            gettext_lazy("The bylaws make nominations public."),
        ),
        Kept(
            gettext_lazy(
                "Your lines on frozen rolls, under the pseudonym, until the roll retention period ends"
            ),
            gettext_lazy("A roll backs its published fingerprint while the result may still be disputed."),
        ),
    ]


def roll_retention(rules: RuleSet) -> str:
    # ``roll_retention_days`` is added to the election rules by the ballot-secrecy work.
    days = getattr(election_rules_for(rule_set=rules), "roll_retention_days", None)
    if days is None:
        return _("until the election committee deletes them after certification")
    return _("%(n)s days after certification (the dispute window)") % {"n": days}


ROLLS = RetentionRule(
    key="rolls",
    what=gettext_lazy("Frozen voter rolls (member numbers, weights, who could cast each line)"),
    period=roll_retention,
    then=gettext_lazy("Deleted; the published fingerprint and totals of each roll stay."),
    order=60,
)

PART = PrivacyPart(
    key="elections",
    label=gettext_lazy("Elections"),
    order=ORDER_ELECTIONS,
    position=50,
    collected=(
        Collected(
            gettext_lazy(
                "Nominations you made and your candidacies (name on the ballot, statement, employer)"
            ),
            gettext_lazy(
                "The bylaws make candidates and who nominated them public, and limit directors per employer."
            ),
            gettext_lazy("Everyone."),
        ),
        Collected(
            gettext_lazy(
                "Your lines on each election's roll (member number, class, weight) and whether you voted"
            ),
            gettext_lazy(
                "Voters are the members in good standing at the record date; the roll is frozen then."
            ),
            gettext_lazy(
                "You; signed-in members see numbers and weights (the roll's fingerprint); the election committee."
            ),
        ),
        Collected(
            gettext_lazy("Disputes you filed about an election"),
            gettext_lazy("The election committee's chair decides them and publishes the decision."),
            gettext_lazy("The election committee; the decision is public."),
        ),
        Collected(
            gettext_lazy(
                "Ballots: none. They are anonymous; nothing links a ballot or its tracker code to you."
            ),
            gettext_lazy("So that the published ballots can be recounted without revealing any vote."),
            gettext_lazy("Everyone sees the anonymised ballots; nobody can tell whose they are."),
        ),
    ),
    export=export_elections,
    erase=erase_elections,
    blockers=elections_blockers,
    kept=kept_elections,
)


def register() -> None:
    register_privacy_part(PART)
    register_retention_rule(ROLLS)

"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import datetime as dt

import factory
from allauth.account.models import EmailAddress
from django.db.models import Max

from core import clock
from core.models import RoleAssignment, User
from core.rules import rules_in_force
from governance.models import Decision, Meeting, MeetingStatus
from members.models import (
    CorporateGroup,
    Membership,
    MembershipClass,
    MembershipEvent,
    Organisation,
    group_name_key,
)
from members.services.transitions import membership_start_term, membership_suspend


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = "director"
    starts_at = factory.LazyFunction(lambda: clock.now() - dt.timedelta(days=30))


class CorporateGroupFactory(factory.django.DjangoModelFactory):
    """A corporate group; confirmed unless ``confirmed=False`` (a proposal the committee has not seen)."""

    class Meta:
        model = CorporateGroup

    name = factory.Sequence(lambda n: f"Example Group {n}")
    name_key = factory.LazyAttribute(lambda g: group_name_key(g.name))
    confirmed = True


class OrganisationFactory(factory.django.DjangoModelFactory):
    """An organisation in a confirmed group of its own, unless ``corporate_group`` is given.

    ``corporate_group`` may be a group or a name: a name finds (or makes, confirmed) the group
    of exactly that name, as a committee that confirmed it would have.
    """

    class Meta:
        model = Organisation

    legal_name = factory.Sequence(lambda n: f"Example Corp {n}")
    slug = factory.Sequence(lambda n: f"example-corp-{n}")
    representative = factory.SubFactory(UserFactory)
    corporate_group = factory.LazyAttribute(lambda o: group_named(o.legal_name))

    @classmethod
    def _create(cls, model_class: type[Organisation], *args: object, **kwargs: object) -> Organisation:
        if isinstance(kwargs.get("corporate_group"), str):
            kwargs["corporate_group"] = group_named(str(kwargs["corporate_group"]))
        return super()._create(model_class, *args, **kwargs)


def group_named(name: str, *, confirmed: bool = True) -> CorporateGroup:
    """The live group called exactly ``name``, created if there is none."""
    name = " ".join(name.split())
    found = CorporateGroup.objects.filter(name__iexact=name, merged_into__isnull=True).order_by("pk").first()
    return found or CorporateGroupFactory(name=name, confirmed=confirmed)


def register_decision(
    *, title: str = "A decision of the board", outcome: str = "adopted", kind: str = "ordinary"
) -> Decision:
    """A decision of the board's register, written directly (test setup, like seats)."""
    rules = rules_in_force()
    meeting = Meeting.objects.create(
        title="Board meeting",
        scheduled_at=clock.now(),
        status=MeetingStatus.HELD,
        called_by=UserFactory(),
        rule_set=rules,
    )
    number = (Decision.objects.aggregate(top=Max("number"))["top"] or 0) + 1
    return Decision.objects.create(
        number=number,
        title=title,
        text=title,
        kind=kind,
        meeting=meeting,
        rule_set=rules,
        decided_at=clock.now(),
        required_rule="a majority of the votes cast",
        in_office=3,
        present=3,
        quorum_required=2,
        quorum_present=True,
        yes=3 if outcome == "adopted" else 0,
        no=0 if outcome == "adopted" else 3,
        required_yes=2,
        outcome=outcome,
    )


def suspend_member(
    membership: Membership, *, notice_date: dt.date | None = None, reason: str = "x"
) -> Membership:
    """Suspend at once by an adopted decision of the register (the members' step, as setup)."""
    return membership_suspend(
        membership=membership,
        actor=None,
        reason=reason,
        notice_date=notice_date or clock.now().date(),
        decision_number=register_decision(title="Suspend a member").number,
    )


def as_legacy_reference(membership: Membership, reference: str) -> None:
    """Make the membership's last event look as recorded before decisions came from the register."""
    event = MembershipEvent.objects.filter(membership=membership).order_by("-at", "-id").first()
    assert event is not None
    MembershipEvent.objects.filter(pk=event.pk).update(decision_ref=reference, decision_number=None)


def membership_class(code: str) -> MembershipClass:
    return MembershipClass.objects.get(rule_set=rules_in_force(), code=code)


def make_member(
    *,
    user: User | None = None,
    organisation: Organisation | None = None,
    class_code: str = "individual",
    start: dt.datetime | None = None,
    in_directory: bool = False,
) -> Membership:
    """An active member whose term started at ``start`` (default: now), through the service."""
    if user is None and organisation is None:
        user = UserFactory()
    membership = Membership.objects.create(
        user=user, organisation=organisation, class_code=class_code, in_directory=in_directory
    )
    return membership_start_term(membership=membership, at=start or clock.now())

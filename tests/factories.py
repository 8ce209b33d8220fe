"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import datetime as dt

import factory
from allauth.account.models import EmailAddress

from core import clock
from core.models import RoleAssignment, User
from core.rules import rules_in_force
from members.models import Membership, MembershipClass, Organisation
from members.services.transitions import membership_start_term


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


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    legal_name = factory.Sequence(lambda n: f"Example Corp {n}")
    slug = factory.Sequence(lambda n: f"example-corp-{n}")
    representative = factory.SubFactory(UserFactory)


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

"""The demo foundation's people and members (fictional names, deterministic)."""

from __future__ import annotations

import datetime as dt
import functools
import random
from typing import Any, Protocol

from allauth.account.models import EmailAddress
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import decrypt
from django.contrib.auth.hashers import make_password
from django.db import transaction

from core import clock
from core.models import OutboxMessage, OutgoingEmail, Role, RoleAssignment, User
from members.models import (
    ApplicationState,
    CorporateGroup,
    Membership,
    MembershipApplication,
    Organisation,
    RepresentativeChange,
)
from members.services.groups import corporate_group_confirm, corporate_group_propose
from members.services.reminders import reminders_send_due
from members.services.transitions import (
    membership_apply_schedule,
    membership_end,
    membership_start_term,
)


class Writer(Protocol):
    """Where seeding reports progress (a management command's stdout)."""

    def write(self, msg: str) -> Any: ...


DEMO_DOMAIN = "demo.charter.invalid"
DEMO_PASSWORD = "charter-demo-2026"  # noqa: S105 - printed for the demo on purpose

# email local part, full name, roles, needs TOTP
PERSONAS: list[tuple[str, str, list[str], bool]] = [
    ("member", "Dana Okafor", [], False),
    ("secretary", "Samuel Reyes", [Role.DIRECTOR, Role.SECRETARY], True),
    ("chair", "Ingrid Solberg", [Role.DIRECTOR, Role.CHAIR], True),
    ("treasurer", "Ravi Menon", [Role.DIRECTOR, Role.TREASURER], True),
    ("committee", "Lucia Ferraro", [Role.MEMBERSHIP_COMMITTEE], True),
    ("election-chair", "Tomasz Nowak", [Role.ELECTION_COMMITTEE, Role.ELECTION_COMMITTEE_CHAIR], True),
    ("sponsor", "Mei Tanaka", [], False),
    ("admin", "Alex Admin", [Role.STAFF], True),
]

FIRST = [
    "Ada",
    "Ben",
    "Chloé",
    "Dmitri",
    "Elif",
    "Farah",
    "Gustavo",
    "Hana",
    "Ivan",
    "Jonas",
    "Kaia",
    "Liam",
    "Maya",
    "Nia",
    "Omar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
    "Xavier",
    "Yara",
    "Zeynep",
    "Aiko",
    "Bruno",
    "Carmen",
    "Diego",
    "Emeka",
    "Fatima",
    "Goran",
]
LAST = [
    "Abara",
    "Berg",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Laine",
    "Moreau",
    "Nakamura",
    "Olsen",
    "Petrov",
    "Quinn",
    "Rossi",
    "Sato",
    "Tanaka",
    "Ueda",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Adeyemi",
    "Brennan",
]

# legal name, corporate group, class code, situation. Every group is confirmed by the
# membership committee except one look-alike spelling ("Northwind Holdings, Inc."), left for
# the committee to merge into "Northwind Holdings" (its page suggests it).
LOOKALIKE_GROUP = "Northwind Holdings, Inc."
ORGANISATIONS: list[tuple[str, str, str, str]] = [
    ("Northwind Compute Inc.", "Northwind Holdings", "platinum", "active"),
    ("Acme Cloud Systems", "", "gold", "due_soon"),
    ("Bluefin Hosting GmbH", "Bluefin Group", "gold", "active"),
    ("Copperleaf Software", "", "gold", "grace"),
    ("Delta Silicon Ltd", "", "ruby", "active"),
    ("Evergreen Data Co.", LOOKALIKE_GROUP, "ruby", "active"),
    ("Fjord Networks AS", "", "ruby", "lapsed"),
    ("Granite Labs", "", "silver", "active"),
    ("Harbor Mirrors Ltd", "", "silver", "active"),
    ("Ironbark Research", "", "silver", "lapsed"),
    ("Juniper Edge", "", "silver", "active"),
    ("Kestrel University Mirror", "", "mirror", "active"),
]


def demo_group(name: str, *, confirmed: bool = True) -> CorporateGroup:
    """A corporate group of the demo, proposed and (unless ``confirmed=False``) confirmed
    through the services, as the membership committee would."""
    group = corporate_group_propose(name=name, actor=None)
    if confirmed and not group.confirmed:
        group = corporate_group_confirm(group=group, actor=None, despite_lookalike=True)
    return group


@functools.cache
def _demo_password_hash() -> str:
    # Hashing is deliberately slow; every demo login shares one password, so hash it once.
    return make_password(DEMO_PASSWORD)


# How far back the demo foundation's history goes.
DEMO_HISTORY_DAYS = 400


def _user(local: str, name: str) -> User:
    email = f"{local}@{DEMO_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create(email=email, password=_demo_password_hash(), full_name=name)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def seed_people(*, stdout: Writer) -> dict[str, User]:
    """The named demo logins, their roles and (for privileged ones) a TOTP secret."""
    people: dict[str, User] = {}
    # Offices start before the governance demo's history (395 days back), so the officers
    # may act in its meetings: services check that the actor holds the role at that moment.
    office_start = clock.now() - dt.timedelta(days=DEMO_HISTORY_DAYS)
    for local, name, roles, totp in PERSONAS:
        user = _user(local, name)
        if local == "admin" and not user.is_superuser:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        for role in roles:
            if not RoleAssignment.objects.filter(user=user, role=role).exists():
                RoleAssignment.objects.create(user=user, role=role, starts_at=office_start)
        if totp and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, generate_totp_secret())
        people[local] = user
    return people


def _start(membership: Membership, *, days_ago: int) -> Membership:
    return membership_start_term(membership=membership, at=clock.now() - dt.timedelta(days=days_ago))


def seed_members(*, stdout: Writer, people: dict[str, User]) -> None:
    """About 200 individuals and 12 organisations in every state, applications, reminders."""
    if Membership.objects.filter(user=people["member"]).exists():
        stdout.write("  members: already seeded\n")
        return
    rng = random.Random(2026)
    term = 365
    with transaction.atomic():
        # The named logins.
        for local in ("member", "secretary", "chair", "treasurer", "committee", "election-chair", "sponsor"):
            m = Membership.objects.create(user=people[local], class_code="individual", in_directory=True)
            _start(m, days_ago=rng.randint(40, 300))
        # About 200 individuals: most active, some expiring soon, in grace, lapsed, suspended, ended.
        for i in range(193):
            name = f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]}"
            user = _user(f"member{i:03d}", name)
            code = "mirror" if i % 40 == 0 else "individual"
            m = Membership.objects.create(
                user=user,
                class_code=code,
                in_directory=rng.random() < 0.6,
                mirror_url=f"https://mirror{i}.example.net/" if code == "mirror" else "",
            )
            roll = i % 20
            if roll < 13:
                _start(m, days_ago=rng.randint(5, 330))  # active
            elif roll < 15:
                _start(m, days_ago=term - rng.randint(2, 25))  # expiring within a month
            elif roll < 17:
                _start(m, days_ago=term + rng.randint(1, 20))  # in grace after the schedule runs
            elif roll < 19:
                _start(m, days_ago=term + rng.randint(60, 200))  # lapsed
            else:
                _start(m, days_ago=rng.randint(30, 200))
                if i % 3 == 0:
                    pass  # suspended by a decision of the board's register (demo/governance.py)
                else:
                    membership_end(membership=m, actor=user, reason="Left the foundation")
        # Organisations.
        for k, (legal, group, code, situation) in enumerate(ORGANISATIONS):
            rep = (
                people["sponsor"]
                if situation == "due_soon"
                else _user(f"rep{k:02d}", f"{FIRST[k + 3]} {LAST[k + 5]}")
            )
            org = Organisation.objects.create(
                legal_name=legal,
                slug=legal.lower().replace(" ", "-").replace(".", "").replace(",", ""),
                corporate_group=demo_group(group or legal, confirmed=group != LOOKALIKE_GROUP),
                website=f"https://{legal.split()[0].lower()}.example.com/",
                billing_contact_name=str(rep),
                billing_contact_email=rep.email,
                billing_address=f"{100 + k} Example Street\nSpringfield",
                representative=rep,
            )
            org.admins.add(rep)
            RepresentativeChange.objects.create(
                organisation=org,
                role="representative",
                user=rep,
                changed_at=clock.now() - dt.timedelta(days=400),
            )
            m = Membership.objects.create(organisation=org, class_code=code, in_directory=True)
            days_ago = {
                "active": rng.randint(30, 200),
                "due_soon": term - 20,
                "grace": term + 10,
                "lapsed": term + 120,
            }[situation]
            _start(m, days_ago=days_ago)
        membership_apply_schedule()
        # A queue of applications for the membership committee.
        for i in range(8):
            applicant = _user(f"applicant{i}", f"{FIRST[(i + 11) % len(FIRST)]} {LAST[(i + 3) % len(LAST)]}")
            is_org = i >= 6
            MembershipApplication.objects.create(
                applicant=applicant,
                class_code="silver" if is_org else ("mirror" if i == 5 else "individual"),
                statement="I maintain packages for the distribution and want a say in its future.",
                mirror_url="https://mirror.applicant.example.net/" if i == 5 else "",
                legal_name=f"Applicant Org {i}" if is_org else "",
                legal_name_key=f"applicant org {i}" if is_org else "",
                website="https://applicant.example.com/" if is_org else "",
                billing_contact_name=str(applicant) if is_org else "",
                billing_contact_email=applicant.email if is_org else "",
                representative_email=applicant.email if is_org else "",
                state=ApplicationState.SUBMITTED,
                submitted_at=clock.now() - dt.timedelta(days=8 - i),
            )
        # Reminders, sent by the real job (as if it ran three days ago); then what the mail
        # server said: most accepted, some refused, some bounced later.
        reminders_send_due(at=clock.now() - dt.timedelta(days=3))
        outcomes = [OutgoingEmail.Status.SENT, OutgoingEmail.Status.REFUSED, OutgoingEmail.Status.BOUNCED]
        emails = OutgoingEmail.objects.filter(purpose="membership.reminder").order_by("to")
        for n, email in enumerate(emails):
            email.status = outcomes[n % 3]
            email.sent_at = email.created_at
            email.error = "" if email.status == OutgoingEmail.Status.SENT else "550 5.1.1 mailbox unavailable"
            email.bounced_at = email.created_at if email.status == OutgoingEmail.Status.BOUNCED else None
            email.save()
        # Their delivery is recorded above: the outbox must not send them again.
        OutboxMessage.objects.filter(task_name="core.send_email", sent_at__isnull=True).update(
            sent_at=clock.now()
        )
    stdout.write(
        f"  members: {Membership.objects.count()} memberships, {Organisation.objects.count()} organisations\n"
    )


# The individual members the board suspends in the governance demo (by a decision of its register).
SUSPENDED_MEMBERS = [f"member{i:03d}@{DEMO_DOMAIN}" for i in range(193) if i % 20 == 19 and i % 3 == 0]


def demo_logins() -> list[dict[str, Any]]:
    """What `make run` prints: each demo login, its roles and its TOTP URI."""
    rows = []
    for local, name, roles, _totp in PERSONAS:
        user = User.objects.filter(email=f"{local}@{DEMO_DOMAIN}").first()
        if user is None:
            continue
        uri = ""
        auth = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if auth is not None:
            uri = get_adapter().build_totp_url(user, decrypt(auth.data["secret"]))
        rows.append({"email": user.email, "name": name, "roles": [str(r) for r in roles], "totp": uri})
    return rows

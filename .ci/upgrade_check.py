"""After an upgrade (.ci/upgrade-test): the data made by the old code is readable and the
demo's pages answer 200 under the new code.

Run from the project root against the upgraded database (DATABASE_URL). Only URL paths,
app labels and the demo's logins are used, never module paths, so the check survives
code moving between modules.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
# WhiteNoise warns that collectstatic has not run; pages do not need it here.
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from tests.auth import sign_in  # noqa: E402

DEMO = "demo.charter.invalid"
failures: list[str] = []


def check(condition: bool, what: str) -> None:
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def client_for(login: str | None, *, second_factor: bool = False) -> Client:
    client = Client()
    if login is None:
        return client
    user = get_user_model().objects.get(email=f"{login}@{DEMO}")
    # The same sign-in the test suite uses: what allauth records after a password (and a code).
    sign_in(client, user, second_factor=second_factor)
    return client


def get_200(client: Client, who: str, path: str, *, follow: bool = False) -> None:
    response = client.get(path, follow=follow)
    hops = "".join(f" -> {url}" for url, _ in getattr(response, "redirect_chain", []))
    check(response.status_code == 200, f"{who:<16} GET {path}{hops} -> {response.status_code}")


# The data: rows the old code wrote, read through the models where they live now.
RuleSet = apps.get_model("core", "RuleSet")
RoleAssignment = apps.get_model("core", "RoleAssignment")
AuditEntry = apps.get_model("core", "AuditEntry")
Election = apps.get_model("elections", "Election")
Minutes = apps.get_model("governance", "Minutes")
Decision = apps.get_model("governance", "Decision")
Policy = apps.get_model("governance", "Policy")
check(RuleSet.objects.exists(), "core.RuleSet (table governance_ruleset) has the old rule sets")
check(RoleAssignment.objects.exists(), "core.RoleAssignment has the old role assignments")
check(AuditEntry.objects.count() > 100, f"the audit chain kept its {AuditEntry.objects.count()} entries")
check(Election.objects.count() >= 3, "the demo's elections are there")

anonymous = client_for(None)
public = [
    "/",
    "/members/",
    "/governance/",
    "/governance/board/",
    "/governance/board/history/",
    "/governance/committees/",
    "/governance/minutes/",
    "/governance/decisions/",
    "/governance/policies/",
    "/governance/rules/",
    "/governance/statistics/",
    "/governance/changes/",
    "/elections/",
    "/api/v1/rule-sets/",
    "/api/v1/board/",
    "/api/v1/elections/",
    "/api/v1/audit/head/",
]
public += [f"/elections/{slug}/" for slug in Election.objects.values_list("slug", flat=True)]
public += [
    f"/elections/{slug}/results/"
    for slug in Election.objects.filter(state="certified").values_list("slug", flat=True)
]
published = Minutes.objects.filter(status="published").order_by("-number")
public += [f"/governance/minutes/{n}/" for n in published.values_list("number", flat=True)[:3]]
public += [f"/governance/decisions/{n}/" for n in Decision.objects.values_list("number", flat=True)[:3]]
public += [f"/governance/policies/{slug}/" for slug in Policy.objects.values_list("slug", flat=True)]
for path in public:
    get_200(anonymous, "anonymous", path)

member = client_for("member")
for path in ["/dashboard/", "/members/membership/", "/settings/tokens/"]:
    get_200(member, "member", path)
for slug in Election.objects.filter(state__in=["voting", "extended"]).values_list("slug", flat=True):
    get_200(member, "member", f"/elections/{slug}/ballot/")

# /billing/ sends a sponsor's representative on to their organisation's page.
get_200(client_for("sponsor"), "sponsor", "/billing/", follow=True)

# Roles moved tables: each privileged login still opens its pages.
privileged = {
    "secretary": ["/dashboard/", "/manage/governance/"],
    "committee": ["/dashboard/", "/manage/members/"],
    "treasurer": ["/dashboard/", "/manage/billing/"],
    "election-chair": ["/dashboard/", "/manage/elections/"],
}
for login, paths in privileged.items():
    client = client_for(login, second_factor=True)
    for path in paths:
        get_200(client, login, path)

if failures:
    print(f"\n{len(failures)} check(s) failed after the upgrade:", *failures, sep="\n  ")
    sys.exit(1)
print("\nEvery check passed after the upgrade.")

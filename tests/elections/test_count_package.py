"""The count package: every method and option recounts to the recorded result from the package
alone; the command the results page shows is the one that does it; ballots withheld by the
rule set go to observers only; a count over its time budget leaves the election "counting"."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import io
import json
import re
import subprocess
import sys
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from core import clock as core_clock
from core.errors import ValidationFailed
from core.jws import published_keys
from core.models import AuditEntry
from core.services.api_tokens import signing_key_rotate
from elections.counting import parse_blt
from elections.counting.package import check_package, read_package
from elections.models import Candidate, CountPackage, ElectionRules, ElectionState
from elections.services.ballots import ballot_cast
from elections.services.nominations import candidate_accept, candidate_withdraw, nomination_create
from elections.services.packages import ballots_withheld
from elections.services.results import election_count, election_recount, export_blt
from tests.auth import sign_in
from tests.elections.conftest import entry_for
from tests.factories import OrganisationFactory, RoleFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent

METHODS = ["meek", "scottish", "wigm", "schulze", "irv", "approval", "plurality"]
RANKED = {"meek", "scottish", "wigm", "schulze", "irv"}


def _vote(election, voter, picks):
    entry = entry_for(election, voter).pk
    if election.is_ranked:
        return ballot_cast(
            election=election,
            voter=voter,
            roll_entry_id=entry,
            ranks={c.pk: i for i, c in enumerate(picks, 1)},
        )
    return ballot_cast(election=election, voter=voter, roll_entry_id=entry, marks=[c.pk for c in picks])


def _scenario(elections, method):
    """Four candidates (Ada and Bob from one corporate group, Cy withdraws after ballots are
    cast), ties, and 2 seats (1 for IRV)."""
    seats = 1 if method == "irv" else 2
    extra = {"approval_max_marks": 3} if method == "approval" else {}
    election = elections.create(method=method, seats=seats, **extra)
    elections.open_nominations(election)
    corp = OrganisationFactory(corporate_group="MegaCorp")
    ada = elections.stand(election, name="Ada", employer=corp)
    bob = elections.stand(election, name="Bob", proposed_employer="megacorp")  # a look-alike of MegaCorp
    cy = elections.stand(election, name="Cy")
    di = elections.stand(election, name="Di")
    voters = [elections.member() for _ in range(6)]
    election = elections.open_voting(election)
    if method in RANKED:
        picks = [[ada, bob, cy], [bob, ada], [di, ada], [cy, di], [di, bob], [ada, di]]
    else:
        picks = [[ada, bob], [bob], [di], [cy, di], [di], [ada]]
    for voter, pick in zip(voters, picks, strict=True):
        _vote(election, voter, pick)
    candidate_withdraw(candidate=cy, actor=cy.person)
    return elections.close(election)


def _package(election) -> CountPackage:
    return CountPackage.objects.get(election=election, version=election.result["package"]["version"])


@pytest.mark.parametrize("method", METHODS)
def test_every_method_with_withdrawn_candidates_ties_and_the_group_cap_recounts_from_its_package(
    elections, method
):
    election = _scenario(elections, method)
    assert election.state == ElectionState.COUNTED
    package = _package(election)
    check = check_package(bytes(package.data))
    assert check.ok, check.lines
    assert check.recount.elected == election.result["elected"]
    record = json.loads(read_package(bytes(package.data)).files["count.json"])
    options = record["count"]
    assert options["withdrawn"] == ["Cy"]
    assert options["tie_seed"] == election.tie_seed and options["tie_order"] == election.result["tie_order"]
    # Ada's employer and Bob's look-alike spelling are one corporate group for the cap.
    assert set(options["groups"]) == {"Ada", "Bob"} and options["max_per_group"] == 1
    assert len(set(options["groups"].values())) == 1
    assert options["method"] == ("approval" if method == "plurality" else method)
    assert len({"Ada", "Bob"} & set(election.result["elected"])) <= 1  # the cap held
    assert record["roll"]["fingerprint"] == election.roll_fingerprint
    assert record["trackers"]["count"] == 6


def test_the_package_is_signed_hashed_and_its_hash_is_in_the_audit_chain(elections):
    election = _scenario(elections, "meek")
    package = _package(election)
    entry = AuditEntry.objects.get(action="election.counted")
    assert entry.data["package_sha256"] == hashlib.sha256(bytes(package.data)).hexdigest() == package.sha256
    files = read_package(bytes(package.data)).files
    assert set(files) == {
        "README.txt",
        "ballots.blt",
        "count.json",
        "result.json",
        "report.txt",
        "trackers.txt",
        "manifest.json",
        "manifest.jws",
        "public-key.jwk.json",
    }
    assert entry.data["ballots_sha256"] == hashlib.sha256(files["ballots.blt"]).hexdigest()


def test_a_tampered_package_fails_and_the_command_exits_non_zero(elections, tmp_path):
    election = _scenario(elections, "scottish")
    files = read_package(bytes(_package(election).data)).files
    files["ballots.blt"] = files["ballots.blt"].replace(b"\n1 ", b"\n2 ", 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    path = tmp_path / "tampered.zip"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(CommandError):
        call_command("count_ballots", "--package", str(path), stdout=StringIO())
    tool = subprocess.run(
        [sys.executable, "-m", "elections.counting", "--package", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert tool.returncode == 1 and "does not reproduce its recorded result" in tool.stderr
    assert "ballots.blt does not match" in "\n".join(check_package(buffer.getvalue()).lines)


def test_two_seat_plurality_recounts_with_the_rules_it_was_counted_with(elections, client, tmp_path):
    # The example: marks "A and B" x3 and "C" x2 for two seats. Counted as a block vote
    # (each mark worth the ballot's weight) it elects A and B; --method plurality would not.
    election, (a, b, c), voters = elections.voting(
        candidates=["A", "B", "C"], method="plurality", seats=2, voters=5
    )
    for voter in voters[:3]:
        _vote(election, voter, [a, b])
    for voter in voters[3:]:
        _vote(election, voter, [c])
    election = elections.close(election)
    ElectionRules.objects.filter(rule_set=election.rule_set).update(ballot_publication="always")
    assert sorted(election.result["elected"]) == ["A", "B"] and election.result["count_method"] == "approval"
    page = client.get(f"/elections/{election.slug}/results/").content.decode()
    command = re.search(r"<code data-recount-command>([^<]*)</code>", page).group(1)
    assert "--method plurality" not in command
    response = client.get(f"/elections/{election.slug}/files/count-package.zip")
    name = re.search(r'filename="([^"]+)"', response["Content-Disposition"]).group(1)
    assert command == f"python manage.py count_ballots --package {name}"
    (tmp_path / name).write_bytes(response.content)
    out = StringIO()
    args = command.split()[3:]  # after "python manage.py count_ballots"
    args[args.index("--package") + 1] = str(tmp_path / name)
    call_command("count_ballots", *args, stdout=out)
    assert "RESULT: the recount equals the recorded result" in out.getvalue()
    assert f"elected {', '.join(election.result['elected'])}." in out.getvalue()
    # The same recount without Django: the standalone tool prints the same and exits 0.
    tool = subprocess.run(
        [sys.executable, "-m", "elections.counting", *args], cwd=ROOT, capture_output=True, text=True
    )
    assert tool.returncode == 0 and tool.stdout == out.getvalue()
    # The ballot fingerprint names the BLT file as its download is called, and is its hash.
    blt = client.get(f"/elections/{election.slug}/files/ballots.blt")
    blt_name = re.search(r'filename="([^"]+)"', blt["Content-Disposition"]).group(1)
    fingerprint = hashlib.sha256(blt.content).hexdigest()
    assert f"SHA-256 of {blt_name}," in page
    assert f"<code>{fingerprint}</code>" in page


def test_a_recount_by_the_committee_writes_the_next_version_and_the_page_offers_it(
    elections, run_jobs, client
):
    election = _scenario(elections, "wigm")
    committee = RoleFactory(role="election_committee").user
    election_recount(election=election, actor=committee)
    run_jobs()
    election.refresh_from_db()
    assert list(CountPackage.objects.filter(election=election).values_list("version", flat=True)) == [2, 1]
    first, second = CountPackage.objects.get(election=election, version=1), _package(election)
    assert first.manifest["files"]["ballots.blt"] == second.manifest["files"]["ballots.blt"]
    response = client.get(f"/elections/{election.slug}/files/count-package.zip")
    assert response.content == bytes(second.data)
    assert f"{election.slug}-count-v2.zip" in response["Content-Disposition"]


def test_keys_that_signed_packages_stay_published_after_rotation(elections, clock):
    election = _scenario(elections, "irv")
    package = _package(election)
    signing_key_rotate(actor=None)
    clock.set(core_clock.now() + dt.timedelta(days=400))
    keys = {"keys": published_keys()}
    assert package.kid in [k["kid"] for k in keys["keys"]]
    assert check_package(bytes(package.data), jwks=keys).ok


def test_with_ballots_withheld_the_public_sees_the_manifest_and_observers_recount(elections, client):
    election = _scenario(elections, "meek")
    ElectionRules.objects.filter(rule_set=election.rule_set).update(ballot_publication="never")
    package = _package(election)
    for kind in ("ballots.blt", "ballots.csv", "ballots.json", "count-package.zip"):
        assert client.get(f"/elections/{election.slug}/files/{kind}").status_code == 404, kind
    manifest = client.get(f"/elections/{election.slug}/files/manifest.json").json()
    assert manifest["files"]["ballots.blt"] == package.ballots_sha256
    page = client.get(f"/elections/{election.slug}/results/").content.decode()
    assert package.ballots_sha256 in page and "data-recount-command" not in page
    observer = RoleFactory(role="election_observer").user
    sign_in(client, observer)
    assert client.get(f"/manage/elections/{election.slug}/packages/1.zip").content == bytes(package.data)
    page = client.post(f"/manage/elections/{election.slug}/packages/", {"version": 1}).content.decode()
    assert "the recount equals the recorded result" in page


def test_ballots_are_withheld_when_a_class_that_voted_is_below_the_minimum(elections):
    election = _scenario(elections, "meek")
    rules = ElectionRules.objects.get(rule_set=election.rule_set)
    assert rules.ballot_publication == "class_minimum"
    assert ballots_withheld(election) == any(
        0 < f["voted_rows"] < rules.turnout_min_class_size for f in election.turnout["by_class"].values()
    )
    ElectionRules.objects.filter(pk=rules.pk).update(turnout_min_class_size=1)
    assert not ballots_withheld(election)
    ElectionRules.objects.filter(pk=rules.pk).update(ballot_publication="always", turnout_min_class_size=99)
    assert not ballots_withheld(election)


def test_a_count_over_its_time_budget_leaves_the_close_committed_in_counting_and_finishes_in_its_job(
    elections, client, run_jobs
):
    election, (ada, bob), voters = elections.voting(candidates=["Ada", "Bob"], voters=3)
    for voter in voters:
        _vote(election, voter, [ada, bob])
    election = elections.close(election, count=False)
    assert election.state == ElectionState.COUNTING  # the close committed; the count is a job
    assert "being counted" in client.get(f"/elections/{election.slug}/").content.decode()
    assert client.get(f"/api/v1/elections/{election.slug}/results/").json()["code"] == "results_counting"

    assert "time budget" in election_count(election_id=election.pk, budget_seconds=0)
    election.refresh_from_db()
    assert election.state == ElectionState.COUNTING and "time budget" in election.count_message
    assert not CountPackage.objects.filter(election=election).exists()
    committee = RoleFactory(role="election_committee").user
    sign_in(client, committee)
    assert "time budget" in client.get(f"/manage/elections/{election.slug}/").content.decode()

    election_recount(election=election, actor=committee)  # restart once the budget allows
    run_jobs()
    election.refresh_from_db()
    assert election.state == ElectionState.COUNTED and election.result["elected"] == ["Ada"]


def test_the_fallback_fixed_in_the_rules_counts_when_the_method_runs_out_of_time(elections):
    election, (ada, bob), voters = elections.voting(candidates=["Ada", "Bob"], voters=3)
    ElectionRules.objects.filter(rule_set=election.rule_set).update(count_fallback_method="scottish")
    for voter in voters:
        _vote(election, voter, [bob, ada])
    election = elections.close(election, count=False)
    election_count(election_id=election.pk, budget_seconds=0)
    election.refresh_from_db()
    assert election.state == ElectionState.COUNTED and election.result["elected"] == ["Bob"]
    assert election.result["count_method"] == "scottish"
    record = json.loads(read_package(bytes(_package(election).data)).files["count.json"])
    assert record["count"]["fallback_used"] and record["count"]["method"] == "scottish"
    assert check_package(bytes(_package(election).data)).ok


def test_a_name_with_a_double_quote_cannot_be_nominated(elections):
    election = elections.create()
    elections.open_nominations(election)
    nominee = elections.member(name='Ana "Q" Smith')
    nominator = elections.member()
    with pytest.raises(ValidationFailed) as exc:
        nomination_create(
            election=election, nominator=nominator.memberships.get(), nominee=nominee, actor=nominator
        )
    assert exc.value.code == "name_not_on_ballot"


def test_the_csv_and_json_exports_carry_seats_withdrawn_candidates_and_the_tie_seed(elections, client):
    election = _scenario(elections, "meek")
    ElectionRules.objects.filter(rule_set=election.rule_set).update(ballot_publication="always")
    csv_text = client.get(f"/elections/{election.slug}/files/ballots.csv").content.decode()
    assert "seats,2" in csv_text and f"tie_seed,{election.tie_seed}" in csv_text
    assert "candidate,Cy,withdrawn" in csv_text and "candidate,Ada,standing" in csv_text
    data = client.get(f"/elections/{election.slug}/files/ballots.json").json()
    assert data["seats"] == 2 and data["tie_seed"] == election.tie_seed and data["withdrawn"] == ["Cy"]
    assert {"name": "Cy", "withdrawn": True} in data["candidates"]


def test_unicode_and_backslash_names_survive_the_published_blt(elections):
    election = elections.create(method="meek", seats=1)
    elections.open_nominations(election)
    names = ["Bo \\ Back", "Zoë Ünal", "李小龙"]
    for name in names:
        person = UserFactory(full_name=name)
        make_member(user=person, start=core_clock.now() - dt.timedelta(days=200))
        nominator = elections.member()
        nomination_create(
            election=election, nominator=nominator.memberships.get(), nominee=person, actor=nominator
        )
        candidate_accept(
            candidate=Candidate.objects.get(election=election, person=person),
            statement="I will serve.",
            employer=None,
            independent=True,
            actor=person,
        )
    voters = [elections.member() for _ in range(2)]
    election = elections.open_voting(election)
    cands = {c.name: c for c in Candidate.objects.filter(election=election)}
    _vote(election, voters[0], [cands["李小龙"], cands["Bo \\ Back"]])
    _vote(election, voters[1], [cands["Zoë Ünal"]])
    election = elections.close(election)
    parsed = parse_blt(export_blt(election=election))
    assert sorted(parsed.candidates) == sorted(names)
    assert "Bo \\\\ Back" not in export_blt(election=election)
    assert check_package(bytes(_package(election).data)).ok


def test_count_ballots_applies_the_anti_capture_rule_from_its_options(tmp_path):
    blt = tmp_path / "capture.blt"
    blt.write_text('4 2\n12 1 2 0\n11 2 1 0\n5 3 4 0\n3 4 3 0\n0\n"A1"\n"A2"\n"B"\n"C"\n"Capture"\n')
    groups = tmp_path / "groups.json"
    groups.write_text(json.dumps({"A1": "acme", "A2": "acme"}))

    def run(*extra):
        out = StringIO()
        call_command("count_ballots", str(blt), "--method", "meek", *extra, stdout=out)
        return json.loads(out.getvalue())["elected"]

    assert set(run()) == {"A1", "A2"}
    assert set(run("--groups", str(groups), "--max-per-group", "1")) == {"A1", "B"}
    assert set(run("--groups", str(groups), "--max-per-group", "1", "--sitting", "acme=1")) == {"B", "C"}


def test_the_data_migration_repairs_names_blt_cannot_carry():
    migration = importlib.import_module("elections.migrations.0008_candidate_names_without_quotes")
    assert migration.repair('Ana "Q"\nSmith') == "Ana 'Q' Smith"
    assert migration.repair("Bo \\ Back") == "Bo \\ Back"


def test_the_results_page_and_the_report_print_plain_figures(elections, client):
    """Meek counts in 18 decimals; people read "3", not "3.000000000000000000", and "1.5"
    rather than "1.500000000000000000" (the JSON record keeps the exact text)."""
    election, (a, b, c), voters = elections.voting(
        candidates=["A", "B", "C"], method="meek", seats=2, voters=5
    )
    for voter, pick in zip(voters, [[a, b], [a, b], [a, c], [b], [c]], strict=True):
        _vote(election, voter, pick)
    election = elections.close(election)
    assert election.result["rounds"][0]["votes"]["A"] == "3.000000000000000000"
    page = client.get(f"/elections/{election.slug}/results/").content.decode()
    table = page[page.index("<tbody>") : page.index("</tbody>")]
    assert "A: 3;" in table and "B: 1;" in table
    assert not re.search(r"\d\.\d*0\b", table)
    chart = page[page.index("<svg") : page.index("</svg>")]
    titles = re.findall(r"<title>([^<]*)</title>", chart)
    assert "A: 3" in titles and not any(re.search(r"\d\.\d*0\b", t) for t in titles)
    report = client.get(f"/elections/{election.slug}/files/report.txt").content.decode()
    assert re.search(r"^  A +3$", report, re.M)
    assert not re.search(r"\d\.\d*0\b", report)

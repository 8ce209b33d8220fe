"""The count package: one signed archive with everything needed to recount an election.

Plain Python plus PyJWT and cryptography (no Django, nothing of Charter), so that
``manage.py count_ballots --package`` and any standalone counter can verify and recount a
package with the same code. Charter builds packages with ``build_package``; anybody checks
one with ``check_package`` (signature, hashes, recount, comparison).

Layout (a zip archive; every name is at the top level):

``ballots.blt``
    the anonymised ballots: identical ballots grouped, exact weights, withdrawn candidates
    on the ``-n`` line; approval and plurality marks as equal preferences (``1=2``).
``count.json``
    the canonical record: the method actually used and every option (seats, withdrawn
    candidates, tie seed and the tie order derived from it, group map, group cap, sitting
    directors per group, the fallback method and whether it was used), the roll's
    fingerprint and totals, the turnout, and the elected.
``result.json``, ``report.txt``
    the full count, round by round, as JSON and as text.
``trackers.txt``
    every receipt code, sorted.
``README.txt``
    what the files are and the command that recounts them.
``manifest.json``
    the SHA-256 of every file above, the election and the package version.
``manifest.jws``
    the manifest signed as a compact JWS (EdDSA, Ed25519) with the foundation's key; no
    expiry: a count stays verifiable for ever.
``public-key.jwk.json``
    the public key that signed it (also listed, for ever, at ``/.well-known/jwks.json``).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import jwt

from . import count
from .common import Deadline
from .model import CountError, CountResult, Election
from .parse import blt_name_problem, parse_blt

FORMAT = "charter-count-package/1"
ALGORITHM = "EdDSA"
BALLOTS = "ballots.blt"
COUNT = "count.json"
RESULT = "result.json"
REPORT = "report.txt"
TRACKERS = "trackers.txt"
README = "README.txt"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.jws"
KEY = "public-key.jwk.json"
UNSIGNED = (MANIFEST, SIGNATURE, KEY)
MAX_BYTES = 512 * 1024 * 1024  # refuse archives that unpack to more (a zip bomb)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class PackageError(ValueError):
    """The package is unreadable, tampered with, or signed by an unknown key."""


def canonical_json(data: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the same bytes for the same data, everywhere."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- BLT -------------------------------------------------------------------------------


def write_blt(election: Election, *, equal: bool = False) -> str:
    """``election`` as BLT, candidates numbered in its order; ``equal`` writes each ballot's
    choices as one level of equal preferences (approval and plurality marks).

    BLT has no escapes, so a name with a double quote or a control character cannot be
    written: that raises ``CountError`` (Charter refuses such names at nomination). The title
    is free text: its double quotes become single quotes and its line breaks spaces.
    """
    for name in election.candidates:
        problem = blt_name_problem(name)
        if problem:
            raise CountError(f"candidate name {name!r} {problem}: it cannot be written in BLT")
    number = {c: i for i, c in enumerate(election.candidates, 1)}
    lines = [f"{len(election.candidates)} {election.seats}"]
    withdrawn = [number[c] for c in election.candidates if c in election.withdrawn]
    if withdrawn:
        lines.append(" ".join(f"-{i}" for i in withdrawn))
    for weight, ranking in election.ballots:
        w = Fraction(weight)
        text = str(w.numerator) if w.denominator == 1 else f"{w.numerator}/{w.denominator}"
        levels = ["=".join(str(number[c]) for c in level) for level in ranking if level]
        if equal and levels:
            levels = ["=".join(levels)]
        lines.append(" ".join([text, *levels, "0"]))
    lines.append("0")
    lines.extend(f'"{name}"' for name in election.candidates)
    title = "".join(" " if ch in "\r\n\t" else ch for ch in election.title).replace('"', "'")
    title = "".join(ch for ch in title if blt_name_problem(ch) is None or ch == " ")
    lines.append(f'"{title}"')
    return "\n".join(lines) + "\n"


# --- Building --------------------------------------------------------------------------


def readme_text(*, slug: str, version: int, package_name: str) -> str:
    return (
        f"Count package {version} of election {slug}\n\n"
        "Everything needed to recount this election: the ballots (ballots.blt), the method\n"
        "and every option used (count.json), the result round by round (result.json,\n"
        "report.txt), the receipt codes (trackers.txt), and a manifest of SHA-256 hashes\n"
        "(manifest.json) signed by the foundation (manifest.jws, key in public-key.jwk.json).\n\n"
        "To check the signature and the hashes and recount with the recorded options:\n\n"
        f"    python manage.py count_ballots --package {package_name}\n\n"
        "Add --jwks jwks.json to check the signature against the foundation's published key\n"
        "set (/.well-known/jwks.json) instead of the key inside the package.\n"
    )


def build_package(
    files: Mapping[str, bytes],
    *,
    slug: str,
    version: int,
    created_at: str,
    sign: Callable[[dict[str, Any]], tuple[str, dict[str, Any]]],
) -> tuple[bytes, dict[str, Any], str]:
    """Zip ``files`` with their signed manifest: ``(archive bytes, manifest, JWS)``.

    ``sign(claims)`` returns a compact JWS of ``claims`` and the public JWK that verifies
    it. The archive is deterministic (fixed times, sorted names) for the same input.
    """
    bad = [name for name in files if name in UNSIGNED or "/" in name or "\\" in name]
    if bad:
        raise CountError(f"reserved or nested file names in a package: {bad}")
    manifest = {
        "format": FORMAT,
        "election": slug,
        "version": version,
        "created_at": created_at,
        "files": {name: sha256(data) for name, data in sorted(files.items())},
    }
    token, jwk = sign(manifest)
    contents = dict(files)
    contents[MANIFEST] = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False).encode() + b"\n"
    contents[SIGNATURE] = token.encode("ascii") + b"\n"
    contents[KEY] = json.dumps(jwk, indent=2, sort_keys=True).encode() + b"\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(contents, key=lambda n: (n != README, n)):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, contents[name])
    return buffer.getvalue(), manifest, token


# --- Reading and verifying ----------------------------------------------------------------


@dataclass
class Package:
    files: dict[str, bytes]

    def text(self, name: str) -> str:
        if name not in self.files:
            raise PackageError(f"the package has no {name}")
        try:
            return self.files[name].decode("utf-8")
        except UnicodeDecodeError:
            raise PackageError(f"{name} is not UTF-8 text") from None

    def json(self, name: str) -> Any:
        try:
            return json.loads(self.text(name))
        except json.JSONDecodeError as exc:
            raise PackageError(f"{name} is not valid JSON ({exc.msg}, line {exc.lineno})") from None


def read_package(data: bytes) -> Package:
    """Unzip a package (flat, bounded in size); raises ``PackageError``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise PackageError("not a zip archive") from None
    files: dict[str, bytes] = {}
    total = 0
    with archive:
        for info in archive.infolist():
            if info.is_dir() or "/" in info.filename or "\\" in info.filename or info.filename in files:
                raise PackageError(f"unexpected entry {info.filename!r} in the package")
            total += info.file_size
            if total > MAX_BYTES:
                raise PackageError("the package unpacks to more than 512 MiB")
            try:
                files[info.filename] = archive.read(info)
            except (zipfile.BadZipFile, OSError) as exc:
                raise PackageError(f"{info.filename}: {exc}") from None
    return Package(files)


@dataclass
class Verification:
    kid: str
    key_source: str  # "embedded" or "key set"
    manifest: dict[str, Any]


def verify_package(package: Package, jwks: Mapping[str, Any] | None = None) -> Verification:
    """Check the signature (against ``jwks`` when given, else the embedded key) and every hash."""
    token = package.text(SIGNATURE).strip()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise PackageError(f"{SIGNATURE} is not a JWS ({exc})") from None
    kid = header.get("kid", "")
    if header.get("alg") != ALGORITHM:
        raise PackageError(f"{SIGNATURE} is not signed with {ALGORITHM}")
    if jwks is not None:
        jwk = next((k for k in jwks.get("keys", []) if k.get("kid") == kid), None)
        if jwk is None:
            raise PackageError(f"the signing key {kid} is not in the given key set")
        source = "key set"
    else:
        jwk = package.json(KEY)
        if jwk.get("kid") != kid:
            raise PackageError(f"the embedded key is {jwk.get('kid')}, but the package was signed by {kid}")
        source = "embedded"
    try:
        public = jwt.PyJWK(dict(jwk), algorithm=ALGORITHM).key
        claims: dict[str, Any] = jwt.decode(
            token,
            public,
            algorithms=[ALGORITHM],
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False, "verify_aud": False},
        )
    except jwt.PyJWTError as exc:
        raise PackageError(f"the signature does not verify: {exc}") from None
    listed = claims.get("files")
    if claims.get("format") != FORMAT or not isinstance(listed, dict):
        raise PackageError("the signed manifest is not a count package manifest")
    for name, digest in listed.items():
        if name not in package.files:
            raise PackageError(f"{name} is listed in the signed manifest but missing")
        if sha256(package.files[name]) != digest:
            raise PackageError(f"{name} does not match its SHA-256 in the signed manifest")
    extra = sorted(set(package.files) - set(listed) - set(UNSIGNED))
    if extra:
        raise PackageError(f"files not in the signed manifest: {extra}")
    if MANIFEST in package.files:
        shown = package.json(MANIFEST)
        signed = {k: v for k, v in claims.items() if k in shown}
        if shown != signed:
            raise PackageError(f"{MANIFEST} differs from the signed manifest")
    return Verification(kid=kid, key_source=source, manifest=claims)


# --- Recounting ------------------------------------------------------------------------


def count_options(record: Mapping[str, Any]) -> dict[str, Any]:
    """The ``count()`` arguments a package's ``count.json`` records."""
    options = record["count"]
    return {
        "method": options["method"],
        "seats": options["seats"],
        "tie_seed": options.get("tie_seed"),
        "tie_order": options.get("tie_order") if options.get("tie_seed") is None else None,
        "withdrawn": options.get("withdrawn", []),
        "groups": options.get("groups") or None,
        "max_per_group": options.get("max_per_group") if options.get("groups") else None,
        "sitting": options.get("sitting") or None,
    }


def comparable(result: Mapping[str, Any]) -> dict[str, Any]:
    """What must be equal for a recount to be the same result: who is elected, in order,
    and every round's figures and decisions."""
    return {
        "elected": list(result.get("elected", [])),
        "tie_order": list(result.get("tie_order", [])),
        "rounds": [
            {
                "number": r.get("number"),
                "votes": r.get("votes"),
                "quota": r.get("quota"),
                "exhausted": r.get("exhausted"),
                "elected": [d["candidate"] for d in r.get("elected", [])],
                "excluded": [d["candidate"] for d in r.get("excluded", [])],
            }
            for r in result.get("rounds", [])
        ],
    }


@dataclass
class PackageCheck:
    """The outcome of ``check_package``: what was checked, and whether all of it holds."""

    ok: bool
    lines: list[str] = field(default_factory=list)
    verification: Verification | None = None
    recount: CountResult | None = None
    certified: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checks": self.lines,
            "kid": self.verification.kid if self.verification else None,
            "elected": self.recount.elected if self.recount else None,
            "certified": self.certified,
            "recount": self.recount.to_dict() if self.recount else None,
        }


def recount(package: Package, *, deadline: float | None = None) -> tuple[CountResult, dict[str, Any]]:
    """Count ``ballots.blt`` with the options of ``count.json``: (recount, recorded result)."""
    record = package.json(COUNT)
    try:
        election = parse_blt(package.text(BALLOTS), group=True)  # merged: the same count, faster
    except ValueError as exc:
        raise PackageError(f"{BALLOTS}: {exc}") from None
    options = count_options(record)
    method = options.pop("method")
    seats = options.pop("seats")
    tie_seed = options.pop("tie_seed")
    result = count(election, method, seats, tie_seed, deadline=Deadline(deadline), **options)
    return result, package.json(RESULT)


def check_package(
    data: bytes, *, jwks: Mapping[str, Any] | None = None, deadline: float | None = None
) -> PackageCheck:
    """Verify the signature and hashes, recount, and compare with the recorded result."""
    check = PackageCheck(ok=False)
    try:
        package = read_package(data)
        check.verification = verification = verify_package(package, jwks)
        check.lines.append(
            f"Signature: valid, key {verification.kid} ({'the embedded key' if verification.key_source == 'embedded' else 'from the given key set'})."
        )
        check.lines.append(
            f"Hashes: all {len(verification.manifest['files'])} files match the signed manifest."
        )
        record = package.json(COUNT)
        options = count_options(record)
        result, recorded = recount(package, deadline=deadline)
    except (PackageError, CountError, KeyError, TypeError) as exc:
        check.lines.append(f"FAILED: {exc}")
        return check
    check.recount = result
    check.certified = list(recorded.get("elected", []))
    described = f"method {options['method']}, {options['seats']} seat(s)"
    if options["tie_seed"] is not None:
        described += f', tie seed "{options["tie_seed"]}"'
    if options["withdrawn"]:
        described += f", withdrawn {', '.join(options['withdrawn'])}"
    if options["groups"]:
        described += (
            f", group cap {options['max_per_group']} with {len(options['groups'])} grouped candidate(s)"
        )
    if record["count"].get("fallback_used"):
        described += f" (the fallback method fixed before voting; {record['count'].get('declared_method')} did not finish in time)"
    check.lines.append(f"Recount: {described}: elected {', '.join(result.elected) or 'nobody'}.")
    check.lines.append(f"Recorded result: elected {', '.join(check.certified) or 'nobody'}.")
    same = comparable(result.to_dict()) == comparable(recorded)
    check.ok = same
    check.lines.append(
        "RESULT: the recount equals the recorded result, round by round."
        if same
        else "RESULT: the recount DIFFERS from the recorded result."
    )
    return check

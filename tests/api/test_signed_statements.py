"""Signed statements (compact JWS, EdDSA), the published keys, rotation and the production key."""

from __future__ import annotations

import datetime as dt
import io

import jwt
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from core.jws import check_production_key, generate_private_key, private_key_pem, verify_statement
from core.models import AuditEntry, SigningKey
from tests.factories import OrganisationFactory, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def sponsor(clock):
    return make_member(organisation=OrganisationFactory(legal_name="Acme"), class_code="gold")


def _url(membership):
    return f"/api/v1/voting-rights/organisations/{membership.number}/"


def _jwks(api):
    return api.get("/api/v1/keys/").json()


def test_format_jws_returns_a_compact_jws(api, sponsor):
    response = api.get(_url(sponsor), {"format": "jws"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jose"
    assert response.content.count(b".") == 2


def test_accept_application_jose_returns_the_same(api, sponsor):
    response = api.get(_url(sponsor), HTTP_ACCEPT="application/jose")
    assert response["Content-Type"] == "application/jose"


def test_a_statement_verifies_offline_with_the_published_keys(api, sponsor):
    token = api.get(_url(sponsor), {"format": "jws"}).content.decode()
    claims = verify_statement(token, _jwks(api))
    answer = api.get(_url(sponsor)).json()
    assert {k: claims[k] for k in answer} == answer
    assert claims["sub"] == sponsor.number


def test_a_statement_carries_kid_iat_and_exp(api, sponsor, clock, settings):
    settings.SIGNED_STATEMENT_TTL_SECONDS = 3600
    token = api.get(_url(sponsor), {"format": "jws"}).content.decode()
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "EdDSA"
    assert header["kid"] == _jwks(api)["keys"][0]["kid"]
    assert claims["iat"] == int(clock.now().timestamp())
    assert claims["exp"] == claims["iat"] + 3600


def test_the_well_known_jwks_lists_okp_ed25519_keys(api, sponsor, urls_with_well_known):
    api.get(_url(sponsor), {"format": "jws"})
    keys = api.get("/.well-known/jwks.json").json()["keys"]
    assert [(k["kty"], k["crv"], k["alg"]) for k in keys] == [("OKP", "Ed25519", "EdDSA")]
    assert "d" not in keys[0]  # never the private part


@pytest.fixture
def urls_with_well_known():
    """/.well-known/jwks.json is in config/urls.py (kept as a fixture the tests name)."""


def test_a_tampered_statement_does_not_verify(api, sponsor):
    token = api.get(_url(sponsor), {"format": "jws"}).content.decode()
    head, _payload, sig = token.split(".")
    forged_payload = jwt.utils.base64url_encode(b'{"eligible":true,"weight":50}').decode()
    with pytest.raises(jwt.InvalidSignatureError):
        verify_statement(f"{head}.{forged_payload}.{sig}", _jwks(api))


def test_a_statement_expires(api, sponsor, clock):
    token = api.get(_url(sponsor), {"format": "jws"}).content.decode()
    with pytest.raises(jwt.ExpiredSignatureError):
        verify_statement(token, _jwks(api), at=clock.now() + dt.timedelta(days=1, seconds=1))


def test_errors_are_never_signed(api, clock):
    response = api.get("/api/v1/voting-rights/organisations/M-0000-0000/", {"format": "jws"})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "member_not_found"


def test_rotation_keeps_the_old_key_published_until_its_statements_expire(api, sponsor, clock):
    old = api.get(_url(sponsor), {"format": "jws"}).content.decode()
    call_command("rotate_signing_key", stdout=io.StringIO())
    new = api.get(_url(sponsor), {"format": "jws"}).content.decode()
    assert jwt.get_unverified_header(old)["kid"] != jwt.get_unverified_header(new)["kid"]
    assert verify_statement(old, _jwks(api))["sub"] == sponsor.number
    assert verify_statement(new, _jwks(api))["sub"] == sponsor.number
    clock.advance(days=1, seconds=1)
    kids = [k["kid"] for k in _jwks(api)["keys"]]
    assert kids == [jwt.get_unverified_header(new)["kid"]]


def test_a_rotation_by_another_process_signs_here_within_the_recheck_time(api, sponsor, clock, monkeypatch):
    import time

    from core import jws

    old = api.get(_url(sponsor), {"format": "jws"}).content.decode()
    # Another process rotates: the rows change, this process's cached key does not know.
    key = generate_private_key()
    SigningKey.objects.update(retired_at=clock.now())
    SigningKey.objects.create(
        kid=jws.key_id(key.public_key()),
        public_pem=jws._pem_public(key.public_key()),
        private_pem=private_key_pem(key),
        created_at=clock.now(),
    )
    meanwhile = api.get(_url(sponsor), {"format": "jws"}).content.decode()
    assert jwt.get_unverified_header(meanwhile)["kid"] == jwt.get_unverified_header(old)["kid"]
    assert verify_statement(meanwhile, _jwks(api))["sub"] == sponsor.number  # the retired key is published
    later = time.monotonic() + jws.KEY_RECHECK_SECONDS + 1
    monkeypatch.setattr(jws.time, "monotonic", lambda: later)
    new = api.get(_url(sponsor), {"format": "jws"}).content.decode()
    assert jwt.get_unverified_header(new)["kid"] == jws.key_id(key.public_key())
    assert verify_statement(new, _jwks(api))["sub"] == sponsor.number


def test_rotation_is_audited(clock):
    call_command("rotate_signing_key", stdout=io.StringIO())
    assert AuditEntry.objects.filter(action="api.signing_key_rotated").count() == 1


def test_an_environment_key_signs_and_is_published(api, sponsor, settings):
    key = generate_private_key()
    settings.SIGNING_KEY_PEM = private_key_pem(key)
    token = api.get(_url(sponsor), {"format": "jws"}).content.decode()
    jwt.decode(token, key.public_key(), algorithms=["EdDSA"], options={"verify_exp": False})
    assert SigningKey.objects.get(retired_at__isnull=True).private_pem == ""  # never stored


def test_rotation_refuses_to_replace_an_environment_key(settings, clock):
    settings.SIGNING_KEY_PEM = private_key_pem(generate_private_key())
    with pytest.raises(CommandError, match="--write-pem"):
        call_command("rotate_signing_key", stdout=io.StringIO())


def test_rotation_can_write_a_new_key_file_for_the_operator(tmp_path, clock):
    target = tmp_path / "signing.pem"
    call_command("rotate_signing_key", "--write-pem", str(target), stdout=io.StringIO())
    check_production_key({"SIGNING_KEY_PEM_FILE": str(target)})
    assert oct(target.stat().st_mode & 0o777) == "0o600"


def test_production_refuses_to_start_without_a_key(settings):
    settings.SIGNING_KEY_PEM = ""
    settings.SIGNING_KEY_PEM_FILE = ""
    with pytest.raises(ImproperlyConfigured, match="SIGNING_KEY_PEM"):
        check_production_key({})


def test_production_refuses_a_key_that_is_not_ed25519(settings):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    settings.SIGNING_KEY_PEM = ""
    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )
    with pytest.raises(ImproperlyConfigured, match="Ed25519"):
        check_production_key({"SIGNING_KEY_PEM": pem})


def test_the_deploy_check_errors_without_a_key(settings, monkeypatch):
    from core.jws import signing_key_deploy_errors

    monkeypatch.delenv("SIGNING_KEY_PEM", raising=False)
    monkeypatch.delenv("SIGNING_KEY_PEM_FILE", raising=False)
    settings.DEBUG = False
    assert [e.id for e in signing_key_deploy_errors()] == ["charter.E001"]
    settings.SIGNING_KEY_PEM = private_key_pem(generate_private_key())
    assert signing_key_deploy_errors() == []

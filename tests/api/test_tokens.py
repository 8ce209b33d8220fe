"""Personal API tokens: created and revoked by services (audited), stored hashed,
read-only, and rejected with a 401 in the error shape when expired, revoked or unknown."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from core.errors import NotAllowed, ValidationFailed
from core.models import ApiToken, AuditEntry
from core.services.api_tokens import api_token_create, api_token_revoke
from tests.api.conftest import client_for, token_for
from tests.factories import UserFactory, make_member

pytestmark = pytest.mark.django_db


def _bearer(api, plaintext):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return api


def test_a_token_is_stored_as_the_sha256_of_its_secret(clock):
    token, plaintext = api_token_create(user=UserFactory(), name="bot")
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in str(ApiToken.objects.filter(pk=token.pk).values().get())


def test_creating_a_token_is_audited(clock):
    user = UserFactory()
    token, _ = api_token_create(user=user, name="bot")
    entry = AuditEntry.objects.get(action="api.token_created")
    assert (entry.actor_ref, entry.object_ref) == (user.audit_ref, token.audit_ref)


def test_revoking_a_token_is_audited(clock):
    user = UserFactory()
    token, _ = api_token_create(user=user, name="bot")
    api_token_revoke(token=token, actor=user)
    assert AuditEntry.objects.filter(action="api.token_revoked", object_ref=token.audit_ref).exists()


def test_only_the_owner_revokes_a_token(clock):
    token, _ = api_token_create(user=UserFactory(), name="bot")
    with pytest.raises(NotAllowed):
        api_token_revoke(token=token, actor=UserFactory())


def test_a_token_needs_a_name(clock):
    with pytest.raises(ValidationFailed) as exc:
        api_token_create(user=UserFactory(), name="  ")
    assert exc.value.code == "token_name_required"


def test_an_expiry_in_the_past_is_refused(clock):
    with pytest.raises(ValidationFailed) as exc:
        api_token_create(user=UserFactory(), name="bot", expires_at=clock.now() - dt.timedelta(seconds=1))
    assert exc.value.code == "token_expiry_past"


def test_a_bearer_token_authenticates_as_its_owner(api, clock):
    membership = make_member()
    response = _bearer(api, token_for(membership.user)).get("/api/v1/voting-rights/me/")
    assert response.status_code == 200
    assert response.json()["member"]["subject"]["number"] == membership.number


def test_using_a_token_records_when(api, clock):
    user = UserFactory()
    plaintext = token_for(user)
    _bearer(api, plaintext).get("/api/v1/voting-rights/me/")
    assert ApiToken.objects.get(user=user).last_used_at == clock.now()


@pytest.mark.parametrize(
    ("state", "code"),
    [("expired", "token_expired"), ("revoked", "token_revoked"), ("unknown", "token_invalid")],
)
def test_a_dead_token_is_a_401_in_the_error_shape(api, clock, state, code):
    user = UserFactory()
    token, plaintext = api_token_create(user=user, name="bot", expires_at=clock.now() + dt.timedelta(hours=1))
    if state == "expired":
        clock.advance(hours=2)
    elif state == "revoked":
        api_token_revoke(token=token, actor=user)
    else:
        plaintext = "chr_" + "x" * 43
    response = _bearer(api, plaintext).get("/api/v1/voting-rights/me/")
    assert response.status_code == 401
    assert response.json() == {"code": code, "message": response.json()["message"], "detail": None}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_dead_token_is_refused_on_public_endpoints_too(api, clock):
    response = _bearer(api, "chr_nope").get("/api/v1/rule-sets/")
    assert response.status_code == 401


def test_a_token_of_a_deactivated_user_is_refused(api, clock):
    user = UserFactory()
    plaintext = token_for(user)
    user.is_active = False
    user.save()
    assert _bearer(api, plaintext).get("/api/v1/voting-rights/me/").status_code == 401


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_token_never_allows_unsafe_methods(api, clock, method):
    plaintext = token_for(UserFactory())
    response = getattr(_bearer(api, plaintext), method)("/api/v1/voting-rights/me/")
    assert response.status_code == 403
    assert response.json()["code"] == "token_read_only"


# --- The settings page ----------------------------------------------------------------------


def test_the_tokens_page_needs_a_login(client, clock):
    response = client.get("/settings/tokens/")
    assert response.status_code == 302


def test_creating_a_token_on_the_page_shows_it_once(clock):
    user = UserFactory()
    client = client_for(user)
    response = client.post("/settings/tokens/", {"name": "chat bridge", "expires_on": "2026-12-31"})
    assert response.status_code == 200
    plaintext = response.context["plaintext"]
    assert plaintext.startswith("chr_") and plaintext in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=user)
    assert token.name == "chat bridge"
    assert token.expires_at == dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    assert plaintext not in client.get("/settings/tokens/").content.decode()


def test_a_token_without_a_name_is_not_created(clock):
    user = UserFactory()
    response = client_for(user).post("/settings/tokens/", {"name": ""})
    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=user).exists()


def test_revoking_on_the_page(clock):
    user = UserFactory()
    token, _ = api_token_create(user=user, name="bot")
    response = client_for(user).post(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at == clock.now()


def test_someone_elses_token_cannot_be_revoked_on_the_page(clock):
    token, _ = api_token_create(user=UserFactory(), name="bot")
    response = client_for(UserFactory()).post(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_page_lists_tokens_without_their_secrets(clock):
    user = UserFactory()
    token, plaintext = api_token_create(user=user, name="list bot")
    page = client_for(user).get("/settings/tokens/").content.decode()
    assert "list bot" in page and token.prefix in page
    assert plaintext not in page

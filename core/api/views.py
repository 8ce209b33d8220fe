"""Core API views: the audit-chain head, the published signing keys, the JSON 404."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.framework import (
    PUBLIC_ERRORS,
    CharterAPIView,
    PublicAPIView,
    PublicListAPIView,
    error_responses,
)
from core.jws import published_keys
from core.models import AuditEntry, AuditHead, PublishedHead


class AuditHeadView(PublicAPIView):
    """The head of the audit chain: anyone can note it and later check nothing was rewritten."""

    @extend_schema(
        operation_id="audit_head",
        summary="The audit chain's head (sequence number and hash)",
        responses={
            200: inline_serializer(
                "AuditHead", {"seq": serializers.IntegerField(), "hash": serializers.CharField()}
            ),
            **error_responses(*PUBLIC_ERRORS),
        },
        tags=["transparency"],
    )
    def get(self, request: Request) -> Response:
        head = AuditHead.objects.filter(id=1).first()
        if head and head.seq:
            last = AuditEntry.objects.filter(seq=head.seq).values_list("created_at", flat=True).first()
            self.last_modified = last
        return Response({"seq": head.seq if head else 0, "hash": head.hash if head else "0" * 64})


class PublishedHeadSerializer(serializers.ModelSerializer):
    class Meta:
        model = PublishedHead
        fields = ["seq", "hash", "published_at", "reason"]


class AuditHeadsView(PublicListAPIView):
    """Heads of the audit chain published over time: save them to detect a truncated chain."""

    serializer_class = PublishedHeadSerializer
    cursor_ordering = "-seq"

    def get_queryset(self) -> Any:
        return PublishedHead.objects.all()

    @extend_schema(
        operation_id="audit_heads",
        summary="Published heads of the audit chain, newest first",
        description=(
            "Each item is a head (sequence number and hash) published at least daily and with "
            "every set of minutes and certified result. Keep a copy: `verify_audit_chain --heads "
            "FILE` names the first head the chain no longer contains."
        ),
        responses={200: PublishedHeadSerializer(many=True), **error_responses(*PUBLIC_ERRORS)},
        tags=["transparency"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


_JWKS = inline_serializer(
    "JWK",
    {
        "kty": serializers.CharField(),
        "crv": serializers.CharField(),
        "x": serializers.CharField(),
        "kid": serializers.CharField(),
        "alg": serializers.CharField(),
        "use": serializers.CharField(),
    },
    many=True,
)


class JWKSView(PublicAPIView):
    """The public keys that verify signed statements (RFC 7517 JWK set, OKP/Ed25519)."""

    @extend_schema(
        operation_id="signing_keys",
        summary="Public keys for verifying signed statements (JWK set)",
        description="Retired keys stay listed until the last statement they signed has expired.",
        responses={
            200: inline_serializer("JWKSet", {"keys": _JWKS}),
            **error_responses(*PUBLIC_ERRORS),
        },
        tags=["signed statements"],
    )
    def get(self, request: Request) -> Response:
        return Response({"keys": published_keys()})


def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any unknown /api/v1/ address: the error shape, not the site's HTML 404 page."""
    return JsonResponse(
        {"code": "not_found", "message": _("There is no such API endpoint."), "detail": None}, status=404
    )


class BenchPingView(CharterAPIView):
    """``{"ok": true}``: the trivial view the benchmarks compare every endpoint with.

    Routed only when ``CHARTER_BENCH`` is set (``make bench`` sets it), so production's
    URL table and API schema do not change; it runs through the same CharterAPIView stack
    (authentication, throttles, JSON renderer) as every API view.
    """

    def get(self, request: Request) -> Response:
        return Response({"ok": True})

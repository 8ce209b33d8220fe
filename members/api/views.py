"""Voting rights (who may vote, with what weight, and why not), membership classes and
the organisations in the public directory.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core import clock
from core.api.framework import (
    PUBLIC_ERRORS,
    CharterAPIView,
    PublicAPIView,
    PublicListAPIView,
    SignedAnswerMixin,
    error_responses,
)
from core.errors import NotFound, ValidationFailed
from core.models import RuleSet
from core.rules import rules_in_force
from members.api.filters import DirectoryOrganisationFilter
from members.api.selectors import (
    access_membership_for_rights,
    directory_organisations,
    memberships_spoken_for,
    own_membership,
)
from members.api.serializers import (
    DirectoryOrganisationSerializer,
    MembershipClassSerializer,
    MyVotingRightsSerializer,
    VotingRightsSerializer,
    parse_at,
    rights_answer,
)
from members.models import Membership, MembershipClass
from members.permissions import can_view_voting_rights_reasons
from members.rights import access_frozen_roll, voting_rights, voting_rights_on_roll

NUMBER_PATTERN = r"M-[0-9A-Z]{4}-[0-9A-Z]{4}"
MAX_INT = 2_147_483_647

AT_PARAM = OpenApiParameter(
    "at",
    OpenApiTypes.DATETIME,
    description="Answer as of this moment (ISO 8601; UTC when no offset is given). Default: now.",
)
FORMAT_PARAM = OpenApiParameter(
    "format",
    str,
    enum=["json", "jws"],
    description="`jws`: the same answer as a compact JWS signed by the foundation (like `Accept: application/jose`).",
)
ELECTION_PARAM = OpenApiParameter(
    "election",
    {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
    description="An election's id: the rights as frozen on its roll (not with `at`).",
)
NUMBER_PARAM = OpenApiParameter(
    "number",
    str,
    OpenApiParameter.PATH,
    pattern=f"^{NUMBER_PATTERN}$",
    description="The public member number.",
)


def _signed_responses(serializer: Any) -> dict[Any, Any]:
    return {
        (200, "application/json"): serializer,
        (200, "application/jose"): OpenApiResponse(
            OpenApiTypes.STR, description="A compact JWS (EdDSA); keys at /.well-known/jwks.json."
        ),
        **error_responses(*PUBLIC_ERRORS),
    }


class RightsQuery:
    """``?at=`` or ``?election=``: which moment, or which frozen roll, to answer for."""

    def __init__(self, request: Request) -> None:
        self.at = parse_at(request.query_params.get("at"))
        election_id = request.query_params.get("election") or ""
        if election_id and self.at is not None:
            raise ValidationFailed(_("Ask with “at” or with “election”, not both."), code="at_and_election")
        self.election = access_frozen_roll(election_id=election_id) if election_id else None
        # One moment for the whole answer: the query that loads the memberships picks the
        # rule set in force at it, and ``as_of`` shows it.
        self.moment = None if self.election is not None else (self.at or clock.now())

    def answer(self, membership: Membership, *, full: bool) -> dict[str, Any]:
        if self.election is None:
            return rights_answer(voting_rights(subject=membership, at=self.moment), full=full)
        rights = voting_rights_on_roll(membership=membership, election=self.election)
        return rights_answer(rights, full=full, election=self.election.slug)


def _private(response: Response) -> Response:
    # Answers depend on who asks: never cached by shared caches.
    response["Cache-Control"] = "private, no-store"
    response["Vary"] = "Authorization, Cookie"
    return response


class _SubjectRightsView(SignedAnswerMixin, CharterAPIView):
    organisation = False

    def get(self, request: Request, number: str) -> Response:
        query = RightsQuery(request)
        membership = access_membership_for_rights(
            user=request.user, number=number, organisation=self.organisation, at=query.moment
        )
        full = can_view_voting_rights_reasons(request.user, membership)
        return _private(Response(query.answer(membership, full=full)))


class MemberVotingRightsView(_SubjectRightsView):
    @extend_schema(
        operation_id="voting_rights_member",
        summary="An individual member's voting rights",
        description=(
            "Eligible, weight and class for members listed in the public directory; standing and "
            "reasons too for the member themself, the board and the committees. Members who are "
            "not visible to the caller are a 404, like unknown numbers."
        ),
        parameters=[NUMBER_PARAM, AT_PARAM, ELECTION_PARAM, FORMAT_PARAM],
        responses=_signed_responses(VotingRightsSerializer),
        tags=["voting rights"],
    )
    def get(self, request: Request, number: str) -> Response:
        return super().get(request, number)


class OrganisationVotingRightsView(_SubjectRightsView):
    organisation = True

    @extend_schema(
        operation_id="voting_rights_organisation",
        summary="A member organisation's voting rights (public)",
        parameters=[NUMBER_PARAM, AT_PARAM, ELECTION_PARAM, FORMAT_PARAM],
        responses=_signed_responses(VotingRightsSerializer),
        tags=["voting rights"],
    )
    def get(self, request: Request, number: str) -> Response:
        return super().get(request, number)


class MyVotingRightsView(SignedAnswerMixin, CharterAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="voting_rights_me",
        summary="Your voting rights and those of every organisation you represent",
        parameters=[AT_PARAM, ELECTION_PARAM, FORMAT_PARAM],
        responses=_signed_responses(MyVotingRightsSerializer),
        tags=["voting rights"],
    )
    def get(self, request: Request) -> Response:
        query = RightsQuery(request)
        own = own_membership(user=request.user, at=query.moment)
        spoken_for = memberships_spoken_for(user=request.user, at=query.moment)
        data = {
            "member": query.answer(own, full=True) if own else None,
            "organisations": [query.answer(m, full=True) for m in spoken_for],
        }
        return _private(Response(data))


class MembershipClassesView(PublicAPIView):
    @extend_schema(
        operation_id="membership_classes",
        summary="Membership classes, dues and vote weights",
        parameters=[
            OpenApiParameter(
                "rule_set",
                {"type": "integer", "minimum": 1, "maximum": MAX_INT},
                description="A rule-set version (default: the one in force).",
            )
        ],
        responses={200: MembershipClassSerializer(many=True), **error_responses(*PUBLIC_ERRORS)},
        tags=["membership"],
    )
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("rule_set")
        if raw:
            version = int(raw) if raw.isdigit() and int(raw) <= MAX_INT else 0
            rule_set = RuleSet.objects.filter(version=version).first()
            if rule_set is None:
                raise NotFound(_("No rule set with that version."), code="rule_set_not_found")
        else:
            rule_set = rules_in_force()
        self.last_modified = rule_set.created_at
        classes = MembershipClass.objects.filter(rule_set=rule_set).select_related("rule_set")
        return Response(MembershipClassSerializer(classes, many=True).data)


@extend_schema_view(
    get=extend_schema(
        operation_id="directory_organisations",
        summary="Member organisations listed in the public directory",
        responses={200: DirectoryOrganisationSerializer(many=True), **error_responses(*PUBLIC_ERRORS)},
        tags=["membership"],
    )
)
class DirectoryOrganisationsView(PublicListAPIView):
    serializer_class = DirectoryOrganisationSerializer
    filterset_class = DirectoryOrganisationFilter
    cursor_ordering = "number"

    def get_queryset(self) -> Any:
        return directory_organisations()

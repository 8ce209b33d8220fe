import pytest

from members.rights import voting_rights, voting_rights_bulk
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_new_individual_member_votes_with_weight_one(clock):
    m = make_member()
    r = voting_rights(subject=m)
    assert r.eligible and r.weight == 1 and r.standing == "active"
    assert [x.subject for x in voting_rights_bulk() if x.eligible] == [m.number]

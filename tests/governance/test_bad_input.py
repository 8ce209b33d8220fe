import pytest
pytestmark = pytest.mark.django_db
URLS = ["/governance/minutes/", "/governance/decisions/", "/governance/board/history/", "/governance/changes/",
 "/api/v1/governance/minutes/", "/api/v1/governance/decisions/", "/api/v1/governance/board/history/",
 "/api/v1/governance/rule-sets/", "/api/v1/governance/policies/", "/api/v1/elections/", "/api/v1/organisations/",
 "/api/v1/membership-classes/", "/members/", "/elections/", "/api/v1/audit/heads/"]
BAD = ["-1", "99999999999999999999", "1e400", "abc", "a\x00b", "10000", "x" * 3000]
@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("param", ["year", "page", "q", "kind", "outcome", "director", "seat", "person", "rule_set", "cursor", "state", "class_code", "code", "page_size", "format", "at", "election"])
def test_probe(client, url, param):
    bad = []
    for v in BAD:
        r = client.get(url, {param: v})
        if r.status_code >= 500:
            bad.append(v[:30])
    assert not bad
@pytest.mark.parametrize("path", ["/governance/minutes/99999999999999999999/", "/governance/decisions/99999999999999999999/",
 "/governance/minutes/1/v99999999999999999999/", "/governance/policies/x/diff/99999999999999999999/1/",
 "/api/v1/governance/minutes/99999999999999999999/", "/api/v1/governance/decisions/99999999999999999999/", "/api/v1/governance/rule-sets/99999999999999999999/"])
def test_probe_paths(client, path):
    assert client.get(path).status_code < 500

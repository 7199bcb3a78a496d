"""Site configs: declarative TOML, validated; their selectors override only the fields they name."""

import pytest
from conftest import SITE, fixture_file

from newscrawl.pages import ArticlePage
from newscrawl.siteconfig import SiteConfigError, SiteRules, UnknownSite, load_site, load_sites, parse_site

URL = "http://www.nilenews.test/story/2025/5/12/وزير-النقل-يتابع-التشغيل-التجريبي-لمونوريل/7012236"


def page(rules: SiteRules) -> dict:
    return ArticlePage(fixture_file(URL).read_bytes(), URL, rules=rules).to_dict()


def test_selectors_override_only_the_fields_they_name() -> None:
    generic = page(SiteRules(name="nilenews", timezone="Africa/Cairo"))
    ruled = page(SiteRules(name="nilenews", timezone="Africa/Cairo",
                           selectors={"category": "css:.writeBy a", "title": "xpath://h1"}))
    assert ruled["category"] == "أحمد فتحي"           # the rule's node, however odd
    assert ruled["title"] == generic["title"]
    for field in ("body", "published", "author", "tags", "related_links"):
        assert ruled[field] == generic[field]


def test_drop_selectors_remove_nodes_before_the_body_is_read() -> None:
    generic = page(SiteRules(name="nilenews"))
    first = generic["body"].split("\n\n")[0]
    dropped = page(SiteRules(name="nilenews", drop=("xpath://div[@id='articleBody']/p[1]",)))
    assert first not in dropped["body"]
    assert dropped["body"].split("\n\n")[0] == generic["body"].split("\n\n")[1]


def test_bundled_configs_load() -> None:
    names = {site.name for site in load_sites()}
    assert {"shamtimes", "nilenews", "carthage"} <= names
    site = load_site("carthage")
    assert site.timezone == "Africa/Tunis"
    assert site.is_article_url("/article/15201/x") and not site.is_article_url("/recherche/")


@pytest.mark.parametrize(("data", "message"), [
    ({}, "'name' is required"),
    ({"name": "x", "timezone": "Mars/Olympus"}, "IANA"),
    ({"name": "x", "article_patterns": ["("]}, "bad regular expression"),
    ({"name": "x", "selectors": {"colour": "css:p"}}, "unknown fields"),
])
def test_invalid_configs_are_refused_with_a_reason(data: dict, message: str) -> None:
    with pytest.raises(SiteConfigError, match=message):
        parse_site(data, "test.toml")


def test_unknown_site() -> None:
    with pytest.raises(UnknownSite, match="known: "):
        load_site("no-such-site")

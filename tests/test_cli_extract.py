"""`newscrawl extract`: the crawler's parser on saved pages; bad input never fails."""

import json

import pytest
from click.testing import CliRunner
from conftest import fixture_file

from newscrawl.cli import cli

URL = "http://www.nilenews.test/story/2025/5/12/وزير-النقل-يتابع-التشغيل-التجريبي-لمونوريل/7012236"
FIELDS = {"title", "body", "category", "published", "modified", "published_raw", "author", "tags",
          "related_links", "images", "canonical_url", "language", "errors"}


def run(args: list[str], data: bytes | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["extract", *args], input=data)


def test_extract_a_saved_page() -> None:
    result = run([str(fixture_file(URL)), "--url", URL, "--format", "jsonl"])
    assert result.exit_code == 0
    record = json.loads(result.output)
    assert FIELDS <= set(record)
    assert record["title"].startswith("وزير النقل يتابع")
    assert record["published"] == "2025-05-12T08:15:00Z" and record["errors"] == []


@pytest.mark.parametrize("data", [b"", b"\x00\xff\xfe garbage \x81", b"%PDF-1.7\n%\xe2\xe3", b"<html><body><ul><li>x</li></ul></body></html>"])
def test_bad_input_gives_empty_fields_and_errors(data: bytes) -> None:
    result = run(["-", "--format", "jsonl"], data)
    assert result.exit_code == 0
    record = json.loads(result.output)
    assert record["body"] == "" and record["errors"]


def test_missing_file_is_an_error() -> None:
    result = run(["no/such/page.html"])
    assert result.exit_code != 0 and "no such file" in result.output


def test_several_files_and_text_format() -> None:
    result = run([str(fixture_file(URL)), str(fixture_file(URL)), "--format", "text"])
    assert result.exit_code == 0
    assert result.output.count("# وزير النقل يتابع") == 2

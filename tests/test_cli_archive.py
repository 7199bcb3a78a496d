"""The archive's commands through click's CliRunner: output, formats, and bad input as one line."""

import csv
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from archive import Archive, ArticleRecord
from archive.cli import COMMANDS
from newscrawl.cli import cli
from newscrawl.cli_reparse import reparse

ROOT = Path(__file__).resolve().parents[1]
INTRO = "عقد وفدان من سوريا وتركيا جولة ثانية من المحادثات في العاصمة الأذربيجانية باكو اليوم الخميس."
PARAGRAPHS = [
    "وقال مصدر دبلوماسي مطلع إن الجولة تناولت ملف المعابر الحدودية وعودة اللاجئين السوريين المقيمين في "
    "تركيا، إضافة إلى آليات التنسيق بين الأجهزة الأمنية في البلدين.",
    "وأضاف المصدر أن الطرفين اتفقا على تشكيل لجان فنية مشتركة تجتمع بشكل دوري لمتابعة تنفيذ ما تم "
    "التوصل إليه، على أن تعقد الجولة المقبلة في أنقرة خلال الشهر القادم.",
]
STORY = "باكو (أ ف ب) - " + INTRO + "\n\n" + "\n\n".join(PARAGRAPHS)
COPY = "باكو (رويترز) - " + INTRO + "\n\n" + "\n\n".join(PARAGRAPHS)
OTHER = "ارتفعت أسعار الذهب في السوق المصرية خلال عام ٢٠٢٥ بنسبة كبيرة بحسب التجار في القاهرة."


@pytest.fixture
def db(db_path: Path) -> str:
    """Three articles on two sites: a story carried by both, an edited one, an unrelated one."""
    with Archive(db_path) as archive:
        archive.upsert(ArticleRecord(url="http://a.test/1", site="a", title="محادثات في باكو", body=STORY,
                                     category="سياسة", published="2025-05-08T09:00:00Z"))
        archive.upsert(ArticleRecord(url="http://b.test/7", site="b", title="جولة محادثات ثانية", body=COPY,
                                     category="سياسة", published="2025-05-08T11:00:00Z"))
        archive.upsert(ArticleRecord(url="http://a.test/2", site="a", title="أسعار الذهب", body=OTHER,
                                     category="اقتصاد", published="2025-05-09T08:00:00Z"))
        archive.upsert(ArticleRecord(url="http://a.test/2", site="a", title="أسعار الذهب ترتفع",
                                     body=OTHER.replace("بنسبة كبيرة", "بنسبة عشرين في المئة"),
                                     category="اقتصاد", published="2025-05-09T08:00:00Z"))
    return str(db_path)


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner(env=env).invoke(cli, list(args))


def assert_one_line_error(result: Result, *fragments: str) -> None:
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), result.exception   # not a traceback
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


# -- every command --------------------------------------------------------------------------------------
ALL = [*COMMANDS, reparse]


@pytest.mark.parametrize("command", ALL, ids=[c.name for c in ALL])
def test_every_command_is_documented(command: click.Command) -> None:
    assert command.help and len(command.help) > 40
    for param in command.params:
        if isinstance(param, click.Option) and param.name != "help":
            assert param.help, f"{command.name} {param.opts} has no help"
    result = CliRunner().invoke(command, ["--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


@pytest.mark.parametrize("command", ALL, ids=[c.name for c in ALL])
def test_every_command_takes_db(command: click.Command) -> None:
    assert "--db" in {opt for p in command.params for opt in p.opts}


@pytest.mark.parametrize("name", [c.name for c in COMMANDS])
def test_commands_are_in_the_newscrawl_group(name: str) -> None:
    assert name in cli.commands


@pytest.mark.parametrize("args", [["stats"], ["search", "باكو"], ["show", "1"], ["history", "1"],
                                  ["stories"], ["export"]])
def test_missing_archive_is_one_line(tmp_path: Path, args: list[str]) -> None:
    missing = str(tmp_path / "nope.db")
    assert_one_line_error(run(*args, "--db", missing), f"no archive at {missing}")
    assert not Path(missing).exists()


def test_db_defaults_to_the_environment(db: str) -> None:
    result = run("show", "1", "--format", "json", env={"NEWSCRAWL_DB": db})
    assert result.exit_code == 0 and json.loads(result.stdout)["site"] == "a"


@pytest.mark.parametrize("args", [["stories"], ["search", "باكو"], ["export"], ["history", "1"], ["stats"]])
def test_newer_archive_is_refused_in_one_line(db: str, args: list[str]) -> None:
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO _migrations VALUES (99, 'future', '2030-01-01')")
    conn.commit()
    conn.close()
    assert_one_line_error(run(*args, "--db", db), "newer newscrawl (schema migration 99", "upgrade newscrawl")


def test_read_only_commands_work_on_an_older_archive(db_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from archive import schema

    schema.schema_version()
    with monkeypatch.context() as patch:
        patch.setattr(schema, "MIGRATIONS", [m for m in schema.MIGRATIONS if m[0] == 1])
        with Archive(db_path) as archive:
            archive.upsert(ArticleRecord(url="http://a.test/1", site="a", title="محادثات", body=STORY))
    db = str(db_path)
    rows = run("export", "--db", db).stdout.splitlines()
    assert [json.loads(r)["story_id"] for r in rows] == [None]
    result = run("search", "باكو", "--db", db, "--collapse")
    assert result.exit_code == 0 and "#1" in result.stdout and "no stories yet" in result.stderr
    assert run("history", "1", "--db", db).exit_code == 0
    assert run("stories", "--db", db, "--no-assign").stdout == ""
    result = run("stories", "--db", db, "--min-size", "1")      # read-write: upgrades, then clusters
    assert result.exit_code == 0 and "محادثات" in result.stdout


def test_archive_package_imports_without_scrapy() -> None:
    code = ("import sys; sys.modules['scrapy'] = None; sys.modules['newscrawl'] = None\n"
            "import archive, archive.cli, archive.export, archive.history, archive.stories, "
            "archive.reparse, archive.plot\n"
            "assert 'scrapy' not in {m.split('.')[0] for m in sys.modules if sys.modules[m] is not None}")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# -- search --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("query", ['"مدرسة', "مدرسة AND", "(باكو", "باكو)", "-باكو", "مد*رسة", "NEAR(a b)", "*"])
def test_malformed_query_is_one_line(db: str, query: str) -> None:
    assert_one_line_error(run("search", query, "--db", db), "bad query:")


@pytest.mark.parametrize(("args", "ids"), [
    ([], [1, 2]), (["--collapse"], [1]), (["--site", "b"], [2]), (["--since", "2025-05-08T10:00:00Z"], [2]),
])
def test_search(db: str, args: list[str], ids: list[int]) -> None:
    run("stories", "--db", db)
    result = run("search", "باكو", "--db", db, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(h["id"] for h in hits) == ids
    if "--collapse" in args:
        assert hits[0]["collapsed"] == 1


def test_search_collapse_text_and_unclustered_note(db: str) -> None:
    result = run("search", "باكو", "--db", db, "--collapse")
    assert "not in a story yet" in result.stderr      # nothing clustered: every article stands alone
    run("stories", "--db", db)
    result = run("search", "باكو", "--db", db, "--collapse")
    assert result.exit_code == 0 and "(+1 more in story #" in result.stdout and not result.stderr


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_search_formats(db: str, fmt: str) -> None:
    result = run("search", "الذهب", "--db", db, "--format", fmt)
    assert result.exit_code == 0 and "أسعار الذهب ترتفع" in result.stdout


@pytest.mark.parametrize(("query", "ids"), [(["باكو", "-رويترز"], [1]), (["-رويترز", "باكو"], [1]),
                                          (["الذهب", "-", "باكو"], [3])])
def test_search_excludes_words_without_a_double_dash(db: str, query: list[str], ids: list[int]) -> None:
    result = run("search", *query, "--db", db, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ids


def test_mistyped_option_is_not_searched_for(db: str) -> None:
    result = run("search", "باكو", "--sitee", "a", "--db", db)
    assert result.exit_code == 2 and "no such option: --sitee" in result.stderr


def test_bad_date_is_refused(db: str) -> None:
    result = run("search", "باكو", "--db", db, "--since", "last week")
    assert result.exit_code == 2 and "is not a date" in result.stderr and "Traceback" not in result.output


# -- show / history -----------------------------------------------------------------------------------------
def test_show(db: str) -> None:
    result = run("show", "2", "--db", db)
    assert result.exit_code == 0 and "http://b.test/7" in result.stdout
    assert_one_line_error(run("show", "42", "--db", db), "no article with id 42")


def test_history_text_shows_a_word_diff(db: str) -> None:
    result = run("history", "3", "--db", db)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "2 version(s)" in out and "── version 2" in out and "(title, body)" in out
    assert "[-كبيرة-]" in out and "{+عشرين في المئة+}" in out and "{+ترتفع+}" in out


def test_history_json_is_one_object_per_version(db: str) -> None:
    result = run("history", "3", "--db", db, "--format", "json")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(v["article_id"], v["version"], v["changed"]) for v in lines] == \
        [(3, 1, ["created"]), (3, 2, ["title", "body"])]
    assert lines[1]["title"] == "أسعار الذهب ترتفع"
    assert {"op": "insert", "old": "", "new": "ترتفع"} in lines[1]["title_diff"]


def test_history_of_unknown_article(db: str) -> None:
    assert_one_line_error(run("history", "9", "--db", db), "no article with id 9")


# -- stories -------------------------------------------------------------------------------------------------
def test_stories_cluster_then_list(db: str) -> None:
    result = run("stories", "--db", db)
    assert result.exit_code == 0, result.output
    assert "clustered 3 articles: 1 joined a story, 2 new stories" in result.stderr
    first, title = result.stdout.splitlines()[:2]
    assert "2 articles" in first and "2025-05-08" in first and "a,b" in first
    assert "محادثات في باكو" in title
    again = run("stories", "--db", db, "--format", "json")
    assert "clustered" not in again.stderr
    [story] = [json.loads(line) for line in again.stdout.splitlines()]
    assert (story["size"], story["sites"], story["title"]) == (2, ["a", "b"], "محادثات في باكو")
    members = run("stories", str(story["id"]), "--db", db, "--format", "json")
    assert [(m["id"], m["site"]) for m in map(json.loads, members.stdout.splitlines())] == [(1, "a"), (2, "b")]
    text = run("stories", str(story["id"]), "--db", db)
    assert "founder" in text.stdout and f"story #{story['id']}: 2 articles, a, b" in text.stdout


@pytest.mark.parametrize(("args", "expected"), [
    (["--min-size", "1"], 2), (["--since", "2025-05-09"], 0), (["--until", "2025-05-08"], 1),
])
def test_stories_filters(db: str, args: list[str], expected: int) -> None:
    result = run("stories", "--db", db, "--format", "json", *args)
    assert len(result.stdout.splitlines()) == expected


def test_stories_no_assign_is_read_only(db: str) -> None:
    result = run("stories", "--db", db, "--no-assign")
    assert result.exit_code == 0 and result.stdout == "" and "no stories" in result.stderr
    assert_one_line_error(run("stories", "77", "--db", db, "--no-assign"), "no story with id 77")


# -- export --------------------------------------------------------------------------------------------------
def test_export_jsonl_to_stdout(db: str) -> None:
    result = run("export", "--db", db, "--site", "a")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == [1, 3] and rows[1]["title"] == "أسعار الذهب ترتفع"
    assert "exported 2 articles to stdout" in result.stderr


def test_export_csv_with_bom_to_file(db: str, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = run("export", "--db", db, "--format", "csv", "--bom", "--query", "باكو", "-o", str(out))
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    records = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [r["site"] for r in records] == ["a", "b"] and records[0]["body"] == STORY


def test_export_csv_to_stdout_keeps_crlf_and_arabic(db: str) -> None:
    result = CliRunner().invoke(cli, ["export", "--db", db, "--format", "csv", "--category", "اقتصاد"])
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"id,site,url,") and b"\r\n" in result.stdout_bytes
    assert "أسعار الذهب ترتفع" in result.stdout


def test_export_parquet(db: str, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "out.parquet"
    result = run("export", "--db", db, "--format", "parquet", "-o", str(out), "--since", "2025-05-09")
    assert result.exit_code == 0, result.output
    assert pq.read_table(out).column("title").to_pylist() == ["أسعار الذهب ترتفع"]


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "parquet"], "write it to a file with -o"),
    (["--query", "(باكو"], "bad query: unbalanced parenthesis"),
    (["--bom"], "--bom only applies to --format csv"),
])
def test_export_bad_input(db: str, args: list[str], message: str) -> None:
    assert_one_line_error(run("export", "--db", db, *args), message)


def test_export_parquet_without_pyarrow(db: str, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    result = run("export", "--db", db, "--format", "parquet", "-o", str(tmp_path / "x.parquet"))
    assert_one_line_error(result, "pip install newscrawl[parquet]")


# -- stats ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_stats(db: str, fmt: str) -> None:
    result = run("stats", "--db", db, "--format", fmt)
    assert result.exit_code == 0
    if fmt == "json":
        assert json.loads(result.stdout)["articles"] == 3
    else:
        assert result.stdout.startswith("3 articles")


@pytest.mark.parametrize(("suffix", "magic"), [("png", b"\x89PNG"), ("svg", b"<?xml")])
def test_stats_plot(db: str, tmp_path: Path, suffix: str, magic: bytes) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / f"per-day.{suffix}"
    result = run("stats", "--db", db, "--plot", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic)
    assert "2 sites, 2025-05-08 … 2025-05-09" in result.stderr
    assert result.stdout.startswith("3 articles")


def test_plot_counts_per_site_and_day(db: str) -> None:
    from datetime import date

    from archive.plot import daily_counts

    with Archive(db, readonly=True) as archive:
        assert daily_counts(archive.db) == {"a": {date(2025, 5, 8): 1, date(2025, 5, 9): 1},
                                            "b": {date(2025, 5, 8): 1}}


def test_stats_plot_bad_input(db: str, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("matplotlib")
    assert_one_line_error(run("stats", "--db", db, "--plot", str(tmp_path / "x.txt")), "cannot write a .txt image")
    empty = tmp_path / "empty.db"
    Archive(empty).close()
    assert_one_line_error(run("stats", "--db", str(empty), "--plot", str(tmp_path / "x.png")), "nothing to plot")
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert_one_line_error(run("stats", "--db", db, "--plot", str(tmp_path / "x.png")),
                          "pip install newscrawl[plot]")

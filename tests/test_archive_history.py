"""History: every version kept, word-level diffs readable for Arabic."""

import pytest

from archive import Archive, ArticleRecord, NoSuchArticle
from archive.history import PARAGRAPH, DiffOp, history, render_diff, tokens, versions, word_diff

BODY = "قال وزير الخارجية إن المحادثات ستستأنف الأسبوع المقبل في باكو.\n\nوأضاف أن الأجواء كانت إيجابية."


def edit(archive: Archive, **kw: str) -> None:
    values = dict(url="http://a.test/1", site="a", title="محادثات في باكو", body=BODY)
    values.update(kw)
    archive.upsert(ArticleRecord(**values))


@pytest.mark.parametrize(("old", "new", "changes"), [
    ("قال الوزير اليوم", "قال الوزير أمس", [("replace", "اليوم", "أمس")]),
    ("قال الوزير", "قال الوزير السوري اليوم", [("insert", "", "السوري اليوم")]),
    ("قال الوزير السوري اليوم", "قال الوزير", [("delete", "السوري اليوم", "")]),
    ("باكو (أ ف ب) - قال", "باكو (رويترز) - قال", [("replace", "(أ ف ب)", "(رويترز)")]),
    ("الفقرة الأولى.", "الفقرة الأولى.\n\nفقرة مضافة.", [("insert", "", "\n\nفقرة مضافة.")]),
    ("نص", "نص", []),
])
def test_word_diff(old: str, new: str, changes: list[tuple[str, str, str]]) -> None:
    ops = word_diff(old, new)
    assert [(d.op, d.old, d.new) for d in ops if d.op != "equal"] == changes


def test_frequent_arabic_words_do_not_blow_up_the_diff() -> None:
    """في/من/على appear hundreds of times in a long article; difflib's autojunk would treat them as
    noise and report whole paragraphs replaced.  One changed word stays one change."""
    sentence = "وصل الوفد في الصباح من العاصمة على متن طائرة خاصة في زيارة تستمر يومين من أجل المحادثات."
    old = "\n\n".join(f"{sentence} الفقرة رقم {i}." for i in range(60))
    new = old.replace("الفقرة رقم 30.", "الفقرة رقم ثلاثين.")
    changes = [d for d in word_diff(old, new) if d.op != "equal"]
    assert changes == [DiffOp("replace", "30.", "ثلاثين.")]


@pytest.mark.parametrize("text", [BODY, "", "سطر واحد", "أ\n\n\n\nب   ج"])
def test_diff_parts_rebuild_both_texts(text: str) -> None:
    other = "نص مختلف تماماً\n\nمع فقرة"
    ops = word_diff(text, other)
    assert tokens(" ".join(d.old for d in ops)) == tokens(text)
    assert tokens(" ".join(d.new for d in ops)) == tokens(other)


def test_paragraph_breaks_are_tokens() -> None:
    assert tokens("أ ب\n\nج\n \n د") == ["أ", "ب", PARAGRAPH, "ج", PARAGRAPH, "د"]


def test_versions_record_what_changed(fresh_archive: Archive) -> None:
    edit(fresh_archive)
    edit(fresh_archive)                                              # unchanged: no version
    edit(fresh_archive, body=BODY.replace("الأسبوع المقبل", "غداً"))  # body edited
    edit(fresh_archive, title="محادثات في باكو غداً", body=BODY.replace("الأسبوع المقبل", "غداً"))
    found = versions(fresh_archive.db, 1)
    assert [(v.version, v.changed) for v in found] == [(1, ["created"]), (2, ["body"]), (3, ["title"])]
    assert [d.op for d in found[0].body_diff] == ["insert"]
    assert [(d.old, d.new) for d in found[1].body_diff if d.op != "equal"] == [("الأسبوع المقبل", "غداً")]
    assert all(d.op == "equal" for d in found[1].title_diff)
    assert [(d.old, d.new) for d in found[2].title_diff if d.op != "equal"] == [("", "غداً")]


def test_history_has_the_article_and_json_ready_versions(fresh_archive: Archive) -> None:
    edit(fresh_archive)
    edit(fresh_archive, title="عنوان جديد")
    data = history(fresh_archive.db, 1)
    assert (data["id"], data["site"], data["version"], len(data["versions"])) == (1, "a", 2, 2)
    as_json = data["versions"][1].as_dict(texts=True)
    assert as_json["title"] == "عنوان جديد" and as_json["changed"] == ["title"]
    assert {"op": "replace", "old": "محادثات في باكو", "new": "عنوان جديد"} in as_json["title_diff"]


def test_unknown_article(fresh_archive: Archive) -> None:
    with pytest.raises(NoSuchArticle):
        versions(fresh_archive.db, 99)


@pytest.mark.parametrize(("context", "shown", "hidden"), [
    (2, ["المحادثات ستستأنف", "في باكو.", "…"], ["قال وزير"]),
    (50, ["قال وزير الخارجية", "الأجواء كانت إيجابية."], ["…"]),
])
def test_render_diff_marks_changes_and_trims_context(context: int, shown: list[str], hidden: list[str]) -> None:
    text = render_diff(word_diff(BODY, BODY.replace("الأسبوع المقبل", "غداً")), context=context)
    assert "[-الأسبوع المقبل-]" in text and "{+غداً+}" in text
    assert all(s in text for s in shown) and not any(h in text for h in hidden)


def test_current_version_text_is_stored_once_and_kept_when_replaced(fresh_archive: Archive) -> None:
    """The newest version row holds no copy of the text (it is in ``articles``); an edit copies the
    replaced text into its row, so every version still reads in full."""
    db = fresh_archive.db
    edit(fresh_archive)
    assert db.execute("SELECT title, body FROM article_versions").fetchall() == [(None, None)]
    assert db.execute("SELECT title, body FROM article_history").fetchall() == [("محادثات في باكو", BODY)]
    edited = BODY.replace("الأسبوع المقبل", "غداً")
    edit(fresh_archive, body=edited)
    assert db.execute("SELECT version, body FROM article_versions ORDER BY version").fetchall() == [
        (1, BODY), (2, None)]
    assert db.execute("SELECT version, body FROM article_history ORDER BY version").fetchall() == [
        (1, BODY), (2, edited)]
    assert [v.body for v in versions(db, 1)] == [BODY, edited]


def test_versions_read_rows_written_before_lazy_text(fresh_archive: Archive) -> None:
    """Archives from before schema migration 4 copied the current text into its version row too."""
    edit(fresh_archive)
    fresh_archive.db.execute("UPDATE article_versions SET title = 'قديم', body = 'نص قديم محفوظ'")
    assert [(v.title, v.body) for v in versions(fresh_archive.db, 1)] == [("قديم", "نص قديم محفوظ")]

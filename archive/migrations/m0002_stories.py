"""Stories: near-duplicate clusters of articles (see :mod:`archive.stories`).

- ``stories``: one row per cluster, with cached aggregates (size, first publication, title of the
  earliest article) refreshed whenever membership changes;
- ``article_stories``: each clustered article's story and its similarity to the article it joined;
- ``minhashes``: each article's MinHash signature, stamped with the ``body_hash`` it was computed
  from, so an edited article is re-signed and re-clustered;
- ``minhash_bands``: the LSH index (one row per band of a signature), so a new article is compared
  only with the stored articles that share a band, never with the whole archive;
- ``stories_meta``: the parameters (threshold, permutations, bands) the index was built with.
"""

import sqlite_utils

from archive.schema import migration, run_script


@migration(2, "stories")
def _stories(db: sqlite_utils.Database) -> None:
    run_script(db, """
    CREATE TABLE stories (
        id INTEGER PRIMARY KEY,
        size INTEGER NOT NULL DEFAULT 0,
        first_published TEXT,
        title TEXT,
        created TEXT NOT NULL
    );
    CREATE INDEX stories_size ON stories(size);
    CREATE INDEX stories_first_published ON stories(first_published);

    CREATE TABLE article_stories (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
        similarity REAL
    );
    CREATE INDEX article_stories_story ON article_stories(story_id);

    CREATE TABLE minhashes (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        body_hash TEXT,
        sig BLOB NOT NULL
    );

    CREATE TABLE minhash_bands (
        key INTEGER NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE
    );
    CREATE INDEX minhash_bands_key ON minhash_bands(key);
    CREATE INDEX minhash_bands_article ON minhash_bands(article_id);

    CREATE TABLE stories_meta (
        name TEXT PRIMARY KEY,
        value TEXT
    );
    """)

"""The LSH band index of stories as a clustered table: ``minhash_bands`` WITHOUT ROWID.

Every article adds one row per band (30), looked up by band key.  As a rowid table with an index
on the key, each row cost three B-tree inserts and each lookup an index probe plus a table read;
clustered on ``(key, article_id)`` it is two inserts (the table and the by-article index used
when an article leaves its story) and a lookup reads the key's rows in place.
"""

import sqlite_utils

from archive.schema import migration, run_script


@migration(5, "bands")
def _bands(db: sqlite_utils.Database) -> None:
    run_script(db, """
    CREATE TABLE minhash_bands_new (
        key INTEGER NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        PRIMARY KEY (key, article_id)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO minhash_bands_new (key, article_id) SELECT key, article_id FROM minhash_bands;
    DROP TABLE minhash_bands;
    ALTER TABLE minhash_bands_new RENAME TO minhash_bands;
    CREATE INDEX minhash_bands_article ON minhash_bands(article_id);
    """)

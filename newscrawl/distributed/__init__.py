"""Distributed mode: many ``scrapy crawl news`` workers on a shared Redis frontier, one archive writer.

Switched on by one setting, ``NEWSCRAWL_REDIS_URL`` (or ``REDIS_URL``), through :mod:`.addon`:

- :mod:`.settings`: what the mode changes (scrapy-redis scheduler and duplicate filter, items to Redis);
- :mod:`.scheduler`, :mod:`.lease`: per-site frontiers, requests leased to the worker that took them;
- :mod:`.idle`: a worker stops when the shared frontier has stayed empty;
- :mod:`.robots`: one robots.txt fetch per host and round for all workers;
- :mod:`.pipeline`, :mod:`.messages`: items (and crawl-run frames) into the Redis items stream;
- :mod:`.writer`: ``newscrawl archive-writer``, from the stream into SQLite, acknowledged after commit;
- :mod:`.crawlstate`: the incremental rules' state, published to Redis for the workers;
- :mod:`.seed`: ``newscrawl seed``, the start requests of a round;
- :mod:`.keys`: every Redis key; :mod:`.cli`: the commands.
"""

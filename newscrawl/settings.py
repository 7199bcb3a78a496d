"""Scrapy settings of the newscrawl project: polite by default, incremental by default."""

from newscrawl.extensions.politeness import user_agent

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"

# Distributed mode (docs/distributed.md): off unless NEWSCRAWL_REDIS_URL (or REDIS_URL) is set.
ADDONS = {"newscrawl.distributed.addon.DistributedAddon": 0}

# Who we are: the User-Agent names the project and where to reach whoever runs it.  Set your own
# NEWSCRAWL_CONTACT (-s NEWSCRAWL_CONTACT=https://example.org/crawler); the User-Agent follows it.
NEWSCRAWL_CONTACT = "https://github.com/newscrawl/newscrawl"
USER_AGENT = user_agent(NEWSCRAWL_CONTACT)   # newscrawl/<version> (+<contact>)

# Politeness.  Per-site delay and concurrency come from each site's [politeness] table (one
# download slot per site); a value given here on the command line (-s) overrides every site's.
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
REDIRECT_MAX_TIMES = 10
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"   # a failure is recorded (newscrawl runs), not a crash
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
HTTPERROR_ALLOWED_CODES: list[int] = []

# Retries wait: Retry-After of a 429/503 (at most NEWSCRAWL_RETRY_AFTER_MAX seconds, longer waits
# are left to the next run), else NEWSCRAWL_RETRY_BACKOFF x 2^(attempt-1), at most ..._MAX.
NEWSCRAWL_RETRY_BACKOFF = 2.0
NEWSCRAWL_RETRY_BACKOFF_MAX = 60.0
NEWSCRAWL_RETRY_AFTER_MAX = 300.0

DOWNLOADER_MIDDLEWARES = {
    # before RobotsTxtMiddleware (100): an archived article costs no robots.txt check
    "newscrawl.middlewares.incremental.IncrementalMiddleware": 90,
    "newscrawl.middlewares.contenttype.ContentTypeMiddleware": 95,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newscrawl.middlewares.retry.BackoffRetryMiddleware": 550,
}

EXTENSIONS = {
    "newscrawl.extensions.runguard.RunGuard": -1,      # first: owns the lock and the job directory
    "scrapy.extensions.throttle.AutoThrottle": None,
    "newscrawl.extensions.politeness.SiteAutoThrottle": 0,
    "newscrawl.extensions.failures.FailureRecorder": 500,
    "newscrawl.extensions.progress.Progress": 500,
}

ITEM_PIPELINES = {
    "newscrawl.pipelines.validate.ValidatePipeline": 100,
    "newscrawl.pipelines.normalize.NormalizePipeline": 200,
    "newscrawl.pipelines.store.ArchivePipeline": 300,
}

# Archive: NEWSCRAWL_DB (default: $NEWSCRAWL_DB or ./archive.db), batched transactions.
NEWSCRAWL_DB = None
NEWSCRAWL_BATCH_SIZE = 50
NEWSCRAWL_BATCH_SECONDS = 2.0

# Incremental crawling (see newscrawl.middlewares.incremental).  An archived article is fetched
# again only while younger than NEWSCRAWL_REVISIT_HOURS (per site: [politeness] revisit_hours)
# or when its sitemap lastmod moved; pages found gone or not to be articles are re-checked after
# NEWSCRAWL_RECHECK_HOURS; URLs that failed for a transient reason are retried at the next run's
# start, up to NEWSCRAWL_MAX_ATTEMPTS attempts in all.
NEWSCRAWL_INCREMENTAL = True
NEWSCRAWL_REVISIT_HOURS = 48.0
NEWSCRAWL_RECHECK_HOURS = 24.0
NEWSCRAWL_MAX_ATTEMPTS = 10
NEWSCRAWL_LASTMOD_SLACK_HOURS = 1.0
# NEWSCRAWL_CRAWLSTATE: where the incremental rules read the crawl state, a callable of the
# settings (unset: the archive's tables, newscrawl.extensions.runguard.open_crawlstate; distributed
# mode's add-on sets Redis).  Not set here: add-ons set at a lower priority than this module.

# Resumable runs: Scrapy's JOBDIR per site, <NEWSCRAWL_JOBS_DIR>/<site>/ (unset: jobs/ beside the
# archive; "off" disables; not set here, so that an add-on can).  A per-archive lock (<db>.lock)
# keeps runs from overlapping (NEWSCRAWL_RUN_GUARD, on unless set to False).
NEWSCRAWL_RUN_ID = None          # set by `newscrawl crawl`/`crawl-all`: one run for all sites

# Monitoring: a site whose share of new article pages without a body or a date exceeds its own
# history by more than NEWSCRAWL_DEGRADED_THRESHOLD is flagged ("template changed?").
NEWSCRAWL_DEGRADED_THRESHOLD = 0.30
NEWSCRAWL_DEGRADED_MIN_ARTICLES = 5

# Progress: "auto" (a live line on a terminal, log lines otherwise), "tty", "log" or "off".
NEWSCRAWL_PROGRESS = "auto"
NEWSCRAWL_PROGRESS_INTERVAL = 60.0

LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
LOG_FORMATTER = "newscrawl.logformatter.NewscrawlLogFormatter"

"""Tests of the offline fixture website (fixtures/build_site.py output) and of fixtures/server.py."""
import filecmp
import http.client
import importlib.util
import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.robotparser
from collections import deque
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html
import pytest
from w3lib.url import safe_url_string

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "fixtures"
SITE, NEXT = FIX / "site", FIX / "site_nextday"


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


server_mod = _load("fixture_server", FIX / "server.py")
EXP = json.loads((SITE / "expected.json").read_text("utf-8"))
EXP2 = json.loads((NEXT / "expected.json").read_text("utf-8"))
HOSTS = {s["host"]: name for name, s in EXP["sites"].items()}
ENC = {s["host"]: ("cp1256" if s["encoding"] == "windows-1256" else "utf-8") for s in EXP["sites"].values()}
SKIP_EXT = (".jpg", ".png", ".gif", ".css", ".js", ".ico", ".php")


@pytest.fixture(scope="module")
def srv():
    with server_mod.FixtureServer(SITE) as s:
        yield s


def get(srv, url, headers=None, method="GET", proxy=True):
    """One request, no redirect following. proxy=True: absolute-URI request line; else Host header."""
    u = urlsplit(url)
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    target = url if proxy else (u.path or "/") + ("?" + u.query if u.query else "")
    h = {"Host": u.netloc}
    h.update(headers or {})
    conn.request(method, target, headers=h)
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def fetch(srv, url, max_redirects=2):
    for _ in range(max_redirects + 1):
        status, h, body = get(srv, url)
        if status in (301, 302):
            url = urljoin(url, h["location"])
            continue
        return status, h, body, url
    raise AssertionError("redirect loop at " + url)


def norm(url):
    u = urlsplit(safe_url_string(url))
    return urlunsplit((u.scheme, u.netloc, u.path, u.query, ""))


def decode(host, body):
    return body.decode(ENC.get(host, "utf-8"), "replace")


def text_of(el):
    for bad in el.xpath(".//script|.//style"):
        bad.drop_tree()
    return re.sub(r"\s+", " ", el.text_content()).strip()


def page(host, body):
    return lxml.html.fromstring(decode(host, body))


# ------------------------------------------------------------------ a small independent crawler (lxml + w3lib)
@pytest.fixture(scope="module")
def crawl(srv):
    robots = {}
    for host in HOSTS:
        rp = urllib.robotparser.RobotFileParser()
        rp.parse(decode(host, get(srv, "http://%s/robots.txt" % host)[2]).splitlines())
        robots[host] = rp
    seen, results, links = set(), {}, set()
    queue = deque()
    for name, s in EXP["sites"].items():
        queue.extend([s["home"], s["sitemap"], s["feed"]])
    while queue:
        url = norm(queue.popleft())
        host = urlsplit(url).hostname
        if url in seen or host not in HOSTS or urlsplit(url).path.lower().endswith(SKIP_EXT):
            continue
        seen.add(url)
        if not robots[host].can_fetch("newscrawl-test", url):
            results[url] = ("robots", None, None)
            continue
        status, h, body, final = fetch(srv, url)
        results[url] = (status, final, body)
        if status != 200:
            continue
        ctype = h["content-type"]
        found = []
        if ctype.startswith("text/html"):
            doc = page(host, body)
            found = doc.xpath("//a/@href|//area/@href|//link/@href")
        elif "xml" in ctype:
            root = lxml.etree.fromstring(body)
            found = [e.text for e in root.iter() if isinstance(e.tag, str)
                     and lxml.etree.QName(e).localname in ("loc", "link") and e.text and e.text.strip()]
        for href in found:
            absu = urljoin(final, href.strip())
            if urlsplit(absu).scheme == "http":
                links.add(norm(absu))
                queue.append(absu)
    return {"results": results, "links": links}


def article_pages(crawl):
    """request URL -> article id, identified by body sentences that listings never show."""
    by_sentence = [(a["id"], a["key_sentences"][-1], a["key_sentences"][1]) for a in EXP["articles"]]
    out = {}
    for url, (status, final, body) in crawl["results"].items():
        if status != 200 or not body or not (body.lstrip()[:15].lower().startswith((b"<!doctype", b"<html"))):
            continue
        txt = re.sub(r"\s+", " ", decode(urlsplit(final).hostname, body))
        hits = [aid for aid, s1, s2 in by_sentence if s1 in txt and s2 in txt]
        assert len(hits) <= 1, (url, hits)
        if hits:
            out[url] = hits[0]
    return out


# ------------------------------------------------------------------ generator output
def test_counts_and_schema():
    arts = EXP["articles"]
    assert len(arts) >= 60
    assert len({a["id"] for a in arts}) == len(arts)
    assert {a["site"] for a in arts} == {"shamtimes", "nilenews", "carthage"}
    for a in arts:
        assert a["url"] == safe_url_string(a["url"])
        assert all(x == safe_url_string(x) and x != a["url"] for x in a["aliases"])
        assert 2 <= len(a["key_sentences"]) <= 3 and all(k in a["body"] for k in a["key_sentences"])
        assert a["published"].endswith("Z") and a["published_local"][-6] in "+-"
        assert a["language"] == "ar" and a["encoding"] in ("utf-8", "windows-1256")
    reasons = {n["reason"] for n in EXP["not_articles"]}
    assert {"http_404", "not_article", "empty_body"} <= reasons
    roles = {a.get("fixture_role") for a in arts}
    assert {"truncated", "notitle", "invalid_utf8", "wire"} <= roles
    wire = next(a for a in arts if a.get("fixture_role") == "wire")
    assert wire["syndicated_copies"] and set(wire["syndicated_copies"]) <= set(wire["aliases"])


def test_reference_article_order():
    ref = EXP["articles"][0]
    assert ref["id"] == "shamtimes:turkey-israel-baku-talks"
    p = SITE / "www.shamtimes.test" / (unquote(urlsplit(ref["url"]).path).lstrip("/") + "index.html")
    doc = lxml.html.fromstring(p.read_bytes())
    main = text_of(doc.xpath('//div[@role="main"]')[0])
    paras = ref["body"].split("\n\n")
    assert len(paras) == 5
    seq = ["أخبار سياسية", ref["title"]] + paras + ["إقراء ايضا:"] + \
        [r["text"] for r in ref["related_links"][:6]] + \
        ["مقالات ذات صلة", "اترك تعليقاً", "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *",
         "زر الذهاب إلى الأعلى"]
    pos = 0
    for s in seq:
        i = main.find(s, pos)
        assert i >= 0, s
        pos = i + len(s)


def test_every_page_parses():
    n = 0
    for base in (SITE, NEXT):
        for p in base.rglob("*"):
            rel = p.relative_to(base)
            if not p.is_file() or len(rel.parts) < 2 or p.name == "robots.txt":
                continue
            host = p.stem if rel.parts[0] == "_errors" else rel.parts[0]
            data = p.read_bytes()
            if p.suffix in (".xml", ".rss"):
                lxml.etree.fromstring(data)
            else:
                doc = lxml.html.fromstring(data.decode(ENC[host], "replace"))
                assert doc.get("dir") == "rtl" and doc.get("lang") == "ar", p
                assert doc.xpath("//body"), p
            n += 1
    assert n > 300


def test_generator_is_deterministic(tmp_path):
    build = _load("fixture_build", FIX / "build_site.py")
    build.main(["--site-dir", str(tmp_path / "s"), "--nextday-dir", str(tmp_path / "n")])
    for a, b in ((SITE, tmp_path / "s"), (NEXT, tmp_path / "n")):
        cmp = filecmp.dircmp(a, b)
        stack = [cmp]
        while stack:
            c = stack.pop()
            assert not c.left_only and not c.right_only, (c.left, c.left_only, c.right_only)
            _, mismatch, errors = filecmp.cmpfiles(c.left, c.right, c.common_files, shallow=False)
            assert not mismatch and not errors, mismatch
            stack.extend(c.subdirs.values())


# ------------------------------------------------------------------ server basics
def test_server_content_types_and_errors(srv):
    s, h, _ = get(srv, "http://www.shamtimes.test/")
    assert s == 200 and h["content-type"] == "text/html"
    s, h, _ = get(srv, "http://www.shamtimes.test/feed/")
    assert s == 200 and h["content-type"] == "application/rss+xml"
    s, h, _ = get(srv, "http://www.nilenews.test/sitemap.xml")
    assert s == 200 and h["content-type"] == "application/xml"
    s, h, body = get(srv, "http://www.carthage-info.test/robots.txt")
    assert s == 200 and h["content-type"].startswith("text/plain") and b"Disallow:" in body and b"Sitemap:" in body
    for host in HOSTS:
        s, h, body = get(srv, "http://%s/no/such/page-%s" % (host, "x"))
        assert s == 404 and h["content-type"] == "text/html" and "404" in decode(host, body)
    assert get(srv, "http://www.unknown-site.test/")[0] == 502
    s, h, _ = get(srv, "http://www.shamtimes.test/news?utm_source=x")
    assert s == 301 and h["location"] == "http://www.shamtimes.test/news/?utm_source=x"
    assert get(srv, "http://www.shamtimes.test/", method="POST")[0] == 405
    assert get(srv, "http://www.shamtimes.test/../../etc/passwd", proxy=False)[0] == 404


def test_plain_and_proxy_requests(srv):
    srv.clear_log()
    a = get(srv, "http://www.nilenews.test/robots.txt", proxy=True)
    b = get(srv, "http://www.nilenews.test/robots.txt", proxy=False)
    assert a[0] == b[0] == 200 and a[2] == b[2]
    s, _, _ = get(srv, "http://WWW.NILENEWS.TEST:80/robots.txt?x=1")
    assert s == 200
    log = srv.access_log[-3:]
    assert [e["host"] for e in log] == ["www.nilenews.test"] * 3
    assert log[-1] == {"method": "GET", "host": "www.nilenews.test", "path": "/robots.txt?x=1", "status": 200}
    # a real proxy client (urllib with http_proxy)
    import urllib.request
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": srv.proxy_url}))
    with opener.open("http://www.carthage-info.test/", timeout=10) as r:
        assert r.status == 200
        assert "قرطاج" in r.read().decode("cp1256")


def test_windows_1256_pages(srv):
    host = "www.carthage-info.test"
    for a in [a for a in EXP["articles"] if a["site"] == "carthage"][:5]:
        s, h, body = get(srv, a["url"])
        assert s == 200 and h["content-type"] == "text/html"            # no charset from the server
        assert b'charset=windows-1256' in body[:600]
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        assert a["key_sentences"][0] in body.decode("cp1256")
    assert b"windows-1256" in get(srv, "http://%s/rss.xml" % host)[2][:60]


def test_etag_and_last_modified(srv):
    url = EXP["articles"][1]["url"]
    s, h, body = get(srv, url)
    assert s == 200 and h["etag"] and h["last-modified"]
    assert get(srv, url, {"If-None-Match": h["etag"]})[0] == 304
    assert get(srv, url, {"If-None-Match": '"nope"'})[0] == 200
    assert get(srv, url, {"If-Modified-Since": h["last-modified"]})[0] == 304
    assert get(srv, url, {"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"})[0] == 200
    # Last-Modified comes from the truth, not from file mtimes
    a = EXP["articles"][1]
    from email.utils import parsedate_to_datetime
    lm = parsedate_to_datetime(h["last-modified"]).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert lm == (a["modified"] or a["published"])


def test_client_disconnect_does_not_kill_server(srv):
    big = EXP["articles"][0]["url"]
    for _ in range(20):
        sock = socket.create_connection(("127.0.0.1", srv.port))
        sock.sendall(("GET %s HTTP/1.1\r\nHost: www.shamtimes.test\r\n\r\n" % big).encode())
        sock.recv(10)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()
    sock = socket.create_connection(("127.0.0.1", srv.port))
    sock.sendall(b"GARBAGE\r\n\r\n")
    sock.close()
    time.sleep(0.2)
    assert get(srv, big)[0] == 200


def test_raw_utf8_request_line(srv):
    a = EXP["articles"][0]
    raw = unquote(a["url"])
    sock = socket.create_connection(("127.0.0.1", srv.port))
    sock.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % raw).encode("utf-8"))
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    sock.close()
    assert data.startswith(b"HTTP/1.1 200")


# ------------------------------------------------------------------ truth vs served pages
def test_all_truth_urls_served(srv):
    for a in EXP["articles"]:
        s, _, body, _ = fetch(srv, a["url"])
        assert s == 200, a["url"]
        txt = decode(urlsplit(a["url"]).hostname, body)
        assert a["published_raw"] in txt
        for k in a["key_sentences"]:
            assert k in re.sub(r"\s+", " ", txt), (a["id"], k)
        for al in a["aliases"]:
            s, _, body, _ = fetch(srv, al)
            assert s == 200, al
            assert a["key_sentences"][-1] in re.sub(r"\s+", " ", decode(urlsplit(al).hostname, body)), al
    for n in EXP["not_articles"]:
        s = fetch(srv, n["url"])[0]
        assert s == (404 if n["reason"] == "http_404" else 200), n


def _extract(site, doc):
    """Test-side mini extractor built from knowledge of the three templates."""
    if site == "shamtimes":
        body = doc.xpath('//div[contains(@class,"entry-content")]')[0]
        paras = [p for p in body.xpath("./p") if not p.xpath("./strong") or p.text_content().strip() != p.xpath("string(./strong)")]
        texts = [text_of(p) for p in paras]
        rel = body.xpath("./ul/li/a|.//div[@class='read-also']//a") + doc.xpath('//div[@id="related-posts"]//h3/a')
        imgs = doc.xpath('//figure[contains(@class,"single-featured-image")]/img/@src') + body.xpath(".//img/@src")
        title = doc.xpath("string(//h1)") or None
    elif site == "nilenews":
        body = doc.xpath('//div[@id="articleBody"]')[0]
        texts = [text_of(p) for p in body.xpath("./p")]
        rel = body.xpath(".//div[@class='related-inline']//a") + doc.xpath('//div[@class="relatedNews"]//a')
        imgs = doc.xpath('//div[@class="img-cont"]/img/@src') + body.xpath(".//img/@src")
        title = doc.xpath("string(//h1)") or None
    else:
        body = doc.xpath('//div[@id="texte"]')[0]
        ps = body.xpath(".//p")
        texts = [text_of(p) for p in ps] if ps else \
            [re.sub(r"\s+", " ", t).strip() for t in re.split(r"\n\s*\n", "".join(body.itertext())) if t.strip()]
        rel = doc.xpath('//table[@class="connexes"]//a')
        imgs = doc.xpath('//img[contains(@src,"/upload/images/")]/@src')
        title = doc.xpath("string(//h1)") or None
    return title, texts, [(a.get("href"), text_of(a)) for a in rel], imgs


def test_truth_matches_pages(srv):
    for a in EXP["articles"]:
        s, h, body, final = fetch(srv, a["url"])
        host = urlsplit(final).hostname
        doc = page(host, body)
        title, texts, rel, imgs = _extract(a["site"], doc)
        if a["title"] is None:
            assert not doc.xpath("//title|//h1|//meta[@property='og:title']")
        else:
            assert title.strip() == a["title"]
        if a["body_exact"]:
            assert "\n\n".join(texts) == a["body"], a["id"]
        else:
            assert len(texts) == len(a["body"].split("\n\n")) and "\ufffd" in "".join(texts)
        assert [(norm(urljoin(final, u)), t) for u, t in rel] == [(r["url"], r["text"]) for r in a["related_links"]], a["id"]
        assert [norm(urljoin(final, i)) for i in imgs] == a["images"], a["id"]
        if a["site"] != "carthage":
            ld = [json.loads(x) for x in doc.xpath('//script[@type="application/ld+json"]/text()')]
            flat = json.dumps(ld, ensure_ascii=False)
            assert a["published_local"] in flat
            assert ("dateModified" in flat) == (a["modified"] is not None), a["id"]
            canon = doc.xpath('//link[@rel="canonical"]/@href')
            assert norm(canon[0]) == a["url"]
        elif a["modified"]:
            assert "آخر تحيين" in text_of(doc)


def test_crawl_reaches_exactly_the_aliases(crawl):
    pages = article_pages(crawl)
    reached = {}
    for url, aid in pages.items():
        reached.setdefault(aid, set()).add(url)
    for a in EXP["articles"]:
        assert reached.get(a["id"], set()) == {a["url"], *a["aliases"]}, a["id"]
    res = crawl["results"]
    for n in EXP["not_articles"]:
        st = res[n["url"]][0]
        assert st == (404 if n["reason"] == "http_404" else 200), n
        assert n["url"] not in pages
    for u in EXP["robots_disallowed"]:
        assert u in crawl["links"] and res[u][0] == "robots"


def test_sitemaps_and_listings_cover_all_articles(srv, crawl):
    locs, listed = set(), set()
    for name, s in EXP["sites"].items():
        root = lxml.etree.fromstring(get(srv, s["sitemap"])[2])
        for sm in root.iter("{*}loc"):
            sub = lxml.etree.fromstring(get(srv, sm.text)[2])
            locs |= {norm(e.text) for e in sub.iter("{*}loc")}
    pages = article_pages(crawl)
    for url, (status, final, body) in crawl["results"].items():
        p = urlsplit(url).path
        if status == 200 and re.search(r"/(category|Section|rubrique|archives|news)/", p):
            doc = page(urlsplit(final).hostname, body)
            listed |= {norm(urljoin(final, h)) for h in doc.xpath("//a/@href")}
    for a in EXP["articles"]:
        urls = {a["url"], *a["aliases"]}
        assert urls & locs, a["id"]
        assert urls & listed, a["id"]
    bad = [n for n in EXP["not_articles"] if n["reason"] in ("empty_body",)]
    assert all(n["url"] in locs and n["url"] in listed for n in bad)


# ------------------------------------------------------------------ day 2
def test_overlay_state():
    day1 = {a["id"]: a for a in EXP["articles"]}
    day2 = {a["id"]: a for a in EXP2["articles"]}
    assert EXP2["new"] and EXP2["edited"] and EXP2["deleted"]
    assert set(day2) == (set(day1) - set(EXP2["deleted"])) | set(EXP2["new"])
    with server_mod.FixtureServer(SITE) as s:
        for aid in EXP2["new"]:
            assert fetch(s, day2[aid]["url"])[0] == 404
        s.set_overlay(NEXT)
        for a in day2.values():
            st, _, body, final = fetch(s, a["url"])
            assert st == 200 and a["key_sentences"][-1] in re.sub(r"\s+", " ", decode(urlsplit(final).hostname, body))
        for aid in EXP2["deleted"]:
            a = day1[aid]
            assert fetch(s, a["url"])[0] == 410
            assert get(s, a["url"].rstrip("/"))[0] == 410
        for aid in EXP2["edited"]:
            old, new = day1[aid], day2[aid]
            assert old["title"] != new["title"] and old["body"] != new["body"] and new["modified"] > old["published"]
            body = fetch(s, new["url"])[2].decode()
            assert new["title"] in body and old["title"] + "<" not in body
        home = decode("www.shamtimes.test", get(s, "http://www.shamtimes.test/")[2])
        assert all(day2[aid]["title"] in home for aid in EXP2["new"] if aid.startswith("shamtimes:"))
        gone = [n["url"] for n in EXP2["not_articles"] if n["reason"] == "http_410"]
        assert gone and all(fetch(s, u)[0] == 410 for u in gone)
        s.set_overlay(None)
        assert fetch(s, day1[EXP2["deleted"][0]]["url"])[0] == 200


def test_runnable_server():
    p = subprocess.Popen([sys.executable, str(FIX / "server.py"), "--root", str(SITE), "--overlay", str(NEXT), "--port", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline().strip()
        assert line.startswith("proxy=http://127.0.0.1:")
        port = int(line.rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "http://www.shamtimes.test/robots.txt")
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=10)
    assert p.returncode == 0 and err == ""


def test_synthetic_site(tmp_path):
    build = _load("fixture_build_syn", FIX / "build_site.py")
    out = tmp_path / "syn"
    build.main(["--synthetic", "300", "--out", str(out)])
    exp = json.loads((out / "expected.json").read_text("utf-8"))
    arts = exp["articles"]
    assert len(arts) == 300 and len({a["url"] for a in arts}) == 300 and len({a["title"] for a in arts}) == 300
    with server_mod.FixtureServer(out) as s:
        locs = set()
        for site in exp["sites"].values():
            root = lxml.etree.fromstring(get(s, site["sitemap"])[2])
            for sm in root.iter("{*}loc"):
                locs |= {norm(e.text) for e in lxml.etree.fromstring(get(s, sm.text)[2]).iter("{*}loc")}
        assert {a["url"] for a in arts} <= locs
        for a in arts[::17]:
            st, _, body, final = fetch(s, a["url"])
            assert st == 200 and a["key_sentences"][-1] in re.sub(r"\s+", " ", decode(urlsplit(final).hostname, body))

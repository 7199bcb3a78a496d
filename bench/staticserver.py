"""A fast local static server for benchmarks: nginx serving a generated fixture site.

The Python standard library's http.server is too slow to measure a crawler against (it, not the
crawler, would be the bottleneck).  nginx serves ``DIR/<host>/…`` for the fixture host names; it
accepts proxy-style absolute-URI request lines, so crawlers reach it through ``http_proxy`` exactly
as they reach the fixture server in the tests.  Installed from Debian's package when missing.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["ensure_nginx", "StaticServer"]

CONFIG = """
{user}
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format hostpath '$host $request_uri $status';
    access_log {access_log} hostpath;
    default_type text/html;
    types {{ text/html html htm; application/xml xml; application/rss+xml rss; text/plain txt; }}
    sendfile on;
    keepalive_requests 100000;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port} default_server;
        server_name _;
        root {root}/$host;
        index index.html index.xml index.rss;
        location / {{ try_files $uri $uri/index.html $uri/index.xml $uri/index.rss $uri/ =404; }}
    }}
}}
"""


def ensure_nginx() -> str:
    """Path of the nginx binary, installing Debian's nginx-light package if needed (root only)."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found:
        return found
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "nginx-light"], check=True, env=env,
                   capture_output=True)
    return shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StaticServer:
    """nginx on 127.0.0.1:<free port> serving *root*; ``proxy_url`` for crawlers' ``http_proxy``."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self.tmp = Path(tempfile.mkdtemp(prefix="newscrawl-nginx-"))
        self.port = free_port()
        self.access_log = self.tmp / "access.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> StaticServer:
        conf = self.tmp / "nginx.conf"
        # As root, nginx's workers would drop to "nobody" and could not read a 0700 temp folder.
        user = "user root;" if os.geteuid() == 0 else ""
        conf.write_text(CONFIG.format(user=user, tmp=self.tmp, port=self.port, root=self.root,
                                      access_log=self.access_log))
        self.process = subprocess.Popen([ensure_nginx(), "-c", str(conf), "-p", str(self.tmp)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"nginx failed: {self.process.stderr.read().decode()}")
                time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    def requests(self) -> list[tuple[str, str, int]]:
        """(host, path with query, status) of every request served so far."""
        rows = []
        if self.access_log.exists():
            for line in self.access_log.read_text(errors="replace").splitlines():
                host, uri, status = line.rsplit(" ", 2)
                rows.append((host, uri, int(status)))
        return rows

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> StaticServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

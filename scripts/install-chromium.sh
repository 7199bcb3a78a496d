#!/bin/sh
# Install Debian's Chromium for tests/test_serve_browser.py (headless, no downloads of its own).
# Idempotent: does nothing when /usr/bin/chromium is already there.  Without root (or sudo) it
# prints what to run and exits 0, so `make test` still runs; the browser test then skips.
set -eu

if [ -x /usr/bin/chromium ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "install-chromium: not root; run 'sudo apt-get install chromium chromium-driver'" \
         "to enable tests/test_serve_browser.py" >&2
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
/usr/bin/chromium --version

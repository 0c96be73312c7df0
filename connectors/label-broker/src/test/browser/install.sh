#!/usr/bin/env bash
# Installs the headless browser WorkerPageBrowserTest drives: Debian's chromium. Idempotent.
# Called by .ci/run before `mvn verify`. Without it the browser tests fail when CI is set, and are
# skipped with this instruction on a developer's machine.
set -euo pipefail
if [ -n "${CHROMIUM:-}" ] && [ -x "${CHROMIUM}" ]; then
  exit 0
fi
for b in chromium chromium-browser google-chrome google-chrome-stable; do
  if command -v "$b" >/dev/null 2>&1; then
    exit 0
  fi
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq chromium
else
  echo "install.sh: the worker page's browser test needs Chromium (Debian: apt-get install chromium)" >&2
  exit 1
fi

#!/usr/bin/env bash
# Installs what the monitoring tests drive: Debian's prometheus (the server and promtool, 2.42 on bookworm) and
# docker-compose (1.29, only to validate docker/compose.yaml: no container engine is installed or run). Idempotent.
# Called by .ci/run before `mvn verify`. Without them the tests fail when CI is set, and are skipped with this
# instruction on a developer's machine.
set -euo pipefail
missing=()
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  # --no-install-recommends: docker-compose recommends the docker engine, which these checks neither need nor start
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install.sh: the monitoring tests need ${missing[*]} (Debian: apt-get install --no-install-recommends prometheus docker-compose)" >&2
  exit 1
fi

#!/usr/bin/env bash
# Installs the third-party schema-registry client that RegistryInteropTest drives against our server:
# @kafkajs/confluent-schema-registry, at the version pinned in package-lock.json. Idempotent.
# Called by .ci/run before `mvn verify`, and by Maven itself (profile npm-interop in connectors/registry/pom.xml)
# when node_modules is missing.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq nodejs npm
  else
    echo "install.sh: node and npm are needed for the registry interop test (Debian: apt-get install nodejs npm)" >&2
    exit 1
  fi
fi
if [ -f node_modules/@kafkajs/confluent-schema-registry/package.json ] \
   && cmp -s package-lock.json node_modules/.package-lock.json.installed 2>/dev/null; then
  exit 0
fi
# --ignore-scripts: nothing here needs an install script (protobufjs' only prints a version hint)
npm ci --no-audit --no-fund --ignore-scripts
cp package-lock.json node_modules/.package-lock.json.installed

#!/usr/bin/env bash
# Installs Mozilla's HTTP Observatory (@mdn/mdn-http-observatory) into the
# test-only folder headers/testdata/observatory, which the headers tests use
# to grade both header profiles offline. Idempotent: does nothing when the
# package is already there.
set -euo pipefail
cd "$(dirname "$0")/../../headers/testdata/observatory"
if ! command -v npm >/dev/null 2>&1; then
	if command -v apt-get >/dev/null 2>&1; then
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
	else
		echo "headers.sh: npm is required" >&2
		exit 1
	fi
fi
if [[ ! -f node_modules/@mdn/mdn-http-observatory/package.json ]]; then
	# --ignore-scripts: the postinstall step downloads the HSTS preload list
	# and the TLD list; the grading needs neither.
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi
# Offline stand-in for the preload list: no host counts as preloaded.
preload=node_modules/@mdn/mdn-http-observatory/conf/hsts-preload.json
[[ -f "$preload" ]] || echo '{}' >"$preload"

#!/usr/bin/env bash
# Programs the tests drive for real: Debian's chromium (browser tests, through Playwright) and
# nginx-light (the X-Accel-Redirect / S3 proxy tests). Installs whichever is missing.
set -u
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The package starts a system nginx on port 80; the tests run their own.
  command -v service >/dev/null && service nginx stop >/dev/null 2>&1
fi
command -v chromium >/dev/null && { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; }

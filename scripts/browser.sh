#!/usr/bin/env bash
# Browser tests drive Debian's chromium through Playwright; install it if it is missing.
set -u
command -v chromium >/dev/null && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null
fi
command -v chromium >/dev/null

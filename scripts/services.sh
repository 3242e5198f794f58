#!/usr/bin/env bash
# Start this machine's PostgreSQL and Redis if they are down (as root, on the CI machine kind).
set -u
ok=0
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 20); do pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
  fi
  pg_isready -q -h 127.0.0.1 || { echo "PostgreSQL is down and could not be started" >&2; ok=1; }
fi
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null; then
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
    for _ in $(seq 20); do redis-cli ping >/dev/null 2>&1 && break; sleep 0.5; done
  fi
  redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || { echo "Redis is down and could not be started" >&2; ok=1; }
fi
exit $ok

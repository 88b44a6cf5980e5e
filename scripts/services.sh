#!/usr/bin/env bash
# Makes sure the local PostgreSQL and Redis the tests use are running: starts them when they are
# installed but stopped, and fails with a clear message when they are missing.
set -euo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql >/dev/null 2>&1; then
    echo "services: starting PostgreSQL"
    for version in $(ls /etc/postgresql); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
    for _ in $(seq 1 50); do pg_up && break; sleep 0.2; done
  fi
  pg_up || { echo "services: PostgreSQL is not running on 127.0.0.1:5432 and could not be started (is it installed?)" >&2; exit 1; }
fi

if ! redis_up; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "services: starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    for _ in $(seq 1 50); do redis_up && break; sleep 0.2; done
  fi
  redis_up || { echo "services: Redis is not running on 127.0.0.1:6379 and could not be started (is it installed?)" >&2; exit 1; }
fi

# The test database the harness connects to in order to create per-test databases.
psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE test" >/dev/null
echo "services: PostgreSQL and Redis are up"

#!/bin/sh
# What the containers run besides the processes themselves (see docs/deploy.md).
#
#   deploy/container.sh init   set up or upgrade: refuse placeholder secrets, run
#                              `manage.py bootstrap` (migrate, collectstatic, bundled data sets,
#                              course, figures, demo accounts), then record this build as set up
#   deploy/container.sh wait   wait until the set-up of this build has run (Kubernetes init
#                              containers; compose orders start-up with depends_on instead)
#
# The build's fingerprint is /app/.build-id (written by the Dockerfile); the record is
# $DLC_DATA_ROOT/.bootstrapped-build, on the shared volume.
set -eu

cd "$(dirname "$0")/.."
BUILD_ID=$(cat .build-id 2>/dev/null || echo dev)
DATA_ROOT=${DLC_DATA_ROOT:-/data}
STAMP="$DATA_ROOT/.bootstrapped-build"

placeholder() {
  case "$1" in
    "" | *change-me* | *CHANGE-ME* | *CHANGEME*) return 0 ;;
  esac
  return 1
}

case "${1:-}" in
  init)
    if placeholder "${SECRET_KEY:-}"; then
      echo "SECRET_KEY is empty or still the placeholder: set a real one (docs/deploy.md, Secrets)." >&2
      exit 1
    fi
    if placeholder "${DATABASE_URL:-}"; then
      echo "DATABASE_URL is empty or still holds the placeholder password (docs/deploy.md, Secrets)." >&2
      exit 1
    fi
    # The database may still be starting (a fresh PostgreSQL pod): wait up to five minutes.
    tries=0
    until python manage.py shell -v 0 -c "from django.db import connection; connection.ensure_connection()" >/dev/null 2>&1; do
      tries=$((tries + 1))
      if [ "$tries" -ge 60 ]; then
        echo "the database is not reachable (DATABASE_URL); giving up" >&2
        exit 1
      fi
      if [ $((tries % 6)) -eq 1 ]; then echo "waiting for the database …"; fi
      sleep 5
    done
    python manage.py bootstrap
    mkdir -p "$DATA_ROOT"
    printf '%s\n' "$BUILD_ID" > "$STAMP.tmp"
    mv "$STAMP.tmp" "$STAMP"
    echo "set-up of build $BUILD_ID done"
    ;;
  wait)
    tries=0
    until [ "$(cat "$STAMP" 2>/dev/null || true)" = "$BUILD_ID" ] && python manage.py migrate --check >/dev/null 2>&1; do
      if [ $((tries % 12)) -eq 0 ]; then
        echo "waiting for the set-up job of build $BUILD_ID (found: $(cat "$STAMP" 2>/dev/null || echo none)) …"
      fi
      tries=$((tries + 1))
      sleep 5
    done
    echo "build $BUILD_ID is set up"
    ;;
  *)
    echo "usage: deploy/container.sh init | wait" >&2
    exit 2
    ;;
esac

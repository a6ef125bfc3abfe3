#!/usr/bin/env bash
# The whole test suite, as README and .ci/run call it (`npm test`):
# build → type-check → lint → dependency rules → start the test services → unit + integration tests → stop them.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== build"
npx tsc -p tsconfig.build.json
echo "== type-check (sources and tests)"
npx tsc -p tsconfig.json --noEmit
echo "== lint"
npx biome lint .
echo "== dependency rules"
npx depcruise --config .dependency-cruiser.cjs core formats checksums partitioning profiling connectors transform transport coordinator worker cli
echo "== dependency advisories"
bash scripts/audit.sh

# The services the integration tests talk to: real PostgreSQL, MariaDB and NATS on loopback, started here
# (and installed from Debian when missing). Tests fail, never skip, when a service is unavailable.
if [ -z "${FERRY_TEST_SKIP_SERVICES:-}" ]; then
  echo "== services"
  bash scripts/services.sh start all
  trap 'bash scripts/services.sh stop all' EXIT
  set -a
  # shellcheck disable=SC1091
  . "${FERRY_SERVICES_DIR:-/tmp/ferry-services}/env"
  set +a
fi

echo "== tests"
npx vitest run "$@"

#!/usr/bin/env bash
# THE test command (README, .ci/run, CI): sets everything up itself, then runs every check and every test.
#   1. bootstrap: pinned tools, npm ci when the lock changed, workspace build (idempotent, seconds when warm)
#   2. typecheck, eslint, prettier
#   3. package checks on @apexseo/worker-sdk: publint, are-the-types-wrong, npm pack --dry-run
#   4. helm lint of the chart with each profile; actionlint (with ShellCheck) of .github/workflows
#   5. container images: Docker installed and started if missing, both images built (scripts/images.sh)
#   6. vitest run: every test, against real Temporal, PostgreSQL, ClickHouse and Neo4j started by the harness
# All checks run even after one fails, so one run shows every problem; the exit code is non-zero if any failed.
# Extra arguments go to vitest (e.g. scripts/test.sh test/foundation).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

"$ROOT/scripts/bootstrap.sh" || { echo "test.sh: bootstrap failed" >&2; exit 1; }
source "$ROOT/scripts/env.sh"
mkdir -p .run

failed=()
step() { # name command...
  local name=$1 started=$SECONDS
  shift
  printf '\n\033[1;36m== %s\033[0m\n' "$name"
  if "$@"; then
    printf '\033[1;32m== %s: ok (%d s)\033[0m\n' "$name" $((SECONDS - started))
  else
    printf '\033[1;31m== %s: FAILED (%d s)\033[0m\n' "$name" $((SECONDS - started))
    failed+=("$name")
  fi
}

helm_lint() {
  local chart=charts/apexseo
  [[ -f $chart/Chart.yaml ]] || { echo "no $chart/Chart.yaml" >&2; return 1; }
  helm lint "$chart" || return 1
  local profile
  for profile in "$chart"/values-*.yaml; do
    [[ -f $profile ]] || continue
    helm lint "$chart" -f "$profile" || return 1
  done
}

step "typecheck (tsc)" tsc -p tsconfig.json
# Caches live in .run/ (git-ignored): unchanged files are not linted again on the next run.
step "eslint" eslint --max-warnings=0 --cache --cache-location .run/eslint-cache .
step "prettier" prettier --check --log-level=warn --cache --cache-location .run/prettier-cache .
step "publint (worker-sdk)" publint packages/worker-sdk --strict
# node16 profile: the package requires Node >= 24, so pre-exports resolvers (node10) are out of scope.
step "are-the-types-wrong (worker-sdk)" attw --pack packages/worker-sdk --profile node16
step "npm pack --dry-run (worker-sdk)" npm pack --dry-run --workspace @apexseo/worker-sdk
step "helm lint (charts/apexseo)" helm_lint
step "actionlint (.github/workflows)" actionlint
step "container images (scripts/images.sh)" scripts/images.sh
step "vitest" vitest run --reporter=default --reporter=json --outputFile.json=.run/vitest.json "$@"

# One plain summary line ("N passed, N failed") for tools that read the closing line.
node scripts/lib/vitest-summary.ts .run/vitest.json || true
if ((${#failed[@]})); then
  printf '\n\033[1;31mtest.sh: FAILED: %s\033[0m\n' "$(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')"
  exit 1
fi
printf '\n\033[1;32mtest.sh: all checks passed\033[0m\n'

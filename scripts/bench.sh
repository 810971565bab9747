#!/usr/bin/env bash
# The slow runs: benchmarks that take minutes and are kept out of the test command.
#   scripts/bench.sh isolation               full isolation benchmark (10,000-audit flood; ~20-30 min here)
#   scripts/bench.sh isolation --mode quick  iteration size (1,000-audit flood; a few minutes)
#   scripts/bench.sh isolation --runs A,B --flood 2000 ...   any knob of bench/isolation/src/bench-config.ts
# Results are written to bench/<name>/results/<mode>/ and summarised on stdout.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$APEXSEO_ROOT"

name="${1:-}"
shift || true
case "$name" in
  isolation)
    args=("$@")
    [[ " ${args[*]-} " == *" --mode "* ]] || args=(--mode full "${args[@]}")
    exec node --import tsx bench/isolation/src/run-bench.ts "${args[@]}"
    ;;
  *)
    echo "usage: scripts/bench.sh isolation [--mode quick|full] [--runs A,B,C,D] [overrides]" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# The main job on embedded defaults. Sets everything up itself (bootstrap: tools, npm ci, build), then runs
# scripts/demo.ts. Today it starts the local stack (PostgreSQL, Temporal, ClickHouse, Neo4j) through the test
# harness and shows it is healthy; it grows into the full local E-E-A-T audit demo.
# Arguments go to scripts/demo.ts (e.g. --keep to leave the stack running until Ctrl-C).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/bootstrap.sh"
source "$ROOT/scripts/env.sh"
cd "$ROOT"
exec node --import tsx scripts/demo.ts "$@"

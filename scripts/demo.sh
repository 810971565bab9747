#!/usr/bin/env bash
# The main job on embedded defaults. Sets everything up itself (bootstrap: tools, npm ci, build), then runs
# scripts/demo.ts: the local stack through the services harness, then a local E-E-A-T audit (see that file).
# Arguments go to scripts/demo.ts.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/bootstrap.sh"
source "$ROOT/scripts/env.sh"
cd "$ROOT"
exec node --import tsx scripts/demo.ts "$@"

#!/usr/bin/env bash
# Runs npm under a lock so that concurrent installs in this workspace never interleave.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$APEXSEO_ROOT"
exec flock "$APEXSEO_ROOT/.tools/npm.lock" npm "$@"

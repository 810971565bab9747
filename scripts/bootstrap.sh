#!/usr/bin/env bash
# Installs every tool the project needs into git-ignored folders (.tools/), pinned to exact versions.
# Idempotent: a tool already present at its pinned version is left alone, so a second run takes seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
mkdir -p "$BIN"

NODE_MAJOR=24
HELM_VERSION=v3.22.0
TEMPORAL_CLI_VERSION=v1.5.1
CT_VERSION=v3.14.0
KUBECONFORM_VERSION=v0.7.0
REGISTRY_VERSION=v3.0.0
YAMLLINT_VERSION=1.38.0
YAMALE_VERSION=6.1.0

log() { printf '\033[1;34m[bootstrap]\033[0m %s\n' "$*" >&2; }

# --- Debian packages: PostgreSQL, ClickHouse, Prometheus (promtool) --------------------------------
apt_packages=()
command -v /usr/lib/postgresql/15/bin/postgres >/dev/null 2>&1 || apt_packages+=(postgresql)
command -v clickhouse-server >/dev/null 2>&1 || apt_packages+=(clickhouse-server clickhouse-client)
command -v promtool >/dev/null 2>&1 || apt_packages+=(prometheus)
if ((${#apt_packages[@]})); then
  log "apt-get install ${apt_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
  # The packages start system services; the project runs its own instances on free ports instead.
  for svc in postgresql clickhouse-server prometheus; do
    (service "$svc" stop >/dev/null 2>&1 || true)
  done
fi

# --- Go-built tools ----------------------------------------------------------------------------------
go_tool() { # name module version
  local name=$1 module=$2 version=$3 stamp="$TOOLS/stamps/$1"
  mkdir -p "$TOOLS/stamps"
  if [[ -x "$BIN/$name" && "$(cat "$stamp" 2>/dev/null)" == "$version" ]]; then return; fi
  log "go install $module@$version"
  GOBIN="$BIN" GOFLAGS=-mod=mod go install "$module@$version"
  echo "$version" >"$stamp"
}
go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION"
go_tool temporal github.com/temporalio/cli/cmd/temporal "$TEMPORAL_CLI_VERSION"
go_tool ct github.com/helm/chart-testing/v3/ct "$CT_VERSION"
go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"
go_tool registry github.com/distribution/distribution/v3/cmd/registry "$REGISTRY_VERSION"

log "tools ready in $TOOLS"

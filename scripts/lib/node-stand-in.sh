#!/usr/bin/env bash
# TEST-ONLY stand-in for the `node:24-bookworm-slim` base image, for machines that cannot pull it (no registry
# reachable). Built from the same parts the real image is made of, each from a package registry:
#   - a Debian 12 (bookworm) minbase root filesystem from Debian's archive (mmdebstrap), with ca-certificates
#   - Node.js from the npm package node-linux-<arch> (its bin/node) and npm from the npm package npm
#   - the `node` user and group, uid/gid 1000, home /home/node
# plus one machine-specific part that never enters the project's Dockerfiles: this host's CA bundle
# (/etc/ssl/certs/ca-certificates.crt, exported to Node as NODE_EXTRA_CA_CERTS), so that `npm ci` inside a
# build trusts the TLS-intercepting proxy the host itself goes through.
#
# Tagged `node:24-bookworm-slim` with the label org.apexseo.test-stand-in=<recipe hash>; scripts/images.sh
# calls this only when the pinned base cannot be pulled, and it rebuilds only when the recipe (this file, the
# versions below, the host CA bundle) changed. Usage: scripts/lib/node-stand-in.sh
set -euo pipefail

NODE_VERSION=24.21.0
NPM_VERSION=11.19.1
TAG=node:24-bookworm-slim
HOST_CA=/etc/ssl/certs/ca-certificates.crt
DEBIAN_MIRROR="${APEXSEO_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

log() { printf '\033[1;34m[node-stand-in]\033[0m %s\n' "$*" >&2; }

case "$(dpkg --print-architecture)" in
  amd64) node_arch=x64 ;;
  arm64) node_arch=arm64 ;;
  *) echo "node-stand-in: unsupported architecture $(dpkg --print-architecture)" >&2; exit 1 ;;
esac
# The recipe: this script without its comments (editing a comment must not rebuild every image), the CA bundle.
recipe="$({ grep -v '^ *#' "${BASH_SOURCE[0]}"; cat "$HOST_CA"; } | sha256sum | cut -c1-16)-$node_arch"
current="$(docker image inspect --format '{{ index .Config.Labels "org.apexseo.test-stand-in" }}' "$TAG" 2>/dev/null || true)"
if [[ "$current" == "$recipe" ]]; then
  exit 0
fi

command -v mmdebstrap >/dev/null || {
  log "apt-get install mmdebstrap"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    mmdebstrap >/dev/null
}

work="$(mktemp -d /tmp/apexseo-node-stand-in.XXXXXX)"
trap 'rm -rf "$work"' EXIT
started=$SECONDS

log "npm pack node-linux-$node_arch@$NODE_VERSION npm@$NPM_VERSION"
(cd "$work" && npm pack --silent "node-linux-$node_arch@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
mkdir -p "$work/node" "$work/npm"
tar -xzf "$work"/node-linux-"$node_arch"-*.tgz -C "$work/node" --strip-components=1
tar -xzf "$work"/npm-*.tgz -C "$work/npm" --strip-components=1

log "mmdebstrap bookworm minbase ($DEBIAN_MIRROR)"
# The hooks run on the finished root filesystem ($1): Node.js and npm under /usr/local as in the real image,
# the node user, the host CA bundle; apt's package lists are dropped as the real image drops them.
# shellcheck disable=SC2016 # "$1" is the root filesystem, expanded by mmdebstrap when it runs each hook
mmdebstrap --quiet --variant=minbase --include=ca-certificates \
  --customize-hook="install -m 0755 '$work/node/bin/node' \"\$1/usr/local/bin/node\"" \
  --customize-hook="mkdir -p \"\$1/usr/local/lib/node_modules\" && cp -a '$work/npm' \"\$1/usr/local/lib/node_modules/npm\"" \
  --customize-hook='ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm" && ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"' \
  --customize-hook='echo "node:x:1000:" >>"$1/etc/group" && echo "node:x:1000:1000::/home/node:/bin/bash" >>"$1/etc/passwd" && echo "node:*:20000:0:99999:7:::" >>"$1/etc/shadow"' \
  --customize-hook='mkdir -p "$1/home/node" && chown 1000:1000 "$1/home/node"' \
  --customize-hook="cp '$HOST_CA' \"\$1/etc/ssl/certs/ca-certificates.crt\"" \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
  bookworm "$work/rootfs.tar" "$DEBIAN_MIRROR"

log "docker import as $TAG (test-only stand-in)"
docker import \
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV NODE_VERSION=$NODE_VERSION" \
  --change "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt" \
  --change "LABEL org.apexseo.test-stand-in=$recipe" \
  --change 'CMD ["node"]' \
  "$work/rootfs.tar" "$TAG" >/dev/null
log "built $TAG (stand-in, node $NODE_VERSION, npm $NPM_VERSION) in $((SECONDS - started)) s"

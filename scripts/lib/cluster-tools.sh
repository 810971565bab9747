#!/usr/bin/env bash
# Builds and unpacks what the cluster tests (test/cluster) run, pinned, into .tools/cluster/:
#   bin/      kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy (Kubernetes, tools module
#             scripts/tools/kubernetes), keda-operator, keda-adapter, keda-webhooks (KEDA, scripts/tools/keda),
#             coredns (scripts/tools/coredns), pause (Kubernetes' own build/pause/linux/pause.c, static)
#   debroot/  Debian's etcd, containerd, runc and CNI plugins, unpacked with `dpkg -x` (nothing is installed or started)
# Called by scripts/bootstrap.sh with its stamp helpers. Each part is rebuilt only when its pinned inputs change; the
# Go build cache makes a rebuild after a fresh clone a relink (seconds), a cold build takes 20-40 minutes.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$ROOT/.tools/cluster"
STAMPS="$ROOT/.tools/stamps"
DEBS_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/apexseo/debs"
mkdir -p "$OUT/bin" "$STAMPS"

KUBERNETES_VERSION=v1.35.5 # also in scripts/tools/kubernetes/go.mod
KEDA_VERSION=v2.20.2       # also in scripts/tools/keda/go.mod
DEBIAN_PACKAGES="etcd-server=3.4.23-4+b4 containerd=1.6.20~ds1-1+deb12u3 runc=1.1.5+ds1-1+deb12u1 containernetworking-plugins=1.1.1+ds1-3+b5"

log() { printf '\033[1;34m[bootstrap]\033[0m %s\n' "$*" >&2; }
stamp_is() { [[ -f "$STAMPS/$1" && "$(cat "$STAMPS/$1")" == "$2" ]]; }
stamp_set() { printf '%s' "$2" >"$STAMPS/$1"; }
hash_of() { cat "$@" | sha256sum | cut -c1-16; }
up_to_date=()

# Static binaries (CGO off): the KEDA, CoreDNS and pause images are FROM scratch.
build_in_module() { # stamp-name module-dir ldflags output:package...
  local name=$1 module=$2 ldflags=$3 dir="$ROOT/scripts/tools/$2" stamp pair missing=0
  shift 3
  stamp="$(hash_of $(find "$dir" -maxdepth 1 -type f | sort)) $ldflags"
  for pair in "$@"; do [[ -x "$OUT/bin/${pair%%:*}" ]] || missing=1; done
  if ((missing == 0)) && stamp_is "$name" "$stamp"; then
    up_to_date+=("$name")
    return
  fi
  log "go build $name (tools module scripts/tools/$module; a cold build takes minutes)"
  for pair in "$@"; do
    (cd "$dir" && CGO_ENABLED=0 nice go build -ldflags "$ldflags" -o "$OUT/bin/${pair%%:*}" "${pair#*:}")
  done
  stamp_set "$name" "$stamp"
}

# Helm checks the chart's kubeVersion against what the API server reports, so the version variables are set.
k8s_ldflags="-s -w"
for kv in gitVersion=$KUBERNETES_VERSION gitMajor=1 gitMinor=35 gitTreeState=clean buildDate=1970-01-01T00:00:00Z; do
  k8s_ldflags+=" -X k8s.io/component-base/version.$kv -X k8s.io/client-go/pkg/version.$kv"
done
build_in_module kubernetes kubernetes "$k8s_ldflags" \
  kube-apiserver:k8s.io/kubernetes/cmd/kube-apiserver \
  kube-controller-manager:k8s.io/kubernetes/cmd/kube-controller-manager \
  kube-scheduler:k8s.io/kubernetes/cmd/kube-scheduler \
  kubelet:k8s.io/kubernetes/cmd/kubelet \
  kube-proxy:k8s.io/kubernetes/cmd/kube-proxy
build_in_module keda keda \
  "-s -w -X github.com/kedacore/keda/v2/version.GitCommit=$KEDA_VERSION -X github.com/kedacore/keda/v2/version.Version=${KEDA_VERSION#v}" \
  keda-operator:github.com/kedacore/keda/v2/cmd/operator \
  keda-adapter:github.com/kedacore/keda/v2/cmd/adapter \
  keda-webhooks:github.com/kedacore/keda/v2/cmd/webhooks
build_in_module coredns coredns "-s -w" coredns:.

# The pod sandbox ("pause") image's program, from the Kubernetes module's own source.
if [[ -x "$OUT/bin/pause" ]] && stamp_is pause "$KUBERNETES_VERSION"; then
  up_to_date+=("pause")
else
  log "gcc -static pause.c (Kubernetes $KUBERNETES_VERSION)"
  kdir="$(cd "$ROOT/scripts/tools/kubernetes" && go list -m -f '{{.Dir}}' k8s.io/kubernetes)"
  gcc -Os -static -DVERSION="$KUBERNETES_VERSION" -o "$OUT/bin/pause" "$kdir/build/pause/linux/pause.c"
  strip "$OUT/bin/pause"
  stamp_set pause "$KUBERNETES_VERSION"
fi

# Debian packages, unpacked only: the .deb files are kept in a download cache outside the repository.
if [[ -x "$OUT/debroot/usr/bin/etcd" ]] && stamp_is cluster-debs "$DEBIAN_PACKAGES"; then
  up_to_date+=("debs")
else
  log "apt-get download + dpkg -x: $DEBIAN_PACKAGES"
  mkdir -p "$DEBS_CACHE"
  # shellcheck disable=SC2086 # the list is split on purpose
  (cd "$DEBS_CACHE" && for spec in $DEBIAN_PACKAGES; do
    name=${spec%%=*} version=${spec#*=}
    compgen -G "${name}_${version//:/%3a}_*.deb" >/dev/null || apt-get download -q "$spec" 2>&1 | grep -v 'unsandboxed' || true
  done)
  rm -rf "$OUT/debroot"
  for spec in $DEBIAN_PACKAGES; do
    name=${spec%%=*} version=${spec#*=}
    dpkg -x "$(compgen -G "$DEBS_CACHE/${name}_${version//:/%3a}_*.deb")" "$OUT/debroot"
  done
  stamp_set cluster-debs "$DEBIAN_PACKAGES"
fi

((${#up_to_date[@]} == 0)) || log "cluster tools up to date: ${up_to_date[*]}"

#!/usr/bin/env bash
# Checks the KEDA design on a real (controller-less) Kubernetes API server: a first `helm install` of the chart with
# KEDA in the same release succeeds in one command and gives the pools the HPA fallback; the next `helm upgrade`
# switches them to ScaledObjects; and, as the counter-proof, forcing ScaledObjects into the first install fails.
#
# Needs: kube-apiserver (any 1.29+ build; pass its path as $1) and etcd on PATH. No chart repository is reachable,
# so KEDA is stood in by a local chart that ships the KEDA CRDs from test/chart/fixtures/crds as *templates*, exactly as the
# KEDA chart does (the property the design is about). The other dependencies are dropped. Hooks are skipped
# (--no-hooks): with no controllers, hook Jobs would never complete.
set -euo pipefail

APISERVER=${1:?usage: fresh-install-check.sh /path/to/kube-apiserver}
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
source "$ROOT/scripts/env.sh"
CRDS="$ROOT/test/chart/fixtures/crds"
WORK="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ETCD_PORT=$(free_port); PEER_PORT=$(free_port); API_PORT=$(free_port)

etcd --data-dir "$WORK/etcd" --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$PEER_PORT" \
  --initial-cluster "default=http://127.0.0.1:$PEER_PORT" >"$WORK/etcd.log" 2>&1 &
pids+=($!)

openssl genrsa -out "$WORK/sa.key" 2048 2>/dev/null
openssl rsa -in "$WORK/sa.key" -pubout -out "$WORK/sa.pub" 2>/dev/null
TOKEN=$(openssl rand -hex 16)
echo "$TOKEN,admin,admin,system:masters" >"$WORK/tokens.csv"
"$APISERVER" --etcd-servers "http://127.0.0.1:$ETCD_PORT" --bind-address 127.0.0.1 --secure-port "$API_PORT" \
  --cert-dir "$WORK/certs" --token-auth-file "$WORK/tokens.csv" --authorization-mode RBAC \
  --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$WORK/sa.pub" \
  --service-account-signing-key-file "$WORK/sa.key" --service-cluster-ip-range 10.96.0.0/16 >"$WORK/apiserver.log" 2>&1 &
pids+=($!)

API="https://127.0.0.1:$API_PORT"
for _ in $(seq 1 120); do
  curl -ksf -H "Authorization: Bearer $TOKEN" "$API/readyz" >/dev/null 2>&1 && break
  sleep 1
done
curl -ksf -H "Authorization: Bearer $TOKEN" "$API/readyz" >/dev/null || { tail -20 "$WORK/apiserver.log"; exit 1; }
echo "API server $("$APISERVER" --version) ready on $API"

cat >"$WORK/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters: [{name: local, cluster: {server: "$API", insecure-skip-tls-verify: true}}]
users: [{name: admin, user: {token: "$TOKEN"}}]
contexts: [{name: local, context: {cluster: local, user: admin}}]
current-context: local
KC
export KUBECONFIG="$WORK/kubeconfig"

# The chart with only its KEDA dependency, stood in by a chart whose CRDs are templates.
cp -r "$ROOT/charts/apexseo" "$WORK/apexseo"
python3 - "$WORK/apexseo/Chart.yaml" <<'PY'
import sys, re
p = sys.argv[1]
s = open(p).read()
head, deps = s.split('dependencies:', 1)
keda = re.search(r'  - name: keda\n(?:    .*\n)+', deps).group(0)
open(p, 'w').write(head + 'dependencies:\n' + keda)
PY
mkdir -p "$WORK/apexseo/charts/keda/templates/crds"
printf 'apiVersion: v2\nname: keda\nversion: 2.20.2\ndescription: stand-in with the KEDA CRDs as templates\n' >"$WORK/apexseo/charts/keda/Chart.yaml"
printf 'crds:\n  install: true\n' >"$WORK/apexseo/charts/keda/values.yaml"
for f in keda.sh_scaledobjects keda.sh_triggerauthentications keda.sh_clustertriggerauthentications; do
  { echo '{{- if .Values.crds.install }}'; cat "$CRDS/$f.yaml"; echo '{{- end }}'; } >"$WORK/apexseo/charts/keda/templates/crds/$f.yaml"
done

VALUES=(-f "$WORK/apexseo/values-launch.yaml" --set temporalServer.enabled=false --set monitoring.enabled=false)
count() { curl -ksf -H "Authorization: Bearer $TOKEN" "$API/$1" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))'; }

# Each Helm run gets its own HOME, so no discovery cache carries over between runs.
run_helm() { local home="$WORK/home-$1"; shift; mkdir -p "$home"; HOME="$home" helm "$@"; }

echo "--- 0. alternative rejected in the README: ScaledObjects as post-install hooks in the first install"
cp -r "$WORK/apexseo" "$WORK/apexseo-hooks"
sed -i 's|^kind: ScaledObject$|kind: ScaledObject\n# hook\n|' "$WORK/apexseo-hooks/templates/worker-scaledobject.yaml"
python3 - "$WORK/apexseo-hooks/templates/worker-scaledobject.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read().replace('# hook\n\nmetadata:\n', 'metadata:\n  annotations:\n    helm.sh/hook: post-install,post-upgrade\n')
open(p, 'w').write(s)
PY
if run_helm 0 install apexseo "$WORK/apexseo-hooks" -n hooks --create-namespace "${VALUES[@]}" --set workers.autoscaling.mode=keda \
  --set keyService.migration.enabled=false --set stores.migrations.enabled=false >"$WORK/hooks.log" 2>&1; then
  echo "hook variant: install succeeded, ScaledObjects: $(count apis/keda.sh/v1alpha1/namespaces/hooks/scaledobjects)"
else
  echo "hook variant: install failed: $(grep -o 'no matches for kind[^]]*' "$WORK/hooks.log" | head -1)$(tail -1 "$WORK/hooks.log")"
fi
run_helm 0 uninstall apexseo -n hooks >/dev/null 2>&1 || true
curl -ksf -X DELETE -H "Authorization: Bearer $TOKEN" "$API/apis/keda.sh/v1alpha1/namespaces/hooks/scaledobjects" >/dev/null 2>&1 || true
for crd in scaledobjects triggerauthentications clustertriggerauthentications; do
  curl -ks -X DELETE -H "Authorization: Bearer $TOKEN" "$API/apis/apiextensions.k8s.io/v1/customresourcedefinitions/$crd.keda.sh" >/dev/null
done
for _ in $(seq 1 60); do [[ "$(count apis/apiextensions.k8s.io/v1/customresourcedefinitions)" == 0 ]] && break; sleep 1; done
echo "CRDs left: $(count apis/apiextensions.k8s.io/v1/customresourcedefinitions)"

echo "--- 1. counter-proof: ScaledObjects forced into the first install (mode keda)"
if run_helm 1 install apexseo "$WORK/apexseo" -n apexseo --create-namespace --no-hooks "${VALUES[@]}" --set workers.autoscaling.mode=keda >"$WORK/forced.log" 2>&1; then
  echo "FAIL: the forced install succeeded"; exit 1
fi
grep -o 'no matches for kind "ScaledObject"[^]]*' "$WORK/forced.log" | head -1
echo "CRDs after the failed install: $(count apis/apiextensions.k8s.io/v1/customresourcedefinitions)"
run_helm 1 uninstall apexseo -n apexseo >/dev/null 2>&1 || true

echo "--- 2. the design: one command on the empty cluster (mode auto)"
run_helm 2 install apexseo "$WORK/apexseo" -n apexseo --create-namespace --no-hooks "${VALUES[@]}" >"$WORK/install.log" 2>&1 || { cat "$WORK/install.log"; exit 1; }
grep -q 'HPA fallback' "$WORK/install.log" && echo "NOTES: HPA fallback announced"
echo "HPAs: $(count apis/autoscaling/v2/namespaces/apexseo/horizontalpodautoscalers), ScaledObjects: $(count apis/keda.sh/v1alpha1/namespaces/apexseo/scaledobjects)"

echo "--- 3. the next upgrade switches to KEDA"
run_helm 3 upgrade apexseo "$WORK/apexseo" -n apexseo --no-hooks "${VALUES[@]}" >"$WORK/upgrade.log" 2>&1 || { cat "$WORK/upgrade.log"; exit 1; }
hpas=$(count apis/autoscaling/v2/namespaces/apexseo/horizontalpodautoscalers)
sos=$(count apis/keda.sh/v1alpha1/namespaces/apexseo/scaledobjects)
echo "HPAs: $hpas, ScaledObjects: $sos"
deploy_replicas=$(curl -ksf -H "Authorization: Bearer $TOKEN" "$API/apis/apps/v1/namespaces/apexseo/deployments/eeat-worker-standard" | python3 -c 'import json,sys; print(json.load(sys.stdin)["spec"].get("replicas"))')
echo "eeat-worker-standard spec.replicas as stored (defaulted by the API server, never set by the chart): $deploy_replicas"
[[ "$hpas" == 0 && "$sos" == 2 ]] && echo "OK"

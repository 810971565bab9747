#!/usr/bin/env bash
# Builds the two platform images from this checkout with Docker's layer cache (seconds when nothing changed):
#   apexseo/eeat-worker:<appVersion>   from packages/eeat-worker/Dockerfile
#   apexseo/key-service:<appVersion>   from packages/key-service/Dockerfile
# <appVersion> is charts/apexseo/Chart.yaml's appVersion, the tag the chart deploys by default.
#
#   scripts/images.sh                      build both (starts Docker first if needed: scripts/docker.sh)
#   scripts/images.sh --save FILE          ... then `docker save` both into FILE (for `ctr images import`)
#   scripts/images.sh --push HOST:PORT     ... then push both to that registry and print their digests
#
# The Dockerfiles' base is node:24-bookworm-slim pinned by digest. When that cannot be pulled (no registry
# reachable), the images are built on a local test-only stand-in of the same name instead
# (scripts/lib/node-stand-in.sh). The result, with each image's id, is written to .run/images.json.
# Concurrent callers build one at a time (a lock), so each gets the ids of the images its own sources made.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
IMAGES=(eeat-worker key-service)

log() { printf '\033[1;34m[images]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[images] error:\033[0m %s\n' "$*" >&2; exit 1; }
mib() { echo "$(( ($1 + 524288) / 1048576 )) MB"; }

save="" push=""
while (($#)); do
  case "$1" in
    --save) save="${2:?--save needs a file}"; shift 2 ;;
    --push) push="${2:?--push needs HOST:PORT}"; shift 2 ;;
    *) die "unknown argument $1 (usage: scripts/images.sh [--save FILE] [--push HOST:PORT])" ;;
  esac
done

"$ROOT/scripts/docker.sh"

tag="$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' charts/apexseo/Chart.yaml)"
[[ -n "$tag" ]] || die "no appVersion in charts/apexseo/Chart.yaml"

# The pinned base, as both Dockerfiles name it.
pinned=""
for name in "${IMAGES[@]}"; do
  ref="$(sed -n 's/^ARG NODE_IMAGE=//p' "packages/$name/Dockerfile")"
  [[ -n "$ref" ]] || die "packages/$name/Dockerfile has no ARG NODE_IMAGE=<base>"
  [[ -z "$pinned" || "$ref" == "$pinned" ]] || die "the Dockerfiles pin different bases: $pinned and $ref"
  pinned="$ref"
done

exec 9>/run/lock/apexseo-images.lock
flock 9
started=$SECONDS

build_args=()
if docker image inspect "$pinned" >/dev/null 2>&1; then
  base="$pinned"
elif timeout 60 docker pull -q "$pinned" >/dev/null 2>&1; then
  base="$pinned"
  log "pulled $pinned"
else
  base="${pinned%@*}"
  log "cannot pull $pinned: building on the local test-only stand-in $base"
  if [[ -z "$(docker image inspect --format '{{ index .Config.Labels "org.apexseo.test-stand-in" }}' "$base" 2>/dev/null)" ]] \
    && docker image inspect "$base" >/dev/null 2>&1; then
    log "$base is present locally (not a stand-in): using it"
  else
    "$ROOT/scripts/lib/node-stand-in.sh"
  fi
  build_args=(--build-arg "NODE_IMAGE=$base")
fi
base_size="$(docker image inspect --format '{{.Size}}' "$base")"

declare -A ids
for name in "${IMAGES[@]}"; do
  ref="apexseo/$name:$tag"
  logfile=".run/images-$name.log"
  mkdir -p .run
  image_started=$SECONDS
  # Host networking: `npm ci` inside the build reaches the registry the way the host does.
  if ! docker build --network host "${build_args[@]}" -f "packages/$name/Dockerfile" -t "$ref" \
    --iidfile ".run/images-$name.iid" . >"$logfile" 2>&1; then
    tail -n 40 "$logfile" >&2
    die "docker build of $ref failed (full log: $logfile)"
  fi
  ids[$name]="$(cat ".run/images-$name.iid")"
  size="$(docker image inspect --format '{{.Size}}' "${ids[$name]}")"
  cached="$(grep -c -- '---> Using cache' "$logfile" || true)"
  log "$ref ${ids[$name]:7:12}: $(mib "$size") ($(mib $((size - base_size))) above the base), $((SECONDS - image_started)) s, $cached steps from cache"
done

{
  printf '{\n  "base": "%s",\n  "tag": "%s"' "$base" "$tag"
  for name in "${IMAGES[@]}"; do printf ',\n  "%s": { "ref": "apexseo/%s:%s", "id": "%s" }' "$name" "$name" "$tag" "${ids[$name]}"; done
  printf '\n}\n'
} >.run/images.json

if [[ -n "$save" ]]; then
  docker save -o "$save" "apexseo/eeat-worker:$tag" "apexseo/key-service:$tag"
  log "saved both images to $save ($(mib "$(stat -c %s "$save")"))"
fi
if [[ -n "$push" ]]; then
  for name in "${IMAGES[@]}"; do
    remote="$push/apexseo/$name:$tag"
    docker tag "${ids[$name]}" "$remote"
    digest="$(docker push "$remote" | sed -n 's/.*digest: \(sha256:[0-9a-f]\{64\}\).*/\1/p')"
    [[ -n "$digest" ]] || die "docker push $remote printed no digest"
    docker rmi "$remote" >/dev/null # the local image keeps its own tag; the registry keeps the pushed one
    echo "$push/apexseo/$name@$digest"
  done
fi
log "images ready in $((SECONDS - started)) s (.run/images.json)"

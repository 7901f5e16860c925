#!/usr/bin/env bash
# Copies the dashboards and alert rules into the Helm chart (Helm cannot read files outside the chart directory).
# With --check, changes nothing and exits 1 when the chart's copies differ from the originals.
set -euo pipefail
cd "$(dirname "$0")/.."
files=helm/controlplane/files
pairs=("deploy/prometheus/rules.yml:$files/rules.yml")
for dashboard in grafana/dashboards/*.json; do pairs+=("$dashboard:$files/dashboards/$(basename "$dashboard")"); done

status=0
if [ "${1:-}" = "--check" ]; then
    for pair in "${pairs[@]}"; do
        cmp -s "${pair%%:*}" "${pair#*:}" || { echo "chart copy out of date: ${pair#*:} (run scripts/sync-chart-files.sh)" >&2; status=1; }
    done
    for copy in "$files"/dashboards/*.json; do
        [ -e "grafana/dashboards/$(basename "$copy")" ] || { echo "stale chart copy: $copy" >&2; status=1; }
    done
    exit "$status"
fi
mkdir -p "$files/dashboards"
rm -f "$files"/dashboards/*.json
for pair in "${pairs[@]}"; do cp "${pair%%:*}" "${pair#*:}"; done
echo "synced ${#pairs[@]} files into $files"

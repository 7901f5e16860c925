#!/usr/bin/env bash
# Runs benchmarks against throwaway Postgres and RabbitMQ servers from the OS packages (see scripts/services.sh),
# in Release.
#   bash scripts/bench.sh                        lists the benchmarks
#   bash scripts/bench.sh <benchmark> [options]  runs one: a Markdown table on stdout, a JSON entry appended to
#                                                bench/results/<benchmark>.json
#   bash scripts/bench.sh all                    runs every benchmark at a size that fits ~15 minutes on 2 cores,
#                                                then writes bench/results/latest.md + latest.json and rewrites the
#                                                README's Performance section (between <!-- perf:begin/end -->)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != all ]; then
    source scripts/services.sh
    state=$(mktemp -d /tmp/controlplane-bench.XXXXXX)
    trap services_stop EXIT
    services_start "$state"
    dotnet run -c Release --project bench/ControlPlane.Benchmarks -- "$@"
    exit
fi

# ---- all ----------------------------------------------------------------------------------------------------------
started=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)
log() { printf '\n[bench all +%ds] %s\n' "$(( $(date +%s) - started ))" "$*" >&2; }

# Build once; every benchmark then runs from the same Release build (the service and gateway processes too).
log "building (Release)"
dotnet build -c Release bench/ControlPlane.Benchmarks -nologo -v q
dll=bench/ControlPlane.Benchmarks/bin/Release/net10.0/ControlPlane.Benchmarks.dll

source scripts/services.sh
state=$(mktemp -d /tmp/controlplane-bench.XXXXXX)
run_dir="$state/runs"
mkdir -p "$run_dir"
trap services_stop EXIT
services_start "$state"
export CONTROLPLANE_BENCH_RUN_DIR="$run_dir"

failed=()
bench() {
    log "$*"
    # One benchmark failing must not cost the others: it is listed as failed in the summary instead.
    dotnet "$dll" "$@" || failed+=("$1")
}

# Cheap and CPU-bound first, repeated to show the machine's noise.
for _ in 1 2 3; do bench evaluation --iterations 100 --warmup 10; done
# Virtual time and seeded: the same figures every run, so once is enough.
bench probe-economy
for _ in 1 2 3; do bench ingest --samples 300000 --batches 1000,5000; done
bench propagation --subscribers 10,100,1000 --changes 20 --sdk 10
bench gateway --rates 200,1000 --seconds 10 --outage-rate 200 --outage-seconds 15
bench probe-throughput --targets 1000 --interval 10s --duration 30s
bench probe-throughput --targets 10000 --interval 10s --duration 20s --warmup-limit 60s

elapsed=$(( $(date +%s) - started ))
log "summary (${elapsed}s so far)"
dotnet "$dll" summary --run "$run_dir" --readme README.md --elapsed "$elapsed" \
    --failed "$(IFS=,; echo "${failed[*]:-}")" --load-before "$load_before"

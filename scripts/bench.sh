#!/usr/bin/env bash
# Runs a benchmark against throwaway Postgres and RabbitMQ servers from the OS packages (see scripts/services.sh),
# in Release. Usage: bash scripts/bench.sh <benchmark> [options]; without arguments it lists the benchmarks.
# Results: a Markdown table on stdout, and a JSON entry appended to bench/results/<benchmark>.json.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/services.sh
state=$(mktemp -d /tmp/controlplane-bench.XXXXXX)
trap services_stop EXIT
services_start "$state"

dotnet run -c Release --project bench/ControlPlane.Benchmarks -- "$@"

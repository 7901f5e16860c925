#!/usr/bin/env bash
# The test command: installs (if missing) and starts Postgres and RabbitMQ from the OS packages on loopback,
# builds the solution, runs every test, and stops the servers again. Needs only the .NET SDK (and root or
# passwordless sudo the first time, for apt-get).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

source scripts/services.sh
state=$(mktemp -d /tmp/controlplane-test.XXXXXX)
cleanup() { services_stop; }
trap cleanup EXIT
services_start "$state"

echo "== deployment checks (helm lint/template, promtool, compose config; installs the tools if missing)"
bash scripts/check-deploy.sh

echo "== build"
dotnet build ControlPlane.sln -c Release -nologo -clp:ErrorsOnly

echo "== tests"
log="$state/test-output.txt"
set +e
# One test assembly at a time: each starts real service processes, and two cores cannot host several suites at once.
dotnet test ControlPlane.sln -c Release --no-build -nologo -m:1 --logger "console;verbosity=minimal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line for the whole run, summed over the test assemblies.
awk '/(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { gsub(",", "", p); printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"

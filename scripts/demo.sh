#!/usr/bin/env bash
# The live failover demo: Postgres and RabbitMQ from the OS packages on loopback (installed if missing), three
# simulated providers, the control plane and a data plane with steady traffic; the primary provider goes hard down
# and comes back while the failover timeline prints. Everything is stopped and removed at the end.
#   bash scripts/demo.sh [--rps 10] [--warmup 8] [--outage-hold 10] [--probe-interval 2]
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/services.sh
state=$(mktemp -d /tmp/controlplane-demo.XXXXXX)
trap services_stop EXIT
echo "== starting Postgres and RabbitMQ on loopback"
services_start "$state"

echo "== building (Release)"
dotnet build src/ControlPlane.Service -c Release -nologo -clp:ErrorsOnly -v q
dotnet build src/ControlPlane.Gateway -c Release -nologo -clp:ErrorsOnly -v q
dotnet build tools/ControlPlane.Demo -c Release -nologo -clp:ErrorsOnly -v q

echo "== demo"
dotnet tools/ControlPlane.Demo/bin/Release/net10.0/ControlPlane.Demo.dll "$@"

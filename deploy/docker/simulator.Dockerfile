# syntax=docker/dockerfile:1
# The provider simulator (ControlPlane.Simulator). It listens on 127.0.0.1 only: run it in the network namespace of whatever probes it (a sidecar, or docker-compose network_mode).
# Build from the repository root:  docker build -f deploy/docker/simulator.Dockerfile -t controlplane-simulator .
# Multi-stage: the SDK image restores and publishes; the runtime image runs as the non-root "app" user (uid 1654).
# RUNTIME_IMAGE may be switched to mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled (no shell) for production.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM ${SDK_IMAGE} AS build
WORKDIR /src
# The build plumbing (central package versions, analyzers) comes first; restore and publish in separate layers.
COPY global.json Directory.Build.props Directory.Packages.props BannedSymbols.txt .editorconfig ./
COPY src/ src/
COPY migrations/ migrations/
RUN dotnet restore src/ControlPlane.Simulator/ControlPlane.Simulator.csproj
RUN dotnet publish src/ControlPlane.Simulator/ControlPlane.Simulator.csproj -c Release --no-restore -o /app /p:UseAppHost=false

FROM ${RUNTIME_IMAGE} AS runtime
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_NOLOGO=1 \
    HOME=/tmp
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["dotnet", "ControlPlane.Simulator.dll"]

# syntax=docker/dockerfile:1
# The control plane (ControlPlane.Service). Also runs `migrate` and `keygen DIR`.
# Build from the repository root:  docker build -f deploy/docker/service.Dockerfile -t controlplane-service .
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
RUN dotnet restore src/ControlPlane.Service/ControlPlane.Service.csproj
RUN dotnet publish src/ControlPlane.Service/ControlPlane.Service.csproj -c Release --no-restore -o /app /p:UseAppHost=false

FROM ${RUNTIME_IMAGE} AS runtime
WORKDIR /app
COPY --from=build /app ./
# Named volumes mounted here inherit the ownership: docker-compose keeps the generated signing key in one.
RUN mkdir -p /var/lib/controlplane/keys && chown "$APP_UID" /var/lib/controlplane/keys
ENV ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_NOLOGO=1 \
    HOME=/tmp
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["dotnet", "ControlPlane.Service.dll"]

# CreditRisk scoring server. Build from the repository root:
#   docker build -t creditrisk .
#   docker run --rm -p 8080:8080 -p 8082:8082 creditrisk   (8082: Open Inference Protocol gRPC, HTTP/2 cleartext)
# .NET 10 images are Ubuntu 24.04 (glibc): ONNX Runtime's native library needs glibc, so never Alpine.

# Overridable bases (tests/container/build-image.sh builds with local ones); the defaults are the official images.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM ${SDK_IMAGE} AS build
WORKDIR /src
# Restore first, from the project files alone, so the layer is reused until a dependency changes.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY contracts/CreditRisk.Contracts.csproj contracts/
COPY server/CreditRisk.Server.csproj server/
RUN dotnet restore server/CreditRisk.Server.csproj -r linux-x64
COPY contracts/ contracts/
COPY server/ server/
# Every shipped model (artifacts/<dataset>/: the model, its sidecar card, the training report and charts), served as a
# model repository (Model__Repository below); to serve one file instead set Model__Repository= (empty) and Model__Path.
COPY artifacts/ artifacts/
# Framework-dependent: the aspnet base image already carries the runtime (see README for the size comparison).
RUN dotnet publish server/CreditRisk.Server.csproj -c Release -r linux-x64 --self-contained false --no-restore -o /app

FROM ${RUNTIME_IMAGE} AS runtime
WORKDIR /app
COPY --from=build /app .
# Decision records: the SQLite file lives in /data, owned by the app user (mount a volume there to keep it across
# containers). With several instances set Records__ConnectionString to a PostgreSQL database instead (see README).
RUN mkdir -p /data && chown "$APP_UID" /data
VOLUME /data
ENV ASPNETCORE_HTTP_PORTS=8080 \
    Model__Repository=artifacts \
    Model__Default=german-credit \
    Records__DataFolder=/data \
    Limits__HealthPort=8081 \
    Inference__GrpcPort=8082 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_gcServer=0
EXPOSE 8080 8082
# The aspnet image has no curl: the server probes its own /health/ready.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["dotnet", "CreditRisk.Server.dll", "--probe-ready"]
# Non-root: the "app" user (UID 1654) that the .NET images define.
USER $APP_UID
ENTRYPOINT ["dotnet", "CreditRisk.Server.dll"]

#!/usr/bin/env bash
# Dockerrun.aws.json and .ebextensions agree with the Dockerfile and the server's settings.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 - <<'PY'
import json, re, sys, pathlib
fail = []
run = json.loads(pathlib.Path("Dockerrun.aws.json").read_text())
if run.get("AWSEBDockerrunVersion") != "1":
    fail.append("Dockerrun.aws.json: AWSEBDockerrunVersion must be \"1\" (single container)")
if not run.get("Image", {}).get("Name"):
    fail.append("Dockerrun.aws.json: Image.Name is missing")
ports = [p.get("ContainerPort") for p in run.get("Ports", [])]
docker = pathlib.Path("Dockerfile").read_text()
runtime = docker[docker.index(" AS runtime"):]
expose = int(re.search(r"^EXPOSE (\d+)", runtime, re.M).group(1))
http_ports = int(re.search(r"ASPNETCORE_HTTP_PORTS=(\d+)", runtime).group(1))
if ports != [expose]:
    fail.append(f"Dockerrun.aws.json ContainerPort {ports} != Dockerfile EXPOSE {expose}")
if http_ports != expose:
    fail.append(f"Dockerfile ASPNETCORE_HTTP_PORTS {http_ports} != EXPOSE {expose}")
eb = pathlib.Path(".ebextensions/01-creditrisk.config").read_text()
if "HealthCheckPath: /health/ready" not in eb or "Application Healthcheck URL: /health/ready" not in eb:
    fail.append(".ebextensions: the load balancer and EB must poll /health/ready")
if f"ASPNETCORE_HTTP_PORTS: '{expose}'" not in eb:
    fail.append(f".ebextensions: ASPNETCORE_HTTP_PORTS must be '{expose}'")
# FROM may name a global ARG (declared before the first FROM): check its default, which is what a plain build uses.
args = dict(re.findall(r"^ARG (\w+)=(\S+)", docker[:docker.index("\nFROM ")], re.M))
froms = [re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), f)
         for f in re.findall(r"^FROM (\S+)", docker, re.M)]
if not any(f.startswith("mcr.microsoft.com/dotnet/aspnet") for f in froms) or any("alpine" in f for f in froms):
    fail.append("Dockerfile: the runtime must be a glibc aspnet image, never Alpine")
for f in fail:
    print(f)
print("manifests: ok" if not fail else f"{len(fail)} problem(s)")
sys.exit(1 if fail else 0)
PY

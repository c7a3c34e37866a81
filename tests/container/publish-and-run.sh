#!/usr/bin/env bash
# Keeps the Dockerfile honest without a Docker engine: runs the Dockerfile's own restore and publish commands,
# then starts the published output the way the image does (its ENV, its ENTRYPOINT, as a non-root user, the port
# from the same ASPNETCORE_HTTP_PORTS setting) and checks /health/ready, one score, the HEALTHCHECK command and a
# clean SIGTERM exit. Prints the published size and the time from start to ready.
set -euo pipefail
cd "$(dirname "$0")/../.."
dockerfile=Dockerfile
work=$(mktemp -d)
chmod 755 "$work"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
pid=

# Join continuation lines so multi-line RUN/ENV instructions read as one.
joined=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$dockerfile")
restore=$(grep -E '^RUN dotnet restore ' <<<"$joined" | sed 's/^RUN //')
publish=$(grep -E '^RUN dotnet publish ' <<<"$joined" | sed 's/^RUN //')
[ -n "$restore" ] && [ -n "$publish" ] || { echo "Dockerfile has no dotnet restore/publish RUN line"; exit 1; }
grep -q -- '-o /app' <<<"$publish" || { echo "publish does not write to /app: $publish"; exit 1; }

# Every file the build stage COPYs must exist, or `docker build` fails where this test cannot see it.
while read -r -a copy; do
  for source in "${copy[@]:1:${#copy[@]}-2}"; do
    compgen -G "$source" >/dev/null || { echo "Dockerfile COPYs $source, which does not exist"; exit 1; }
  done
done < <(grep -E '^COPY ' <<<"$joined" | grep -v -- '--from=')

echo "restore: $restore"
eval "$restore"
echo "publish: ${publish/-o \/app/-o $work/app}"
eval "${publish/-o \/app/-o $work/app}"
echo "published size: $(du -sh "$work/app" | cut -f1)"
for shipped in artifacts/{german-credit,lending-club}/{model.onnx,model.json,golden.json,nested-cv.json,report.md,roc.png}; do
  [ -f "$work/app/$shipped" ] || { echo "the published output lacks $shipped"; exit 1; }
done

# The runtime stage's ENV, ENTRYPOINT and HEALTHCHECK.
runtime=$(awk '/^FROM .* AS runtime/{r=1} r' <<<"$joined")
mapfile -t envs < <(grep -E '^ENV ' <<<"$runtime" | sed 's/^ENV //' | tr -s ' ' '\n' | grep '=')
entry=$(grep -E '^ENTRYPOINT ' <<<"$runtime" | sed 's/^ENTRYPOINT //' | tr -d '[]",')
probe=$(grep -E '^HEALTHCHECK ' <<<"$runtime" | sed 's/.*CMD //' | tr -d '[]",')
expose=$(grep -E '^EXPOSE ' <<<"$runtime" | awk '{print $2}')
grep -qx "ASPNETCORE_HTTP_PORTS=$expose" < <(printf '%s\n' "${envs[@]}") || { echo "EXPOSE $expose does not match ASPNETCORE_HTTP_PORTS"; exit 1; }
grep -qE '^USER ' <<<"$runtime" || { echo "runtime stage does not switch to a non-root USER"; exit 1; }

# Same setting, a free port: 8080 may be taken on a developer's machine.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
envs=("${envs[@]/ASPNETCORE_HTTP_PORTS=*/ASPNETCORE_HTTP_PORTS=$port}")
# The loopback health listener too (the HEALTHCHECK probes it when set).
health_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
envs=("${envs[@]/Limits__HealthPort=*/Limits__HealthPort=$health_port}")
# And the gRPC listener (Open Inference Protocol).
grpc_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
envs=("${envs[@]/Inference__GrpcPort=*/Inference__GrpcPort=$grpc_port}")

as_app=()
if [ "$(id -u)" -eq 0 ]; then
  id creditrisk-app >/dev/null 2>&1 || useradd --system --user-group --no-create-home --shell /usr/sbin/nologin creditrisk-app
  # setpriv execs the server itself (no PAM session in between), so SIGTERM reaches it as it would in a container.
  as_app=(setpriv --reuid=creditrisk-app --regid=creditrisk-app --init-groups)
fi

# The image's decision-records folder (Records__DataFolder=/data, made and given to the app user by a RUN): here a
# folder of the work directory, given to the same user.
mkdir -p "$work/data"
[ ${#as_app[@]} -eq 0 ] || chown creditrisk-app:creditrisk-app "$work/data"
grep -qx "Records__DataFolder=/data" < <(printf '%s\n' "${envs[@]}") || { echo "the image does not set Records__DataFolder=/data"; exit 1; }
grep -qE '^RUN mkdir -p /data && chown "\$APP_UID" /data' <<<"$runtime" || { echo "the runtime stage does not give /data to the app user"; exit 1; }
envs=("${envs[@]/Records__DataFolder=*/Records__DataFolder=$work/data}")

start=$(date +%s%N)
(cd "$work/app" && exec "${as_app[@]}" env "${envs[@]}" $entry) >"$work/server.log" 2>&1 &
pid=$!
ready=
for _ in $(seq 1 300); do
  if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$ready" ] || { echo "server never became ready"; cat "$work/server.log"; exit 1; }
echo "start-up to ready: $(( ($(date +%s%N) - start) / 1000000 )) ms"

body='{"checkingAccount":"below0","durationMonths":6,"creditHistory":"critical","purpose":"radioTv","creditAmount":1169,"savings":"unknown","employmentSince":"7yOrMore","installmentRate":4,"personalStatusSex":"maleSingle","otherDebtors":"none","residenceSince":4,"property":"realEstate","age":67,"otherInstallmentPlans":"none","housing":"own","existingCredits":2,"job":"skilled","dependents":1,"telephone":"registered","foreignWorker":"yes"}'
response=$(curl -fsS -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$port/api/v1/score")
echo "score: $response"
grep -qE '"decision":"(approve|reject)"' <<<"$response" || { echo "no decision in the score response"; exit 1; }

curl -fsS -o /dev/null "http://127.0.0.1:$port/artifacts/german-credit/report.md" || { echo "the training report is not served"; exit 1; }
curl -fsS -o /dev/null "http://127.0.0.1:$port/" || { echo "the scoring page is not served"; exit 1; }

# The image's HEALTHCHECK command, run the same way.
(cd "$work/app" && "${as_app[@]}" env "${envs[@]}" $probe) || { echo "HEALTHCHECK command failed: $probe"; exit 1; }

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
[ "$status" -eq 0 ] || { echo "server exited $status after SIGTERM"; tail -n 20 "$work/server.log"; exit 1; }
pid=
echo "publish-and-run: ok"

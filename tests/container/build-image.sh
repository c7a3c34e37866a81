#!/usr/bin/env bash
# Builds the repository's Dockerfile for real, without a Docker engine or a registry: makes a minimal Debian 12 base
# with debootstrap, derives a local SDK image and a local runtime image from it with this machine's .NET SDK and
# runtime, builds the Dockerfile with `buildah bud --isolation chroot` on those bases (the ARGs SDK_IMAGE and
# RUNTIME_IMAGE), then runs the image with podman (runc, cgroupfs, host network) and checks /health/ready, one score,
# the image's own HEALTHCHECK command, that it runs as UID 1654 and that it stops cleanly. Prints each step's time
# and the image size. test.sh runs it (about a minute); it needs root, debootstrap, buildah, podman and runc, which
# .ci/install.sh installs.
#
#   sudo bash tests/container/build-image.sh
#
# Environment: DEBIAN_MIRROR (default: the first bookworm source in this machine's apt sources),
# KEEP_IMAGES=1 (keep the images afterwards), STORAGE_DRIVER=vfs (if overlay does not work here).
set -euo pipefail
cd "$(dirname "$0")/../.."

[ "$(id -u)" -eq 0 ] || { echo "run as root (debootstrap, buildah and podman with runc/cgroupfs)"; exit 1; }
for tool in debootstrap buildah podman runc curl python3 dotnet; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install -y debootstrap buildah podman runc curl)"; exit 1; }
done

suite=bookworm
app_uid=1654
tag=$$
base=localhost/creditrisk-base:$tag
sdk_image=localhost/creditrisk-sdk:$tag
runtime_image=localhost/creditrisk-aspnet:$tag
image=localhost/creditrisk:$tag
name=creditrisk-check-$tag
pm=(podman --runtime runc --cgroup-manager cgroupfs)
work=$(mktemp -d -p "${TMPDIR:-/var/tmp}" creditrisk-image.XXXXXX)

cleanup() {
  "${pm[@]}" rm -f "$name" >/dev/null 2>&1 || true
  buildah rm --all >/dev/null 2>&1 || true
  if [ "${KEEP_IMAGES:-0}" != 1 ]; then
    podman rmi -f "$image" "$runtime_image" "$sdk_image" "$base" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

timings=()
step_start=0
begin() { echo; echo "== $1"; step_name=$1; step_start=$(date +%s%N); }
end() {
  local ms=$(( ($(date +%s%N) - step_start) / 1000000 ))
  timings+=("$(awk -v n="$step_name" -v ms="$ms" 'BEGIN { printf "%-34s %7.1f s", n, ms / 1000 }')")
}
total_start=$(date +%s%N)

# The apt mirror this machine already uses (one-line or deb822 sources), never a name written here.
mirror=${DEBIAN_MIRROR:-$(
  {
    sed -E 's/\[[^]]*\]//' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk -v s="$suite" '$1 == "deb" && $3 == s { print $2; exit }'
    cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
      awk -v s="$suite" 'BEGIN { RS = ""; FS = "\n" } {
        uri = ""; ok = 0; on = 1
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { split($i, u, /[ \t]+/); uri = u[2] }
          if ($i ~ /^Suites:/) { n = split($i, w, /[ \t]+/); for (j = 2; j <= n; j++) if (w[j] == s) ok = 1 }
          if ($i ~ /^Enabled:[ \t]*no/) on = 0
        }
        if (ok && on && uri != "") { print uri; exit }
      }'
  } | head -n 1
)}
[ -n "$mirror" ] || { echo "no $suite source in the apt sources: set DEBIAN_MIRROR"; exit 1; }

# The host's .NET: the SDK for the build stage, the matching shared runtimes for the runtime stage.
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
sdk_version=$(dotnet --version)
major=${sdk_version%%.*}
runtime_version=$(dotnet --list-runtimes | awk -v m="$major" '$1 == "Microsoft.AspNetCore.App" && index($2, m ".") == 1 { v = $2 } END { print v }')
[ -n "$runtime_version" ] && [ -d "$dotnet_root/shared/Microsoft.NETCore.App/$runtime_version" ] ||
  { echo "no .NET $major runtime pair (NETCore + AspNetCore) next to the SDK"; exit 1; }
echo "SDK $sdk_version, runtime $runtime_version, from $dotnet_root"

begin "debootstrap $suite (minbase)"
# glibc, libstdc++/libgcc (ONNX Runtime), ICU, OpenSSL, zlib, CA certificates, tzdata: what the aspnet image carries.
timeout 1200 debootstrap --variant=minbase \
  --include=ca-certificates,libicu72,libssl3,zlib1g,libstdc++6,libgcc-s1,tzdata \
  "$suite" "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 30 "$work/debootstrap.log"; exit 1; }
# The "app" user the official .NET images define, and the dotnet command on PATH.
chroot "$work/rootfs" groupadd --system --gid "$app_uid" app
chroot "$work/rootfs" useradd --no-log-init --system -K SYS_UID_MAX="$app_uid" --uid "$app_uid" --gid app --create-home --shell /bin/false app
ln -s /usr/share/dotnet/dotnet "$work/rootfs/usr/bin/dotnet"
# CA certificates this machine added locally (e.g. a TLS-inspecting egress proxy's): without them `dotnet restore`
# in the build stage cannot reach NuGet where the host can. None on a stock machine. Local test images only.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$work/rootfs/usr/local/share/ca-certificates/"
  chroot "$work/rootfs" update-ca-certificates >/dev/null
fi
rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
end

begin "import base image"
tar -C "$work/rootfs" -c . | timeout 600 podman import --quiet - "$base" >/dev/null
rm -rf "$work/rootfs"
end

begin "local SDK image"
ctr=$(buildah from --quiet "$base")
timeout 600 buildah copy --quiet "$ctr" "$dotnet_root" /usr/share/dotnet >/dev/null
config=(--env "APP_UID=$app_uid" --env DOTNET_RUNNING_IN_CONTAINER=true --env DOTNET_NOLOGO=1
        --env DOTNET_CLI_TELEMETRY_OPTOUT=1 --env "DOTNET_SDK_VERSION=$sdk_version")
# This machine reaches NuGet but maybe not the certificate revocation servers: pass its setting on if it has one.
[ -z "${NUGET_CERT_REVOCATION_MODE:-}" ] || config+=(--env "NUGET_CERT_REVOCATION_MODE=$NUGET_CERT_REVOCATION_MODE")
buildah config "${config[@]}" "$ctr"
buildah commit --quiet --rm "$ctr" "$sdk_image" >/dev/null
end

begin "local runtime image"
ctr=$(buildah from --quiet "$base")
buildah copy --quiet "$ctr" "$dotnet_root/dotnet" /usr/share/dotnet/dotnet >/dev/null
buildah copy --quiet "$ctr" "$dotnet_root/host" /usr/share/dotnet/host >/dev/null
for framework in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
  buildah copy --quiet "$ctr" "$dotnet_root/shared/$framework/$runtime_version" \
    "/usr/share/dotnet/shared/$framework/$runtime_version" >/dev/null
done
buildah config --env "APP_UID=$app_uid" --env ASPNETCORE_HTTP_PORTS=8080 --env DOTNET_RUNNING_IN_CONTAINER=true \
  --env "DOTNET_VERSION=$runtime_version" --env "ASPNET_VERSION=$runtime_version" "$ctr"
buildah commit --quiet --rm "$ctr" "$runtime_image" >/dev/null
end

begin "buildah bud (the Dockerfile)"
# Docker format: the OCI image format has no HEALTHCHECK.
timeout 1800 buildah bud --isolation chroot --format docker \
  --build-arg "SDK_IMAGE=$sdk_image" --build-arg "RUNTIME_IMAGE=$runtime_image" -t "$image" . ||
  { echo "buildah bud failed"; exit 1; }
end

size=$(podman image inspect --format '{{.Size}}' "$image")
user=$(podman image inspect --format '{{.Config.User}}' "$image")
healthcheck=$(podman image inspect --format '{{json .Config.Healthcheck}}' "$image")
echo "image: $image, $((size / 1000000)) MB, user '$user', healthcheck $healthcheck"
[ "$user" = "$app_uid" ] || { echo "the image's USER is '$user', not $app_uid"; exit 1; }
mapfile -t probe < <(python3 -c 'import json, sys; t = json.loads(sys.argv[1])["Test"]; assert t[0] == "CMD", t; print("\n".join(t[1:]))' "$healthcheck")

# Explicit ulimits: podman's defaults (RLIMIT_NOFILE 1048576, RLIMIT_NPROC its own) are above what root may set
# where it lacks CAP_SYS_RESOURCE (some VMs and sandboxes), and runc then fails; these suit the server anywhere.
nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] || [ "$nofile" -gt 1048576 ] && nofile=1048576
ulimits=(--ulimit "nofile=$nofile:$nofile" --ulimit nproc=4096:4096)
# --health-interval disable: podman drives HEALTHCHECK with systemd timers, which a VM without systemd lacks; the
# check below runs the image's HEALTHCHECK once with `podman healthcheck run` and once as a plain exec (podman 4.3
# still logs "unable to get systemd connection" errors; they are harmless).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
begin "podman run to /health/ready"
"${pm[@]}" run -d --name "$name" --network host "${ulimits[@]}" --health-interval disable -e "ASPNETCORE_HTTP_PORTS=$port" "$image" >/dev/null
ready=
for _ in $(seq 1 600); do
  if curl -fsS --max-time 2 "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then ready=1; break; fi
  [ "$(podman inspect --format '{{.State.Running}}' "$name")" = true ] || break
  sleep 0.1
done
[ -n "$ready" ] || { echo "the container never became ready"; "${pm[@]}" logs "$name" | tail -n 40; exit 1; }
end

begin "score, HEALTHCHECK, user"
response=$(curl -fsS --max-time 10 -H 'Content-Type: application/json' --data @benchmarks/applicant.json \
  "http://127.0.0.1:$port/api/v1/score")
echo "score: $response"
grep -qE '"decision":"(approve|reject)"' <<<"$response" || { echo "no decision in the score response"; exit 1; }
curl -fsS --max-time 10 -o /dev/null "http://127.0.0.1:$port/" || { echo "the scoring page is not served"; exit 1; }
# The image's HEALTHCHECK, exactly as recorded in the image, inside the container (its environment, its user).
timeout 30 "${pm[@]}" exec "$name" "${probe[@]}" || { echo "HEALTHCHECK command failed: ${probe[*]}"; exit 1; }
timeout 30 "${pm[@]}" healthcheck run "$name" || { echo "podman healthcheck run: unhealthy"; exit 1; }
echo "HEALTHCHECK (${probe[*]}): exit 0, podman healthcheck run: healthy"
exec_uid=$("${pm[@]}" exec "$name" id -u)
main_uid=$(awk '/^Uid:/ { print $2 }' "/proc/$(podman inspect --format '{{.State.Pid}}' "$name")/status")
echo "uid: exec $exec_uid, server process $main_uid"
[ "$exec_uid" = "$app_uid" ] && [ "$main_uid" = "$app_uid" ] || { echo "not running as UID $app_uid"; exit 1; }
end

begin "podman stop"
timeout 60 "${pm[@]}" stop -t 20 "$name" >/dev/null
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
echo "exit code after SIGTERM: $exit_code"
[ "$exit_code" = 0 ] || { "${pm[@]}" logs "$name" | tail -n 20; exit 1; }
end

echo
echo "== timings"
printf '%s\n' "${timings[@]}"
echo "total: $(( ($(date +%s%N) - total_start) / 1000000000 )) s; image size: $((size / 1000000)) MB"
echo "build-image: ok"

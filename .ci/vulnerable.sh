#!/usr/bin/env bash
# Supply chain: fail if any project of CreditRisk.sln references a package (direct or transitive) with a known
# vulnerability, per `dotnet list package --vulnerable --include-transitive`.
#
# That command says "no vulnerable packages" whenever the package source publishes no vulnerability data (a mirror
# serving only packages does exactly that), so it cannot be trusted alone. A canary runs first: a throw-away project
# referencing Newtonsoft.Json 12.0.1 (GHSA-5crp-9r3c-p9vr, high). Unless the sources flag the canary, this check
# FAILS, saying that the vulnerability data is missing: it never passes unchecked.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

canary=$(mktemp -d)
trap 'rm -rf "$canary"' EXIT
cat >"$canary/canary.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
    <NuGetAudit>false</NuGetAudit>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Newtonsoft.Json" Version="12.0.1" />
  </ItemGroup>
</Project>
XML
# The repository's NuGet configuration (if any) applies to the canary too.
for f in NuGet.Config nuget.config; do [ -f "$root/$f" ] && cp "$root/$f" "$canary/"; done

echo "== canary: does the package source publish vulnerability data? =="
if ! dotnet restore "$canary/canary.csproj" >"$canary/restore.log" 2>&1; then
  cat "$canary/restore.log"
  echo "vulnerable-packages: FAILED - could not restore the canary project"
  exit 1
fi
canary_out=$(dotnet list "$canary/canary.csproj" package --vulnerable 2>&1)
echo "$canary_out"
if ! grep -qE '^\s*>\s*Newtonsoft\.Json\s' <<<"$canary_out"; then
  echo "vulnerable-packages: FAILED - NO VULNERABILITY DATA: the package sources did not flag Newtonsoft.Json 12.0.1,"
  echo "a package with a published high-severity advisory. 'dotnet list package --vulnerable' would report every"
  echo "project as clean without checking anything. Use a source that serves NuGet vulnerability data (nuget.org's"
  echo "VulnerabilityInfo resource) or add an audit source (<auditSources> in NuGet.Config), then rerun."
  exit 1
fi

echo
echo "== CreditRisk.sln =="
dotnet restore CreditRisk.sln >/dev/null || { echo "vulnerable-packages: FAILED - restore failed"; exit 1; }
out=$(dotnet list CreditRisk.sln package --vulnerable --include-transitive 2>&1)
status=$?
echo "$out"
if [ "$status" -ne 0 ]; then
  echo "vulnerable-packages: FAILED - 'dotnet list package --vulnerable' exited $status"
  exit 1
fi

# Vulnerable packages are listed as "> Name  Requested/Resolved  Severity  Advisory URL" rows under their project.
vulnerable=$(grep -E '^\s*>\s' <<<"$out" || true)
if [ -n "$vulnerable" ] || grep -q 'has the following vulnerable packages' <<<"$out"; then
  echo "vulnerable-packages: FAILED - vulnerable packages:"
  echo "$vulnerable"
  exit 1
fi

projects=$(grep -c 'has no vulnerable packages given the current sources' <<<"$out" || true)
if [ "${projects:-0}" -eq 0 ]; then
  echo "vulnerable-packages: FAILED - unexpected output; could not tell which projects were checked"
  exit 1
fi
echo "vulnerable-packages: ok - $projects projects, no known vulnerable package (direct or transitive)"

#!/usr/bin/env bash
# Supply chain: fail if any project of CreditRisk.sln references a package (direct or transitive) with a known
# vulnerability, according to the NuGet feeds' vulnerability data. Fails loudly, never passes silently, when that
# data could not be fetched or the output is not understood.
set -uo pipefail
cd "$(dirname "$0")/.."

dotnet restore CreditRisk.sln >/dev/null || { echo "vulnerable-packages: restore failed"; exit 1; }

out=$(dotnet list CreditRisk.sln package --vulnerable --include-transitive 2>&1)
status=$?
echo "$out"

if [ "$status" -ne 0 ]; then
  echo "vulnerable-packages: 'dotnet list package --vulnerable' exited $status"
  exit 1
fi

# No vulnerability data from any source: the check could not run, so it cannot pass.
if grep -qiE 'no vulnerability data|unable to (load|retrieve|fetch)|failed to (retrieve|fetch|download)|error:|warn : ' <<<"$out"; then
  echo "vulnerable-packages: FAILED - the package sources gave no usable vulnerability data (see above); refusing to pass unchecked"
  exit 1
fi

if ! grep -q 'vulnerabilit' <<<"$out"; then
  echo "vulnerable-packages: FAILED - unexpected output; could not tell whether vulnerability data was checked"
  exit 1
fi

# The report lists each vulnerable package as a "> Name  Version  Severity  Advisory" row under the project.
vulnerable=$(grep -E '^\s*>\s' <<<"$out" | grep -iE 'Low|Moderate|High|Critical' || true)
if [ -n "$vulnerable" ]; then
  echo "vulnerable-packages: FAILED - vulnerable packages:"
  echo "$vulnerable"
  exit 1
fi

projects=$(grep -cE "has no vulnerable packages given the current sources" <<<"$out")
echo "vulnerable-packages: ok - $projects project(s) checked, no vulnerable packages"

#!/usr/bin/env bash
# The TypeScript client suite: regenerate the types from openapi.yaml, Lending Club's document and the Open Inference Protocol's, compile with tsc (strict, declaration files checked too), run the tests
# (they start the real server from its Release build) under Node's test runner.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build server/CreditRisk.Server.csproj -c Release -nologo -v quiet
# The documented step (docs/polyglot.md): every schema file the sources import, from openapi.yaml, Lending Club's own
# document and the Open Inference Protocol's (clients/typescript/generate.mjs).
npm run --silent ts:generate
node_modules/.bin/tsc -p clients/typescript
node --test clients/typescript/dist/test/*.test.js

#!/usr/bin/env bash
# The TypeScript client suite: regenerate the types from openapi.yaml, compile with tsc (strict), run the tests
# (they start the real server from its Release build) under Node's test runner.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build server/CreditRisk.Server.csproj -c Release -nologo -v quiet
node_modules/.bin/openapi-typescript openapi.yaml -o clients/typescript/src/schema.d.ts
node_modules/.bin/tsc -p clients/typescript
node --test clients/typescript/dist/test/*.test.js

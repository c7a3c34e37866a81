#!/usr/bin/env bash
# The TypeScript client suite: regenerate the types from openapi.yaml, Lending Club's document and the Open Inference Protocol's, compile with tsc (strict), run the tests
# (they start the real server from its Release build) under Node's test runner.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build server/CreditRisk.Server.csproj -c Release -nologo -v quiet
node_modules/.bin/openapi-typescript openapi.yaml -o clients/typescript/src/schema.d.ts
# Each shipped model has its own document, so its own typed client (Lending Club's is committed beside its model).
node_modules/.bin/openapi-typescript artifacts/lending-club/openapi.yaml -o clients/typescript/src/lending-club-schema.d.ts
# The Open Inference Protocol's own REST document, unchanged: the V2 client is generated from it.
node_modules/.bin/openapi-typescript contracts/open-inference/open_inference_rest.yaml --empty-objects-unknown --redocly clients/typescript/open-inference.redocly.yaml -o clients/typescript/src/open-inference-schema.d.ts
node_modules/.bin/tsc -p clients/typescript
node --test clients/typescript/dist/test/*.test.js

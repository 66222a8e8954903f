#!/usr/bin/env bash
# Fuzz the reference backend against its own OpenAPI document with Schemathesis.
#
# Starts `custdesk sandbox` on a throwaway database, signs in as the demo `backoffice`
# client, and runs Schemathesis twice: once with values it makes up everywhere, once
# with real ids (demo-bank, Ada Quartermaine and her card account, a customer-bound
# token for Citi and NewDay GET /customers) so the handlers' success paths are fuzzed
# too. Citi's `client_id` header is the token's client, `backoffice`. It fails on any
# 5xx and on any answer whose status, content type, headers or body the document does
# not describe.
#
# Needs Python's `schemathesis` (pip install schemathesis) and curl. Not run by CI.
#
#   scripts/schemathesis.sh                      # everything the document lists
#   scripts/schemathesis.sh --exclude-path-regex '^/citi'   # extra args go to `st run`
#
# Environment: PORT (default 18080), MAX_EXAMPLES (default 100), ST (default `st`).
# The sandbox logs to sandbox.log beside its throwaway database; its stdout and stderr
# go to sandbox.out there.
#
# Checks left out, on purpose:
#   positive_data_acceptance: the request bodies' schemas are the shared wire types,
#   looser than the server's validation (names, emails, "at least one filter"...), so
#   Schemathesis' schema-valid data is often, rightly, a 400.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-18080}
MAX_EXAMPLES=${MAX_EXAMPLES:-100}
ST=${ST:-st}
BASE="http://127.0.0.1:${PORT}"
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,negative_data_rejection,missing_required_header,unsupported_method,ignored_auth,use_after_free,ensure_resource_availability

command -v "$ST" >/dev/null || { echo "schemathesis not found: pip install schemathesis (or set ST=/path/to/st)" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl not found" >&2; exit 2; }

cargo build --quiet
WORK=$(mktemp -d)
target/debug/custdesk sandbox --listen "127.0.0.1:${PORT}" --db "$WORK/sandbox.db" \
    --seed-customers 500 >"$WORK/sandbox.out" 2>&1 &
SANDBOX=$!
cleanup() {
    kill "$SANDBOX" 2>/dev/null || true
    wait "$SANDBOX" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
    curl -sf "$BASE/healthz" >/dev/null && break
    kill -0 "$SANDBOX" 2>/dev/null || { cat "$WORK/sandbox.out" >&2; exit 1; }
    sleep 0.1
done

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

TOKEN=$(curl -sf "$BASE/oauth2/token" -d grant_type=client_credentials \
    -d client_id=backoffice -d client_secret=backoffice-secret | json '["access_token"]')
ADA=$(curl -sf "$BASE/customer-service/customers/search" -H "Authorization: Bearer $TOKEN" \
    -H 'content-type: application/json' -d '{"filter":{"familyName":"Quartermaine"}}' \
    | json '["values"][0]["id"]')
ACCOUNT=$(curl -sf "$BASE/customer-service/customers/$ADA" -H "Authorization: Bearer $TOKEN" \
    | json '["accounts"][0]["accountId"]')
# Someone for DELETE to remove, so Ada stays for everything else.
DOOMED=$(curl -sf "$BASE/bankingservice/v1/profiles/demo-bank/customers?page=1&size=1" \
    -H "Authorization: Bearer $TOKEN" | json '["data"][0]["id"]')

# Schemathesis keeps a cache in the working directory: keep it with the throwaway data.
cd "$WORK"
COMMON=(--checks "$CHECKS" --max-examples "$MAX_EXAMPLES" --workers 1)

# Like most HTTP APIs the sandbox ignores query parameters it does not know: do not
# count accepting them as a failure to reject bad input.
GENERATION='[generation]
allow-extra-parameters = false'
printf '%s\n' "$GENERATION" >"$WORK/made-up.toml"

STATUS=0
echo "== made-up values"
"$ST" --config-file "$WORK/made-up.toml" run "${COMMON[@]}" \
    -H "Authorization: Bearer $TOKEN" \
    -H "xx-relay-api-key: demo-relay-key" \
    -H "uuid: 6f1c2d3e-0000-4000-8000-000000000001" \
    -H "client_id: backoffice" \
    "$@" "$BASE/openapi.json" || STATUS=1

echo "== real ids"
# A customer-bound token lives five minutes: take it now.
BOUND=$(curl -sf "$BASE/oauth2/token" \
    -d grant_type=urn:ietf:params:oauth:grant-type:token-exchange \
    -d subject_token="$TOKEN" -d resource="$ADA" | json '["access_token"]')
cat >"$WORK/real-ids.toml" <<EOF
headers = { Authorization = "Bearer $TOKEN", "xx-relay-api-key" = "demo-relay-key", uuid = "6f1c2d3e-0000-4000-8000-000000000002", client_id = "backoffice" }

$GENERATION

[parameters]
"path.profileId" = "demo-bank"
"path.client_id" = "demo-bank"
"path.customerId" = "$ADA"
"path.ccid" = "$ADA"
"path.accountId" = "$ACCOUNT"

[[operations]]
include-method = "DELETE"
parameters = { "path.customerId" = "$DOOMED" }

[[operations]]
include-path-regex = "^/citi/|^/customer-service/customers\$"
headers = { Authorization = "Bearer $BOUND", "xx-relay-api-key" = "demo-relay-key", uuid = "6f1c2d3e-0000-4000-8000-000000000003", client_id = "backoffice" }
EOF
"$ST" --config-file "$WORK/real-ids.toml" run "${COMMON[@]}" "$@" "$BASE/openapi.json" || STATUS=1

if [ "$STATUS" = 0 ]; then
    echo "schemathesis: no server errors, every answer as documented"
fi
exit "$STATUS"

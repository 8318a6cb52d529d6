# docs/openapi.yaml is valid OpenAPI 3.1 (npm validator, installed by
# scripts/deps.sh) and lists every route of src/http/api.c.
. "$ROOT/tests/cli/lib.sh"
[ -d "$ROOT/node_modules/@seriousme/openapi-schema-validator" ] || fail "run scripts/deps.sh (npm ci)"
cd "$ROOT"
node tests/openapi/validate.mjs docs/openapi.yaml >"$T/out" 2>&1 || { cat "$T/out"; fail "openapi invalid"; }
grep -o '{"[A-Z]*", "/[^"]*"' src/http/api.c | sed 's/.*"\(\/[^"]*\)"/\1/' | sort -u | while read -r p; do
	grep -q "^  $p:" docs/openapi.yaml || fail "route $p missing from docs/openapi.yaml"
done

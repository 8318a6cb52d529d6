#!/bin/sh
# scripts/demo-users.sh DB - create one demo user per role with generated
# passwords and print them (name, role, password). For demos only; run by
# scripts/demo.sh before `uctrack serve`. Existing demo users get a new
# password. Usage: scripts/demo-users.sh [DB]
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
U=${UCTRACK:-$ROOT/build/uctrack}
DB=${1:-${UCTRACK_DB:-uctrack.db}}
OFFICE=${DEMO_OFFICE:-HOU}
PROVIDER=${DEMO_PROVIDER:-KIND}
echo "demo users (passwords generated now; write them down):"
for spec in "demo-admin admin" "demo-supervisor supervisor --office $OFFICE" \
	"demo-officer officer --office $OFFICE" "demo-analyst analyst" \
	"demo-legal legal_provider --provider $PROVIDER" "demo-auditor auditor"; do
	set -- $spec
	name=$1 role=$2; shift 2
	pw=$(head -c 12 /dev/urandom | base64 | tr '+/' '-_')
	if printf '%s\n' "$pw" | "$U" --db "$DB" --quiet user add "$name" --role "$role" "$@" 2>/dev/null; then :
	else printf '%s\n' "$pw" | "$U" --db "$DB" --quiet user passwd "$name"; fi
	printf '  %-16s %-15s %s\n' "$name" "$role" "$pw"
done
# A caseload for the demo officer, so that My cases and the inbox have
# something to show: the office's 25 highest-priority children, assigned by
# the demo supervisor (as `uctrack work assign` does it for real).
CASES=$("$U" --db "$DB" --quiet work queue --office "$OFFICE" --limit 25 --csv 2>/dev/null |
	tail -n +2 | cut -d, -f1 | tr '\n' ' ')
if [ -n "$CASES" ]; then
	# shellcheck disable=SC2086
	"$U" --db "$DB" --quiet work assign --by demo-supervisor --to demo-officer \
		--note "demo caseload" $CASES
	echo "  demo-officer has $(echo $CASES | wc -w) cases of office $OFFICE assigned (My cases)"
fi

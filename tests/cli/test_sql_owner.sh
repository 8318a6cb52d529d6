# SQL has an owner (issue 16): src/http and src/cli hold no SQL statement
# and call no store function that runs SQL text; scripts/sql-owner.py
# (run by `make lint`) says FILE:LINE of each. This runs it on the tree,
# then on a file holding every kind of finding and things that only look
# like SQL, to show it names each finding's line and nothing else.
. "$ROOT/tests/cli/lib.sh"
command -v python3 >/dev/null || fail "python3 missing"
LINT=$ROOT/scripts/sql-owner.py
expect_rc 0 "$LINT"

mkdir -p "$T/src/http"
F=$T/src/http/api_bad.c
cat >"$F" <<'C'
#include "http/api.h"
/* SELECT name FROM app_user: a comment is no statement */
static const char *method = "DELETE";
static const char *hint = "revoke with DELETE /api/v1/tokens/{id}";
static const char *words = "select the rows to update, then delete from the list";
int bad(struct http_req *r, struct uc_err *err)
{
	struct store_stmt *q = NULL;
	int rc = store_prepare(r->st, "SELECT id, name"
				      " FROM app_user"
				      " ORDER BY name", &q, err);
	store_exec(r->st, "PRAGMA wal_checkpoint(PASSIVE)", err);
	const char *ins = "INSERT OR IGNORE INTO t(a) VALUES(?)";
	const char *upd = "UPDATE app_user"
			  " SET role = ? WHERE id = ?";
	const char *del = "DELETE FROM app_session WHERE user_id = ?";
	const char *cte = "WITH x AS (SELECT 1) SELECT * FROM x";
	sqlite3_exec(NULL, "", NULL, NULL, NULL);
	(void)store_last_id(r->st);
	return rc;
}
C
expect_rc 1 "$LINT" "$F"
grep -v '^#' "$T/out" | sed "s|^$F:||" >"$T/found"
cat >"$T/want" <<'W'
9: SQL statement (SELECT ... FROM) in the HTTP/CLI layer: "SELECT id, name FROM app_user ORDER BY name"
9: store_prepare() called from the HTTP/CLI layer
12: SQL statement (PRAGMA) in the HTTP/CLI layer: "PRAGMA wal_checkpoint(PASSIVE)"
12: store_exec() called from the HTTP/CLI layer
13: SQL statement (INSERT INTO) in the HTTP/CLI layer: "INSERT OR IGNORE INTO t(a) VALUES(?)"
14: SQL statement (UPDATE ... SET) in the HTTP/CLI layer: "UPDATE app_user SET role = ? WHERE id = ?"
16: SQL statement (DELETE FROM) in the HTTP/CLI layer: "DELETE FROM app_session WHERE user_id = ?"
17: SQL statement (SELECT ... FROM) in the HTTP/CLI layer: "WITH x AS (SELECT 1) SELECT * FROM x"
18: SQLite API used from the HTTP/CLI layer: sqlite3_exec(
19: store_last_id() called from the HTTP/CLI layer
W
diff "$T/want" "$T/found" >&2 || fail "sql-owner.py: findings differ (want, found)"
expect_grep 'move the SQL into the module that owns the table' "$T/err"

# a module that owns its tables is not the lint's business: only what it
# is pointed at (by default src/http and src/cli) is read
expect_rc 0 "$LINT" "$ROOT/src/http" "$ROOT/src/cli"

#!/usr/bin/env python3
"""Plan guard: every statement that a request or a per-child command runs
must reach feed and derived tables through an index.

Usage: plan_guard.py DB SQL_LOG [--scale N]

SQL_LOG holds "TAG<TAB>SQL" lines written by uctrack with $UCTRACK_SQL_LOG
set (store.h, store_sql_log_tag). The database is copied, analysed, and its
statistics multiplied by N (default 1000) so that the planner chooses as it
would at production size, not as it may on a small test database. Then
EXPLAIN QUERY PLAN runs on each distinct statement (parameters unbound) and
any full scan ("SCAN t", with or without a covering index) or skip-scan
("ANY(col)": one index search per distinct leading value, which a 2M-case
database's sampled statistics once chose for the case page's rank) of a
table not listed in SMALL fails the guard, naming the route and the statement. The
same is checked again with no statistics at all, as a database written
before uctrack gathered them is planned.
Exit 0: all plans use indexes; 1: some scan; 2: usage or database error.
"""
import os
import re
import shutil
import sqlite3
import sys
import tempfile

# Tables that stay small whatever the number of children: configuration,
# users and sessions, run logs. Everything else is guarded.
SMALL = {
    "app_user", "api_token", "ruleset", "triage_meta", "triage_run",
    "link_run", "link_model", "link_watermark", "import_file", "unknown_code",
    "record_link_mark", "schema_version", "sqlite_schema", "sqlite_master",
    "json_each", "office", "report_snapshot",
}

SCAN = re.compile(r"^SCAN (?:TABLE )?(\w+)")
SKIP = re.compile(r"^SEARCH (?:TABLE )?(\w+) .*\bANY\(")


def bounded(sql):
    """A statement without WHERE that reads at most one row whatever the
    size ("SELECT x FROM t LIMIT 1", "SELECT EXISTS(SELECT 1 FROM t)")."""
    up = " ".join(sql.upper().split())
    if " WHERE " in up or " JOIN " in up:
        return False
    return bool(re.search(r"\bLIMIT 1$", up) or
                re.fullmatch(r"SELECT EXISTS\(SELECT 1 FROM \w+\)", up))


def aliases(sql):
    """alias -> table for "FROM table alias" and "JOIN table AS alias"."""
    out = {}
    for t, a in re.findall(r"(?i)\b(?:FROM|JOIN)\s+(\w+)\s+(?:AS\s+)?(\w+)", sql):
        if a.upper() not in {"WHERE", "JOIN", "ON", "LEFT", "INNER", "CROSS", "ORDER",
                             "GROUP", "LIMIT", "UNION", "USING", "NATURAL", "SET"}:
            out[a] = t
    return out


def explain(con, sql):
    """EXPLAIN QUERY PLAN with every parameter NULL."""
    n = 0
    for _ in range(2):
        try:
            return con.execute("EXPLAIN QUERY PLAN " + sql, [None] * n).fetchall()
        except sqlite3.ProgrammingError as e:
            m = re.search(r"uses (\d+)", str(e))
            if not m:
                raise
            n = int(m.group(1))
    return con.execute("EXPLAIN QUERY PLAN " + sql, [None] * n).fetchall()


def check(copy, stmts, how):
    """Explain every statement on copy; print and count full scans."""
    con = sqlite3.connect(copy)
    # "SCAN d" of a subquery or CTE named d reads the rows it produced,
    # which the subquery's own plan lines bound: only tables count
    tables = {r[0] for r in con.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table'")}
    bad = 0
    for sql, tag in sorted(stmts.items(), key=lambda kv: (kv[1], kv[0])):
        if bounded(sql):
            continue
        try:
            plan = explain(con, sql)
        except sqlite3.Error as e:
            print(f"plan guard: {tag}: cannot explain: {e}: {sql}", file=sys.stderr)
            bad += 1
            continue
        alias = aliases(sql)
        for row in plan:
            m = SCAN.match(row[3])
            if not m or row[3].startswith("SCAN CONSTANT ROW"):
                continue
            name = alias.get(m.group(1), m.group(1))
            if name not in SMALL and name in tables:
                print(f"FULL SCAN of {name} ({row[3]}, {how}) in {tag}:\n  {sql}")
                bad += 1
        for row in plan:
            m = SKIP.match(row[3])
            if m and alias.get(m.group(1), m.group(1)) not in SMALL:
                print(f"SKIP-SCAN of {m.group(1)} ({row[3]}, {how}) in {tag}:\n  {sql}")
                bad += 1
    con.close()
    return bad


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    db, log = argv[1], argv[2]
    scale = 1000
    if len(argv) > 4 and argv[3] == "--scale":
        scale = int(argv[4])
    stmts = {}
    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            tag, _, sql = line.rstrip("\n").partition("\t")
            if sql and sql not in stmts:
                stmts[sql] = tag
    if not stmts:
        print(f"plan guard: {log} holds no statements: was UCTRACK_SQL_LOG set?",
              file=sys.stderr)
        return 2
    tmp = tempfile.mkdtemp(prefix="uc-plans.")
    try:
        copy = os.path.join(tmp, "plans.db")
        src = sqlite3.connect(db)
        dst = sqlite3.connect(copy)
        src.backup(dst)
        src.close()
        dst.execute("ANALYZE")
        dst.commit()
        # production-sized statistics: rows times scale, same selectivity
        rows = dst.execute("SELECT tbl, idx, stat FROM sqlite_stat1").fetchall()
        for tbl, idx, stat in rows:
            parts = stat.split(" ")
            if tbl in SMALL or not parts or not parts[0].isdigit():
                continue
            parts[0] = str(max(int(parts[0]), 1) * scale)
            dst.execute("UPDATE sqlite_stat1 SET stat = ? WHERE tbl = ? AND idx IS ?",
                        (" ".join(parts), tbl, idx))
        dst.commit()
        dst.close()
        bad = check(copy, stmts, "production statistics")
        # and as a database that never had statistics would plan them
        con = sqlite3.connect(copy)
        con.execute("DELETE FROM sqlite_stat1")
        con.commit()
        con.close()
        bad += check(copy, stmts, "no statistics")
        print(f"plan guard: {len(stmts)} statements, {bad} full or skip scan(s)")
        return 1 if bad else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))

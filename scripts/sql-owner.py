#!/usr/bin/env python3
"""sql-owner.py - fail when the HTTP or CLI layer holds SQL.

Every table belongs to one module (auth, audit, case, triage, work, ...),
which exports documented functions; src/http/ and src/cli/ call them and
never write SQL themselves (issue 16, "SQL that has an owner"; DESIGN.md
section 4). This lint reads every .c and .h file under the given
directories (default src/http src/cli) and reports, as FILE:LINE: what,

  - a string literal (adjacent literals joined, as the compiler does) that
    is an SQL statement: SELECT ... FROM, INSERT INTO, UPDATE ... SET,
    DELETE FROM, WITH ... AS (, PRAGMA, CREATE/DROP/ALTER, BEGIN/COMMIT ...;
  - a call of a store function that runs SQL text or reads what a
    statement did (store_prepare, store_exec, store_query_int,
    store_fingerprint, store_last_id, store_changes, store_indexes_*);
  - any use of the SQLite C API (sqlite3_*, <sqlite3.h>).

Reading the columns of a statement a module handed over (store_step,
store_col_*) and transactions (store_begin/commit/rollback) are allowed:
they hold no SQL. Exit 0 when clean, 1 with one line per finding.

Usage: scripts/sql-owner.py [DIR|FILE ...]
"""
import os
import re
import sys

# SQL statements, as they begin or as they are shaped. Keywords are
# upper case, as every statement of the project writes them, so prose in
# messages ("select the rows ... from the list") is none; nor is an HTTP
# method alone ("DELETE") or a route ("DELETE /api/v1/tokens/{id}").
SQL_PATTERNS = [
    (r"\bSELECT\s+[\s\S]*?\bFROM\s+[A-Za-z_(]", "SELECT ... FROM"),
    (r"^\s*SELECT\s+\S", "SELECT"),
    (r"\bINSERT\s+(OR\s+[A-Za-z]+\s+)?INTO\s+[A-Za-z_]", "INSERT INTO"),
    (r"\bREPLACE\s+INTO\s+[A-Za-z_]", "REPLACE INTO"),
    (r"\bUPDATE\s+[A-Za-z_][A-Za-z0-9_]*(\s+AS\s+\w+|\s+\w+)?\s+SET\s", "UPDATE ... SET"),
    (r"\bDELETE\s+FROM\s+[A-Za-z_]", "DELETE FROM"),
    (r"\bWITH\s+(RECURSIVE\s+)?[A-Za-z_][A-Za-z0-9_]*\s*(\([^)]*\))?\s*AS\s*(NOT\s+)?(MATERIALIZED\s+)?\(",
     "WITH ... AS ("),
    (r"\bPRAGMA\s+[A-Za-z_]", "PRAGMA"),
    (r"\b(CREATE|DROP|ALTER)\s+(TEMP\s+|TEMPORARY\s+|UNIQUE\s+|VIRTUAL\s+)?"
     r"(TABLE|INDEX|VIEW|TRIGGER)\b", "DDL"),
    (r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE\s+SAVEPOINT|VACUUM|ANALYZE|"
     r"REINDEX|ATTACH|DETACH|EXPLAIN)\b(\s|;|$)", "transaction/maintenance statement"),
]
SQL_RES = [(re.compile(p), what) for p, what in SQL_PATTERNS]

STORE_CALLS = re.compile(
    r"\b(store_prepare|store_exec|store_query_int|store_fingerprint|store_last_id|"
    r"store_changes|store_indexes_drop|store_indexes_restore)\s*\(")
SQLITE_API = re.compile(r"\bsqlite3_[A-Za-z0-9_]*\s*\(|#\s*include\s*[<\"]sqlite3\.h[>\"]")


def scan(text):
    """Split C text into code (comments and literals blanked, newlines kept)
    and the string literals, adjacent ones joined: [(line, value)]."""
    code = []
    strings = []
    i, n, line = 0, len(text), 1
    cur = None          # [start line, parts] of a literal run being joined
    pending_gap = False  # only blanks/comments since the last literal
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            code.append(" " * (j - i))
            i = j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            chunk = text[i:j]
            line += chunk.count("\n")
            code.append(re.sub(r"[^\n]", " ", chunk))
            i = j
            continue
        if c == "'":
            j = i + 1
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            code.append(" " * (j + 1 - i))
            i = j + 1
            if cur is not None:
                strings.append((cur[0], "".join(cur[1])))
                cur = None
            continue
        if c == '"':
            j = i + 1
            parts = []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    parts.append(text[j:j + 2])
                    j += 2
                else:
                    parts.append(text[j])
                    j += 1
            value = "".join(parts)
            # a literal right after another (only blanks between) joins it
            if cur is None:
                cur = [line, [value]]
            else:
                cur[1].append(value)
            line += text[i:j + 1].count("\n")
            code.append('""')
            i = j + 1
            continue
        if c == "\n":
            line += 1
            code.append(c)
            i += 1
            continue
        if c in " \t\r\f\v":
            code.append(c)
            i += 1
            continue
        # any other token ends a run of adjacent literals
        if cur is not None:
            strings.append((cur[0], "".join(cur[1])))
            cur = None
        code.append(c)
        i += 1
    if cur is not None:
        strings.append((cur[0], "".join(cur[1])))
    return "".join(code), strings


def check_file(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    code, strings = scan(text)
    found = []
    for line, value in strings:
        for rx, what in SQL_RES:
            if rx.search(value):
                shown = " ".join(value.split())
                if len(shown) > 60:
                    shown = shown[:57] + "..."
                found.append((line, "SQL statement (%s) in the HTTP/CLI layer: \"%s\"" %
                              (what, shown)))
                break
    for no, ln in enumerate(code.split("\n"), 1):
        m = STORE_CALLS.search(ln)
        if m:
            found.append((no, "%s() called from the HTTP/CLI layer" % m.group(1)))
        m = SQLITE_API.search(ln)
        if m:
            found.append((no, "SQLite API used from the HTTP/CLI layer: %s" %
                          m.group(0).strip()))
    return sorted(found)


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    targets = argv[1:] or [os.path.join(root, "src", "http"), os.path.join(root, "src", "cli")]
    files = []
    for t in targets:
        if os.path.isdir(t):
            for dirpath, _, names in os.walk(t):
                files += [os.path.join(dirpath, x) for x in names if x.endswith((".c", ".h"))]
        else:
            files.append(t)
    bad = 0
    for path in sorted(files):
        shown = os.path.relpath(path, root) if path.startswith(root) else path
        for line, msg in check_file(path):
            print("%s:%d: %s" % (shown, line, msg))
            bad += 1
    if bad:
        print("sql-owner.py: %d finding(s): move the SQL into the module that owns the "
              "table (auth, audit, case, triage, work, store, ...) and call its "
              "function" % bad, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

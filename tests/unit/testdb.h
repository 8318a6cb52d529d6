#ifndef UC_TESTDB_H
#define UC_TESTDB_H
/*
 * testdb.h - a scratch database file for the unit tests that need a store
 * on disk: its path (per test program and process) and its removal with
 * the WAL files SQLite leaves beside it.
 *
 *   static char path[256];
 *   testdb_path(path, sizeof(path), "audit");   // /tmp/uctrack-test-audit-PID.db
 *   testdb_remove(path);                         // before open, after close
 */
#include <stdio.h>
#include <unistd.h>

static inline void testdb_path(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "/tmp/uctrack-test-%s-%d.db", name, (int)getpid());
}

static inline void testdb_remove(const char *path)
{
	char p[300];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

#endif

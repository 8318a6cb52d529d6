/*
 * fuzz_import.h - shared by the import fuzz targets: one in-memory store
 * and ingest context per process; each input is written to a file with the
 * given name and imported (then rolled back by the file transaction on
 * errors, or left: the store is reset every 1000 inputs).
 */
#ifndef FUZZ_IMPORT_H
#define FUZZ_IMPORT_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "ingest/ingest.h"
#include "store/store.h"

static struct store *fz_st;
static struct ingest_ctx *fz_ic;
static FILE *fz_null;
static long fz_n;
static char fz_dir[64];
/* a fixed notes' key: screening notes go through sealing (and sealed-looking
 * notes through seal_open) */
static const unsigned char fz_key[32] = {1, 2, 3, 4, 5, 6, 7, 8};

static void fz_import(const char *feed, const char *name, const uint8_t *data, size_t size)
{
	struct uc_err err = UC_ERR_INIT;
	struct ingest_opts o;
	struct buf path;
	FILE *f;
	char *paths[1];
	int rc;

	if (!fz_null) {
		fz_null = fopen("/dev/null", "w");
		snprintf(fz_dir, sizeof(fz_dir), "/tmp/uctrack-fuzz-%ld", (long)getpid());
		mkdir(fz_dir, 0700);
	}
	if (!fz_st || ++fz_n % 1000 == 0) {
		ingest_free(fz_ic);
		store_close(fz_st);
		fz_ic = NULL;
		if (store_open(&fz_st, ":memory:", STORE_BULK, &err))
			BUG("store_open: %s", err.msg);
		memset(&o, 0, sizeof(o));
		o.eoir_lookup = getenv("UCTRACK_EOIR_LOOKUP");
		if (!o.eoir_lookup)
			o.eoir_lookup = "../shared/data/eoir/lookup_tables_combined.csv";
		o.note_key = fz_key;
		o.quiet = 1;
		o.out = fz_null;
		o.diag = fz_null;
		if (ingest_open(&fz_ic, fz_st, &o, &err))
			BUG("ingest_open: %s", err.msg);
	}
	buf_init(&path, 4096);
	buf_addf(&path, "%s/%s", fz_dir, name);
	f = fopen(path.ptr, "wb");
	if (!f)
		BUG("cannot write %s", path.ptr);
	fwrite(data, 1, size, f);
	fclose(f);
	paths[0] = path.ptr;
	rc = ingest_feed(fz_ic, feed, paths, 1, NULL, &err);
	if (rc != UC_OK && rc != UC_EINPUT)
		BUG("%s import: unexpected result %d: %s", feed, rc, err.msg);
	unlink(path.ptr);
	buf_release(&path);
}
#endif

// fuzz-objs: src/ingest/*.c src/core/*.c src/store/store.c src/auth/seal.c
/*
 * fuzz_csvr.c - libFuzzer target for the CSV reader (src/ingest/csvr.c):
 * any bytes must give rows or CSVR_BAD with a sane position, never a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "ingest/csvr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csvr *r = csvr_open_mem("fuzz.csv", data, size, ',');
	struct csvr_row *row;
	int rc;
	long prev = 0;

	while ((rc = csvr_next(r, &row)) != CSVR_EOF) {
		long line, col;

		if (rc == CSVR_IOERR)
			BUG("I/O error from memory");
		if (rc == CSVR_BAD) {
			if (row->bad_line < 1 || row->col < 1 || !row->problem)
				BUG("bad position %ld:%ld", row->bad_line, row->col);
			continue;
		}
		if (row->line <= prev || row->last_line < row->line)
			BUG("lines out of order: %ld after %ld", row->line, prev);
		prev = row->last_line;
		for (int i = 0; i <= row->nf; i++) {
			csvr_field_pos(row, i, &line, &col);
			if (line < row->line || line > row->last_line || col < 1)
				BUG("field %d at %ld:%ld", i, line, col);
		}
		for (int i = 0; i < row->nf; i++)
			if (strlen(row->f[i]) > row->len[i])
				BUG("field %d longer than its length", i);
	}
	csvr_close(r);
	return 0;
}

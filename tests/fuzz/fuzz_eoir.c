// fuzz-objs: src/ingest/*.c src/core/*.c src/store/store.c src/auth/seal.c
/*
 * fuzz_eoir.c - libFuzzer target for the EOIR tab-separated reader and its
 * adapter (shift repair, NULLs, codes): the input is imported as an
 * A_TblCase file. Seeds: tests/data/import/good/eoir.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_import("eoir", size % 2 ? "A_TblCase.csv" : "tbl_schedule.csv", data, size);
	return 0;
}

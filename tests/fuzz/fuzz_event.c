// fuzz-objs: src/ingest/*.c src/core/*.c src/store/store.c src/auth/seal.c
/*
 * fuzz_event.c - libFuzzer target for the field-event JSONL parser and
 * validator (ingest_event's checks), through a whole events file import.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_import("events", "events.jsonl", data, size);
	return 0;
}

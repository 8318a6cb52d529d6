// fuzz-objs: src/http/hjson.c src/core/err.c src/core/buf.c src/core/progress.c src/core/hash.c
// src/store/store.c
/* Fuzz the API's request-body parsing: strict object parse, field checks,
 * masking. Must never crash, leak or accept a non-object. */
#include <stddef.h>
#include <stdint.h>

#include "http/hjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct hj_field spec[] = {
	    {"username", HJ_STRING, 1},
	    {"password", HJ_STRING, 1},
	    {"n", HJ_INT, 0},
	    {"o", HJ_OBJECT, 0},
	    {NULL, 0, 0},
	};
	struct uc_err err = UC_ERR_INIT;
	json_t *obj = NULL;

	if (hj_parse_object((const char *)data, size, &obj, &err) == UC_OK) {
		if (!json_is_object(obj))
			__builtin_trap();
		(void)hj_check_fields(obj, spec, "body", &err);
		hj_mask_pii(obj);
		json_decref(obj);
	}
	return 0;
}

/* test_hjson.c - hj_mask_pii(): personal fields masked for auditors, rule
 * and hold names shown, and no unmasking through a record's free body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "http/hjson.h"

static const char *at(json_t *root, const char *path)
{
	json_t *v = json_object_get(root, path);

	return json_string_value(v);
}

static void test_mask(void **state)
{
	json_error_t je;
	json_t *c =
	    json_loads("{\"family_name\":\"LOPEZ\",\"holds\":[{\"name\":\"pending_asylum\"}],"
		       " \"explanation\":{\"fired\":[{\"kind\":\"rule\",\"name\":\"no_contact\"},"
		       "  {\"kind\":\"hold\",\"name\":\"tvpra\"}]},"
		       " \"records\":[{\"given_name\":\"ANA\",\"body\":{\"kind\":\"rule\",\"name\":"
		       "\"ANA LOPEZ\","
		       "  \"holds\":[{\"name\":\"ANA LOPEZ\"}]}}]}",
		       0, &je);

	(void)state;
	assert_non_null(c);
	hj_mask_pii(c);
	assert_string_equal(at(c, "family_name"), "***");
	assert_string_equal(at(json_array_get(json_object_get(c, "holds"), 0), "name"),
			    "pending_asylum");
	{
		json_t *f = json_object_get(json_object_get(c, "explanation"), "fired");

		assert_string_equal(at(json_array_get(f, 0), "name"), "no_contact");
		assert_string_equal(at(json_array_get(f, 1), "name"), "tvpra");
	}
	{
		json_t *r = json_array_get(json_object_get(c, "records"), 0);
		json_t *b = json_object_get(r, "body");

		assert_string_equal(at(r, "given_name"), "***");
		/* shaped like a rule inside a free body: still masked */
		assert_string_equal(at(b, "name"), "***");
		assert_string_equal(at(json_array_get(json_object_get(b, "holds"), 0), "name"),
				    "***");
	}
	json_decref(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

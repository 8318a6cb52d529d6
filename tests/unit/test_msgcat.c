/*
 * test_msgcat.c - the server's words in Spanish (src/http/msgcat.h):
 * whole messages, messages with values (translated when they are known
 * words), English and unknown messages left as they are, cutting on a
 * UTF-8 boundary, and the catalogue's own consistency.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "http/msgcat.h"

static void test_translate(void **state)
{
	char out[MSGCAT_MAX];
	const char *msg;

	(void)state;
	assert_string_equal(msgcat_translate("es", "Forbidden", out, sizeof(out)), "Prohibido");
	assert_string_equal(msgcat_translate("es",
					     "too many failed logins; try again in 12 seconds", out,
					     sizeof(out)),
			    "demasiados intentos fallidos; vuelva a intentarlo en 12 segundos");
	/* values that are known words are translated too */
	assert_string_equal(msgcat_translate("es",
					     "case 7 is outside your scope (officer sees only "
					     "its own field office's cases)",
					     out, sizeof(out)),
			    "el caso 7 está fuera de su ámbito (agente: ve solo los casos de su "
			    "oficina local)");
	assert_string_equal(
	    msgcat_translate("es",
			     "ui-sup asked for this lift: a second person (another "
			     "supervisor or an admin) must approve it",
			     out, sizeof(out)),
	    "ui-sup pidió este levantamiento: una segunda persona (otro supervisor o "
	    "un administrador) debe aprobarlo");
	/* a value with the pattern's own words in it */
	assert_string_equal(
	    msgcat_translate("es", "no user named 'no user named'", out, sizeof(out)),
	    "no existe ningún usuario llamado 'no user named'");
	/* English, no language, unknown messages: the message itself */
	msg = "wrong user name or password (or the account is disabled)";
	assert_ptr_equal(msgcat_translate("en", msg, out, sizeof(out)), msg);
	assert_ptr_equal(msgcat_translate(NULL, msg, out, sizeof(out)), msg);
	assert_ptr_equal(msgcat_translate("", msg, out, sizeof(out)), msg);
	msg = "something the catalogue does not know";
	assert_ptr_equal(msgcat_translate("es", msg, out, sizeof(out)), msg);
	/* a message must match whole, not as a prefix */
	msg = "Forbidden!";
	assert_ptr_equal(msgcat_translate("es", msg, out, sizeof(out)), msg);
}

static void test_cut(void **state)
{
	char out[16];
	const char *t;

	(void)state;
	/* "Solicitud no válida": the cut never splits the two bytes of á */
	t = msgcat_translate("es", "Invalid request", out, 15);
	assert_string_equal(t, "Solicitud no v");
	t = msgcat_translate("es", "Invalid request", out, 12);
	assert_string_equal(t, "Solicitud n");
	t = msgcat_translate("es", "Not found", out, 6);
	assert_string_equal(t, "No en");
	{
		char small[16];

		/* "...válida" cut right after the 'v': 'á' does not fit */
		t = msgcat_translate("es", "Invalid request", small, 16);
		assert_string_equal(t, "Solicitud no v");
	}
}

static void test_catalogue(void **state)
{
	const char *bad = "x";

	(void)state;
	if (msgcat_check(&bad))
		fail_msg("catalogue entry '%s' names a value its pattern lacks", bad);
	assert_null(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_translate),
	    cmocka_unit_test(test_cut),
	    cmocka_unit_test(test_catalogue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

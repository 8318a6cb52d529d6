/*
 * msgcat.c - the server's words in Spanish (see msgcat.h). The entries
 * are the problems people meet through the web UI: titles, signing in,
 * sessions, purpose, scope and role refusals, required reasons, task and
 * hold-lift conflicts, assignment and counsel requests, busy server. The
 * UI's own words are in web/lang-es.js; the two say the same things the
 * same way (role names, "hold", "lift").
 */
#include "http/msgcat.h"

#include <string.h>

#define MSGCAT_CAPS 4

struct msgcat_entry {
	const char *en; /* English pattern; "{}" matches any text */
	const char *es; /* Spanish; "{N}" is the N-th match */
};

/* Words that appear inside messages as values (role names). */
static const struct msgcat_entry words_es[] = {
    {"admin", "administrador"},
    {"supervisor", "supervisor"},
    {"officer", "agente"},
    {"analyst", "analista"},
    {"legal_provider", "proveedor legal"},
    {"auditor", "auditor"},
    {"sees only its own clients", "ve solo a sus propios clientes"},
    {"sees only its own field office's cases", "ve solo los casos de su oficina local"},
    {"pending", "pendiente"},
    {"approved", "aprobada"},
    {"rejected", "rechazada"},
    {"withdrawn", "retirada"},
    {"confirmed", "confirmada"},
    {"approve", "aprobar"},
    {"reject", "rechazar"},
};

static const struct msgcat_entry msgs_es[] = {
    /* titles (server.c title_of) */
    {"Invalid request", "Solicitud no válida"},
    {"Authentication required", "Se requiere autenticación"},
    {"Forbidden", "Prohibido"},
    {"Not found", "No encontrado"},
    {"Method not allowed", "Método no permitido"},
    {"Conflict", "Conflicto"},
    {"Request too large", "Solicitud demasiado grande"},
    {"Unsupported media type", "Tipo de contenido no admitido"},
    {"Too many requests", "Demasiadas solicitudes"},
    {"Service unavailable", "Servicio no disponible"},
    {"Internal error", "Error interno"},
    /* server-wide */
    {"the server is shutting down; nothing of this request was stored; retry shortly",
     "el servidor se está deteniendo; no se guardó nada de esta solicitud; vuelva a intentarlo en "
     "breve"},
    {"this request ran past its time limit ({} ms) and was stopped; nothing of it was stored. "
     "Narrow it (a smaller page or limit, a more specific search, an earlier as_of) or retry later",
     "esta solicitud superó su tiempo límite ({1} ms) y se detuvo; no se guardó nada. "
     "Acótela (una página o un límite menor, una búsqueda más precisa, una fecha as_of anterior) "
     "o vuelva a intentarlo más tarde"},
    {"the database is busy or unavailable; retry shortly",
     "la base de datos está ocupada o no disponible; vuelva a intentarlo en breve"},
    {"internal error; the server log has details",
     "error interno; el registro del servidor tiene los detalles"},
    /* signing in, sessions */
    {"wrong user name or password (or the account is disabled)",
     "usuario o contraseña incorrectos (o la cuenta está desactivada)"},
    {"too many failed logins; try again in {} seconds",
     "demasiados intentos fallidos; vuelva a intentarlo en {1} segundos"},
    {"session expired; log in again", "la sesión expiró; inicie sesión de nuevo"},
    {"no valid session; log in again", "no hay una sesión válida; inicie sesión de nuevo"},
    {"authentication required: log in with POST /api/v1/session or send 'Authorization: Bearer "
     "<API token>'",
     "se requiere autenticación: inicie sesión con POST /api/v1/session o envíe "
     "'Authorization: Bearer <token de la API>'"},
    {"missing or wrong X-CSRF-Token header: send the csrf value returned by POST /api/v1/session",
     "falta la cabecera X-CSRF-Token o es incorrecta: envíe el valor csrf que devolvió "
     "POST /api/v1/session"},
    {"X-Purpose header required (3 to {} characters): say why you need this child's data, "
     "e.g. 'X-Purpose: welfare check visit'",
     "se requiere la cabecera X-Purpose (de 3 a {1} caracteres): diga para qué necesita los "
     "datos de este niño, p. ej. 'X-Purpose: visita de verificación de bienestar'"},
    {"this API token is read-only: it may not {}",
     "este token de la API es de solo lectura: no puede {1}"},
    /* scope and roles */
    {"case {} is outside your scope ({} {})", "el caso {1} está fuera de su ámbito ({2}: {3})"},
    {"role {} may not {} (needs {})", "el rol {1} no puede {2} (necesita {3})"},
    {"role {} sees only the queue of office {}", "el rol {1} ve solo la cola de la oficina {2}"},
    {"role {} may not record '{}' events", "el rol {1} no puede registrar eventos '{2}'"},
    {"role {} may not assign cases (supervisors and admins do)",
     "el rol {1} no puede asignar casos (lo hacen supervisores y administradores)"},
    {"role {} does not see counsel requests", "el rol {1} no ve las solicitudes de representación"},
    {"role {} may not confirm counsel", "el rol {1} no puede confirmar la representación"},
    {"role {} may not decide counsel requests (analysts, supervisors and admins do)",
     "el rol {1} no puede decidir solicitudes de representación (lo hacen analistas, "
     "supervisores y administradores)"},
    {"no case {}", "no existe el caso {1}"},
    {"no user named '{}'", "no existe ningún usuario llamado '{1}'"},
    /* reasons and fields people type */
    {"{}: required (say why, in words)", "{1}: obligatorio (explique el motivo con palabras)"},
    {"body.reason: explain the override in 10 to 2000 characters",
     "body.reason: explique la anulación en 10 a 2000 caracteres"},
    {"reason: explain the lift in 10 to 2000 characters",
     "reason: explique el levantamiento en 10 a 2000 caracteres"},
    {"body.reason: say why in 3 to 2000 characters",
     "body.reason: explique el motivo en 3 a 2000 caracteres"},
    {"body.reason: say why the task was not possible",
     "body.reason: explique por qué la tarea no fue posible"},
    {"note: at most 2000 characters", "note: como máximo 2000 caracteres"},
    {"a_number: 9 digits, as on the child's papers",
     "a_number: 9 dígitos, como en los documentos del niño"},
    {"q: give a name, an A-number or a birth date (YYYY-MM-DD), 2 to 200 characters",
     "q: indique un nombre, un A-number o una fecha de nacimiento (AAAA-MM-DD), de 2 a 200 "
     "caracteres"},
    {"password too short: use at least {} characters",
     "contraseña demasiado corta: use al menos {1} caracteres"},
    {"password repeats too few characters: use at least 5 different ones (a few unrelated words "
     "work well)",
     "la contraseña repite demasiados caracteres: use al menos 5 distintos (unas pocas palabras "
     "sin "
     "relación funcionan bien)"},
    {"password is the user name (plus digits or symbols): choose another",
     "la contraseña es el nombre de usuario (con dígitos o símbolos): elija otra"},
    {"password is one of the most common passwords: choose another",
     "la contraseña es una de las más comunes: elija otra"},
    /* tasks, holds, overrides */
    {"the {} task is held by {}: it cannot be completed while the hold protects the child "
     "(a supervisor may request a lift)",
     "la tarea {1} está retenida por {2}: no puede completarse mientras la retención protege al "
     "niño (un supervisor puede solicitar que se levante)"},
    {"case {} has no '{}' task now (it may have been completed or closed: see the case's task "
     "history)",
     "el caso {1} no tiene ahora la tarea '{2}' (puede haberse completado o cerrado: vea el "
     "historial de tareas del caso)"},
    {"hold '{}' protects a right the law gives the child: lifting it takes two people. Request the "
     "lift (POST /api/v1/cases/{id}/hold-lifts, or uctrack triage lift request) and have another "
     "supervisor or an admin approve it",
     "la retención '{1}' protege un derecho que la ley da al niño: levantarla requiere a dos "
     "personas. Solicite el levantamiento (POST /api/v1/cases/{id}/hold-lifts, o uctrack triage "
     "lift request) y que otro supervisor o un administrador lo apruebe"},
    {"hold '{}' is not statutory: a supervisor lifts it with an override (kind lift_hold)",
     "la retención '{1}' no es legal: un supervisor la levanta con una anulación (kind lift_hold)"},
    {"a lift of hold '{}' is already awaiting approval (request {}): approve, reject or withdraw "
     "it first",
     "ya hay un levantamiento de la retención '{1}' esperando aprobación (solicitud {2}): "
     "apruébelo, recházelo o retírelo primero"},
    {"hold lift request {} is already {} (by {} at {})",
     "la solicitud de levantamiento {1} ya está {2} (por {3} el {4})"},
    {"only {}, who asked for it, may withdraw request {}",
     "solo {1}, que la pidió, puede retirar la solicitud {2}"},
    {"{} asked for this lift: a second person (another supervisor or an admin) must {} it",
     "{1} pidió este levantamiento: una segunda persona (otro supervisor o un administrador) debe "
     "{2}lo"},
    {"no hold lift request {}", "no existe la solicitud de levantamiento {1}"},
    {"no active rule set: overrides and hold lifts need a triage run first (POST "
     "/api/v1/triage/runs)",
     "no hay un conjunto de reglas activo: las anulaciones y los levantamientos necesitan antes "
     "una ejecución del triaje (POST /api/v1/triage/runs)"},
    /* assignment */
    {"supervisors assign within office {}", "los supervisores asignan dentro de la oficina {1}"},
    {"assignee: no user '{}'", "assignee: no existe el usuario '{1}'"},
    {"assignee: user '{}' is disabled", "assignee: el usuario '{1}' está desactivado"},
    {"assignee: '{}' is {}; cases go to officers and supervisors",
     "assignee: '{1}' es {2}; los casos se asignan a agentes y supervisores"},
    {"case {}: no such active case; nothing was assigned",
     "caso {1}: no existe ese caso activo; no se asignó nada"},
    {"case {} is in office {}; you assign cases of office {} only; nothing was assigned",
     "el caso {1} es de la oficina {2}; usted asigna solo casos de la oficina {3}; no se asignó "
     "nada"},
    {"case {} is in office {}, which {} (office {}) may not read; nothing was assigned",
     "el caso {1} es de la oficina {2}, que {3} (oficina {4}) no puede leer; no se asignó nada"},
    /* counsel requests */
    {"no case has A-number {}; check the number, or ask the office that holds the child's file",
     "ningún caso tiene el A-number {1}; compruebe el número o pregunte a la oficina que tiene "
     "el expediente del niño"},
    {"only legal provider users ask to be recorded as counsel",
     "solo los usuarios proveedores legales piden ser registrados como representantes"},
    {"{} is already counsel of record of case {}", "{1} ya es el representante legal del caso {2}"},
    {"request {} of {} for this child is already pending",
     "la solicitud {1} de {2} para este niño ya está pendiente"},
    {"counsel request {} is {}, not pending",
     "la solicitud de representación {1} está {2}, no pendiente"},
    {"no counsel request {}", "no existe la solicitud de representación {1}"},
    {"only {} withdraws its own request", "solo {1} retira su propia solicitud"},
    {"case {} is in office {}, not yours", "el caso {1} es de la oficina {2}, no de la suya"},
};

struct cap {
	const char *s; /* first byte matched */
	size_t len;    /* bytes matched */
};

/* Whether s matches pattern p in full; the "{}" matches go to caps[n..]. */
static int match(const char *p, const char *s, struct cap *caps, int n)
{
	for (;;) {
		if (p[0] == '{' && p[1] == '}') {
			if (n >= MSGCAT_CAPS)
				return 0;
			/* shortest first: the text after a placeholder decides */
			for (const char *e = s;; e++) {
				caps[n].s = s;
				caps[n].len = (size_t)(e - s);
				if (match(p + 2, e, caps, n + 1))
					return 1;
				if (!*e)
					return 0;
			}
		}
		if (!*p)
			return !*s;
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
}

/* Append n bytes of s to out (at *used, cap bytes in all); a text that
 * does not fit is cut, never inside a UTF-8 sequence. */
static void put(char *out, size_t cap, size_t *used, const char *s, size_t n)
{
	if (n > cap - 1 - *used) {
		n = cap - 1 - *used;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out + *used, s, n);
	*used += n;
	out[*used] = '\0';
}

/* The translation of a matched value when it is a known word. */
static void put_value(char *out, size_t cap, size_t *used, const struct cap *c)
{
	for (size_t i = 0; i < sizeof(words_es) / sizeof(words_es[0]); i++) {
		if (strlen(words_es[i].en) == c->len && memcmp(words_es[i].en, c->s, c->len) == 0) {
			put(out, cap, used, words_es[i].es, strlen(words_es[i].es));
			return;
		}
	}
	put(out, cap, used, c->s, c->len);
}

const char *msgcat_translate(const char *lang, const char *msg, char *out, size_t cap)
{
	struct cap caps[MSGCAT_CAPS];
	size_t used = 0;

	if (!lang || strcmp(lang, "es") != 0 || !msg || !out || cap == 0)
		return msg;
	for (size_t i = 0; i < sizeof(msgs_es) / sizeof(msgs_es[0]); i++) {
		const char *t;

		memset(caps, 0, sizeof(caps));
		if (!match(msgs_es[i].en, msg, caps, 0))
			continue;
		out[0] = '\0';
		t = msgs_es[i].es;
		while (*t) {
			const char *run = t;

			/* the literal text up to the next {N}, in one piece (a cut
			 * must see whole UTF-8 sequences) */
			while (*t && !(t[0] == '{' && t[1] >= '1' && t[1] <= '0' + MSGCAT_CAPS &&
				       t[2] == '}'))
				t++;
			put(out, cap, &used, run, (size_t)(t - run));
			if (*t) {
				put_value(out, cap, &used, &caps[t[1] - '1']);
				t += 3;
			}
		}
		return out;
	}
	return msg;
}

int msgcat_check(const char **bad)
{
	for (size_t i = 0; i < sizeof(msgs_es) / sizeof(msgs_es[0]); i++) {
		int holes = 0, top = 0;

		for (const char *p = msgs_es[i].en; *p; p++)
			if (p[0] == '{' && p[1] == '}')
				holes++;
		for (const char *p = msgs_es[i].es; *p; p++)
			if (p[0] == '{' && p[1] >= '1' && p[1] <= '9' && p[2] == '}' &&
			    p[1] - '0' > top)
				top = p[1] - '0';
		if (holes > MSGCAT_CAPS || top > holes || !msgs_es[i].es[0]) {
			*bad = msgs_es[i].en;
			return -1;
		}
	}
	*bad = NULL;
	return 0;
}

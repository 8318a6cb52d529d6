#ifndef UC_ERR_H
#define UC_ERR_H
/*
 * err.h - the project's one result type.
 *
 * Every fallible function returns an int: 0 (UC_OK) on success, or one of
 * the UC_E* codes below. When it fails, it also fills the caller's
 * `struct uc_err` with a message a user can act on: what went wrong, where
 * (file:line:column, field, record id) and what to do.
 *
 * Usage:
 *
 *   struct uc_err err = UC_ERR_INIT;
 *   if (thing_do(&t, &err))
 *           fprintf(stderr, "uctrack: %s\n", err.msg);
 *
 *   int thing_do(struct thing *t, struct uc_err *err)
 *   {
 *           if (!t->ready)
 *                   return uc_error(err, UC_EINPUT, "%s:%d: not ready; run X first", ...);
 *           return UC_OK;
 *   }
 *
 * The message is a fixed buffer: no allocation on error paths. The first
 * error wins only if callers stop on it (they do: `if (rc) return rc;`).
 * Exit codes and HTTP statuses are mapped from the code in one place
 * (uc_err_exit_code(), and the HTTP layer's mapping).
 */
#include <stdarg.h>
#include <stddef.h>

enum uc_rc {
	UC_OK = 0,
	UC_EINPUT = 1,	  /* bad input from a user or a file: fix the input */
	UC_EUSAGE = 2,	  /* bad command-line usage */
	UC_ENOTFOUND = 3, /* a named thing does not exist */
	UC_ECONFLICT = 4, /* state conflict (e.g. newer database schema) */
	UC_EIO = 5,	  /* file system or database I/O failure */
	UC_ENOMEM = 6,	  /* out of memory or a size cap was reached */
	UC_EDENIED = 7,	  /* not allowed */
	UC_EINTERNAL = 8, /* a bug: an invariant did not hold */
	UC_ETIMEOUT = 9,  /* a deadline passed (or the process is stopping):
			     the work was interrupted and undone; narrow it */
};

#define UC_ERR_MSG_MAX 1024

struct uc_err {
	int code;		  /* enum uc_rc of the failure, 0 when none */
	char msg[UC_ERR_MSG_MAX]; /* user-facing message, NUL-terminated */
};

#define UC_ERR_INIT                                                                                \
	{                                                                                          \
		0,                                                                                 \
		{                                                                                  \
			0                                                                          \
		}                                                                                  \
	}

/* Record a failure in err (may be NULL) and return code. printf-style. */
int uc_error(struct uc_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int uc_verror(struct uc_err *err, int code, const char *fmt, va_list ap);

/* Clear err back to "no error". */
void uc_err_clear(struct uc_err *err);

/* Process exit code for a result: 0 ok, 1 bad input/failed check, 2 usage,
 * 3 other runtime failure. Documented in README.md. */
int uc_err_exit_code(int code);

/* Programmer error: print where and abort. Never for bad input. */
#define BUG(...) uc_bug(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void uc_bug(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Allocation that cannot fail silently: aborts via BUG on exhaustion of
 * memory, which this program treats as unrecoverable. */
void *uc_xmalloc(size_t n);
void *uc_xcalloc(size_t n, size_t size);
void *uc_xrealloc(void *p, size_t n);
char *uc_xstrdup(const char *s);

#endif

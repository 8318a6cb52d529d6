#ifndef UC_FILE_H
#define UC_FILE_H
/*
 * file.h - writing a whole file so that readers see the old one or the new
 * one, never half of it (STYLE.md 12): a temporary file beside the target
 * (PATH.tmp.PID), written, fsync'ed, closed and renamed over it. On
 * failure the temporary file is removed and the target is untouched.
 *
 *   if (uc_write_atomic("out.csv", buf.ptr, buf.len, 0666, &err)) ...
 *
 * mode is that of a new file, before the process umask (uctrack runs with
 * umask 077, so 0666 gives 0600).
 */
#include <stddef.h>
#include <sys/types.h>

#include "core/err.h"

int uc_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
		    struct uc_err *err);

#endif

/*
 * file.c - see file.h.
 */
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int uc_write_atomic(const char *path, const void *data, size_t len, mode_t mode, struct uc_err *err)
{
	size_t plen = strlen(path), done = 0;
	char *tmp = uc_xmalloc(plen + 32);
	int fd, rc = UC_OK;

	snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		rc = uc_error(err, UC_EIO, "cannot write %s: %s", tmp, strerror(errno));
		free(tmp);
		return rc;
	}
	while (!rc && done < len) {
		ssize_t n = write(fd, (const char *)data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			rc = uc_error(err, UC_EIO, "cannot write %s: %s", tmp,
				      n < 0 ? strerror(errno) : "nothing written");
		else
			done += (size_t)n;
	}
	if (!rc && fsync(fd) != 0)
		rc = uc_error(err, UC_EIO, "cannot write %s: %s", tmp, strerror(errno));
	if (close(fd) != 0 && !rc)
		rc = uc_error(err, UC_EIO, "cannot write %s: %s", tmp, strerror(errno));
	if (!rc && rename(tmp, path) != 0)
		rc =
		    uc_error(err, UC_EIO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

#ifndef UC_WEB_H
#define UC_WEB_H
/*
 * web.h - the web UI's static files, embedded into the binary at build
 * time (scripts/embed-web.sh turns the files in web/ into
 * build/gen/webassets.c).
 *
 * The HTTP server serves them for GET requests outside /api: "/" is
 * index.html, "/app.js" is web/app.js, and so on. Only the embedded names
 * match, exactly; nothing is read from disk at run time, so there is no
 * path to traverse. The UI itself is described in docs/ui.md.
 *
 * Usage:
 *
 *   const unsigned char *data;
 *   size_t len;
 *   const char *ctype;
 *   if (web_asset_find(url, &data, &len, &ctype))
 *           serve(data, len, ctype);   // static storage, never freed
 *   else
 *           not_found();
 */
#include <stddef.h>

/* One embedded file (the table is generated). */
struct web_asset {
	const char *path;	   /* "/index.html": "/" + file name */
	const unsigned char *data; /* the file's bytes (NUL-terminated copy) */
	size_t len;		   /* length in bytes, without the NUL */
	const char *content_type;  /* e.g. "text/css; charset=utf-8" */
};

/* The generated table, ended by an entry whose path is NULL. */
extern const struct web_asset web_assets[];
/* Number of entries in web_assets before the NULL one. */
extern const size_t web_nassets;

/*
 * Look up the asset for the request path (no query string). "/" means
 * "/index.html". Returns 1 and sets *data, *len and *content_type
 * (pointers to static storage, valid for the life of the process) when
 * found; returns 0 and leaves them alone otherwise. NULL path: 0.
 */
int web_asset_find(const char *path, const unsigned char **data, size_t *len,
		   const char **content_type);

#endif

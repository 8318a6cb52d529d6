build-ingest/obj/http/server.o: src/http/server.c src/http/server.h \
 src/auth/auth.h src/core/err.h src/store/store.h src/core/buf.h \
 src/audit/audit.h src/auth/seal.h src/core/progress.h src/http/api.h \
 src/http/hjson.h src/web/web.h
src/http/server.h:
src/auth/auth.h:
src/core/err.h:
src/store/store.h:
src/core/buf.h:
src/audit/audit.h:
src/auth/seal.h:
src/core/progress.h:
src/http/api.h:
src/http/hjson.h:
src/web/web.h:

build-ingest/obj/http/api.o: src/http/api.c src/http/api.h \
 src/http/server.h src/auth/auth.h src/core/err.h src/store/store.h \
 src/core/buf.h
src/http/api.h:
src/http/server.h:
src/auth/auth.h:
src/core/err.h:
src/store/store.h:
src/core/buf.h:

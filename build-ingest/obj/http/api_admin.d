build-ingest/obj/http/api_admin.o: src/http/api_admin.c src/http/api.h \
 src/http/server.h src/auth/auth.h src/core/err.h src/store/store.h \
 src/core/buf.h src/http/hjson.h
src/http/api.h:
src/http/server.h:
src/auth/auth.h:
src/core/err.h:
src/store/store.h:
src/core/buf.h:
src/http/hjson.h:

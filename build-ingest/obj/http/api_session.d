build-ingest/obj/http/api_session.o: src/http/api_session.c \
 src/core/buf.h src/http/api.h src/http/server.h src/auth/auth.h \
 src/core/err.h src/store/store.h src/http/hjson.h
src/core/buf.h:
src/http/api.h:
src/http/server.h:
src/auth/auth.h:
src/core/err.h:
src/store/store.h:
src/http/hjson.h:

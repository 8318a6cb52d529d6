build-ingest/obj/cli/cmd_serve.o: src/cli/cmd_serve.c src/auth/seal.h \
 src/core/err.h src/cli/cli.h src/http/server.h src/auth/auth.h \
 src/store/store.h src/core/buf.h
src/auth/seal.h:
src/core/err.h:
src/cli/cli.h:
src/http/server.h:
src/auth/auth.h:
src/store/store.h:
src/core/buf.h:

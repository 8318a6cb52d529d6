build-ingest/obj/cli/cmd_import.o: src/cli/cmd_import.c src/cli/cli.h \
 src/core/err.h src/core/buf.h src/ingest/ingest.h src/store/store.h
src/cli/cli.h:
src/core/err.h:
src/core/buf.h:
src/ingest/ingest.h:
src/store/store.h:

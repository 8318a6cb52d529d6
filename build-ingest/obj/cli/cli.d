build-ingest/obj/cli/cli.o: src/cli/cli.c src/cli/cli.h src/core/err.h
src/cli/cli.h:
src/core/err.h:

build-ingest/obj/main.o: src/main.c src/cli/cli.h src/core/err.h
src/cli/cli.h:
src/core/err.h:

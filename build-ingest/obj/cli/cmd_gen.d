build-ingest/obj/cli/cmd_gen.o: src/cli/cmd_gen.c src/cli/cli.h \
 src/core/err.h src/core/date.h src/gen/gen.h
src/cli/cli.h:
src/core/err.h:
src/core/date.h:
src/gen/gen.h:

build-ingest/obj/gen/gen.o: src/gen/gen.c src/gen/gen.h src/core/err.h \
 src/core/buf.h src/core/date.h src/core/progress.h src/gen/gen_names.h
src/gen/gen.h:
src/core/err.h:
src/core/buf.h:
src/core/date.h:
src/core/progress.h:
src/gen/gen_names.h:

build-ingest/obj/ingest/lread.o: src/ingest/lread.c src/ingest/lread.h \
 src/core/err.h
src/ingest/lread.h:
src/core/err.h:

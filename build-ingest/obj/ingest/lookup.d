build-ingest/obj/ingest/lookup.o: src/ingest/lookup.c src/ingest/lookup.h \
 src/core/err.h src/core/buf.h src/ingest/csvr.h src/ingest/lread.h
src/ingest/lookup.h:
src/core/err.h:
src/core/buf.h:
src/ingest/csvr.h:
src/ingest/lread.h:

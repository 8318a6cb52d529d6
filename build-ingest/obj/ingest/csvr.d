build-ingest/obj/ingest/csvr.o: src/ingest/csvr.c src/ingest/csvr.h \
 src/core/buf.h src/core/err.h src/ingest/lread.h
src/ingest/csvr.h:
src/core/buf.h:
src/core/err.h:
src/ingest/lread.h:

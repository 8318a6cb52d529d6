build-ingest/obj/ingest/ingest.o: src/ingest/ingest.c src/ingest/ingest.h \
 src/core/err.h src/store/store.h src/core/buf.h src/core/date.h \
 src/core/progress.h src/ingest/csvr.h src/ingest/lread.h \
 src/ingest/ingest_spec.h src/ingest/iso.h src/ingest/lookup.h \
 src/ingest/fnorm.h
src/ingest/ingest.h:
src/core/err.h:
src/store/store.h:
src/core/buf.h:
src/core/date.h:
src/core/progress.h:
src/ingest/csvr.h:
src/ingest/lread.h:
src/ingest/ingest_spec.h:
src/ingest/iso.h:
src/ingest/lookup.h:
src/ingest/fnorm.h:

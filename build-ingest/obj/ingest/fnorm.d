build-ingest/obj/ingest/fnorm.o: src/ingest/fnorm.c src/ingest/fnorm.h \
 src/core/buf.h src/core/date.h
src/ingest/fnorm.h:
src/core/buf.h:
src/core/date.h:

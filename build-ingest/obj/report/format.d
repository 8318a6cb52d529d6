build-ingest/obj/report/format.o: src/report/format.c src/report/format.h \
 src/core/buf.h
src/report/format.h:
src/core/buf.h:

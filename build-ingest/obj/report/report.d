build-ingest/obj/report/report.o: src/report/report.c src/report/report.h \
 src/core/buf.h src/core/err.h src/report/suppress.h src/store/store.h \
 src/core/date.h src/report/format.h
src/report/report.h:
src/core/buf.h:
src/core/err.h:
src/report/suppress.h:
src/store/store.h:
src/core/date.h:
src/report/format.h:

build-ingest/obj/audit/audit.o: src/audit/audit.c src/audit/audit.h \
 src/core/err.h src/store/store.h
src/audit/audit.h:
src/core/err.h:
src/store/store.h:

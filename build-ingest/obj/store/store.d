build-ingest/obj/store/store.o: src/store/store.c src/store/store.h \
 src/core/err.h src/core/buf.h
src/store/store.h:
src/core/err.h:
src/core/buf.h:

build-ingest/obj/triage/queue.o: src/triage/queue.c src/triage/queue.h \
 src/core/err.h src/store/store.h src/core/buf.h
src/triage/queue.h:
src/core/err.h:
src/store/store.h:
src/core/buf.h:

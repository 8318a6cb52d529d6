build-ingest/obj/triage/office.o: src/triage/office.c src/triage/office.h \
 src/core/err.h
src/triage/office.h:
src/core/err.h:

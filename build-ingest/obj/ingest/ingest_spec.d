build-ingest/obj/ingest/ingest_spec.o: src/ingest/ingest_spec.c \
 src/ingest/ingest_spec.h
src/ingest/ingest_spec.h:

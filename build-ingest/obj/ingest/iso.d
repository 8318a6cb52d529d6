build-ingest/obj/ingest/iso.o: src/ingest/iso.c src/ingest/iso.h
src/ingest/iso.h:

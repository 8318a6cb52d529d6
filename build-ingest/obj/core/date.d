build-ingest/obj/core/date.o: src/core/date.c src/core/date.h
src/core/date.h:

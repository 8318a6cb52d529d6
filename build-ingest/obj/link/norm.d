build-ingest/obj/link/norm.o: src/link/norm.c src/link/norm.h
src/link/norm.h:

build-ingest/obj/link/fs.o: src/link/fs.c src/link/fs.h src/core/err.h
src/link/fs.h:
src/core/err.h:

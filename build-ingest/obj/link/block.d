build-ingest/obj/link/block.o: src/link/block.c src/link/block.h \
 src/core/err.h
src/link/block.h:
src/core/err.h:

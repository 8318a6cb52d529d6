build-ingest/obj/link/cluster.o: src/link/cluster.c src/link/cluster.h \
 src/core/err.h
src/link/cluster.h:
src/core/err.h:

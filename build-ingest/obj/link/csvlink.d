build-ingest/obj/link/csvlink.o: src/link/csvlink.c src/link/csvlink.h \
 src/core/err.h src/link/fs.h src/core/buf.h src/link/block.h \
 src/link/cluster.h src/link/cmp.h src/link/norm.h
src/link/csvlink.h:
src/core/err.h:
src/link/fs.h:
src/core/buf.h:
src/link/block.h:
src/link/cluster.h:
src/link/cmp.h:
src/link/norm.h:

build-ingest/obj/link/sponsor.o: src/link/sponsor.c src/link/sponsor.h \
 src/core/err.h src/link/link.h src/link/norm.h src/store/store.h \
 src/link/block.h src/link/cluster.h src/link/cmp.h src/link/fs.h \
 src/link/link_int.h src/core/progress.h
src/link/sponsor.h:
src/core/err.h:
src/link/link.h:
src/link/norm.h:
src/store/store.h:
src/link/block.h:
src/link/cluster.h:
src/link/cmp.h:
src/link/fs.h:
src/link/link_int.h:
src/core/progress.h:

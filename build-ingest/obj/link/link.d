build-ingest/obj/link/link.o: src/link/link.c src/link/link.h \
 src/core/err.h src/link/norm.h src/store/store.h src/core/date.h \
 src/core/progress.h src/link/block.h src/link/cluster.h src/link/cmp.h \
 src/link/fs.h src/link/link_int.h src/link/sponsor.h
src/link/link.h:
src/core/err.h:
src/link/norm.h:
src/store/store.h:
src/core/date.h:
src/core/progress.h:
src/link/block.h:
src/link/cluster.h:
src/link/cmp.h:
src/link/fs.h:
src/link/link_int.h:
src/link/sponsor.h:

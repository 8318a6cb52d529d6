build-ingest/obj/link/review.o: src/link/review.c src/link/link.h \
 src/core/err.h src/link/norm.h src/store/store.h src/link/link_int.h \
 src/link/fs.h
src/link/link.h:
src/core/err.h:
src/link/norm.h:
src/store/store.h:
src/link/link_int.h:
src/link/fs.h:

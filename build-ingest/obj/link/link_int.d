build-ingest/obj/link/link_int.o: src/link/link_int.c src/link/link_int.h \
 src/core/err.h src/link/fs.h src/store/store.h
src/link/link_int.h:
src/core/err.h:
src/link/fs.h:
src/store/store.h:

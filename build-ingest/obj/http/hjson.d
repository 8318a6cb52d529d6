build-ingest/obj/http/hjson.o: src/http/hjson.c src/http/hjson.h \
 src/core/err.h src/store/store.h
src/http/hjson.h:
src/core/err.h:
src/store/store.h:

build-ingest/obj/auth/auth.o: src/auth/auth.c src/auth/auth.h \
 src/core/err.h src/store/store.h
src/auth/auth.h:
src/core/err.h:
src/store/store.h:

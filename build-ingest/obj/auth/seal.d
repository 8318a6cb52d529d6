build-ingest/obj/auth/seal.o: src/auth/seal.c src/auth/seal.h \
 src/core/err.h
src/auth/seal.h:
src/core/err.h:

build-ingest/obj/link/cmp.o: src/link/cmp.c src/link/cmp.h \
 src/link/norm.h src/core/date.h
src/link/cmp.h:
src/link/norm.h:
src/core/date.h:

build-ingest/obj/report/suppress.o: src/report/suppress.c \
 src/report/suppress.h src/core/err.h
src/report/suppress.h:
src/core/err.h:

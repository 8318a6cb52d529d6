build-ingest/obj/web/web.o: src/web/web.c src/web/web.h
src/web/web.h:

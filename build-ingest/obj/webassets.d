build-ingest/obj/webassets.o: build-ingest/gen/webassets.c src/web/web.h
src/web/web.h:

build-ingest/obj/migrations.o: build-ingest/gen/migrations.c

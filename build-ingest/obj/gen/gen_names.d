build-ingest/obj/gen/gen_names.o: src/gen/gen_names.c src/gen/gen_names.h
src/gen/gen_names.h:

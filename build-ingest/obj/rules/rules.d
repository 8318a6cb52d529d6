build-ingest/obj/rules/rules.o: src/rules/rules.c src/rules/rules.h \
 src/core/buf.h src/core/err.h src/core/date.h
src/rules/rules.h:
src/core/buf.h:
src/core/err.h:
src/core/date.h:

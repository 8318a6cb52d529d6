build-ingest/obj/triage/facts.o: src/triage/facts.c src/triage/facts.h \
 src/rules/rules.h src/core/buf.h src/core/err.h src/core/date.h
src/triage/facts.h:
src/rules/rules.h:
src/core/buf.h:
src/core/err.h:
src/core/date.h:

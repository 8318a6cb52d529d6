build-ingest/obj/triage/project.o: src/triage/project.c \
 src/triage/project.h src/core/err.h src/rules/rules.h src/core/buf.h \
 src/store/store.h src/core/date.h src/triage/facts.h
src/triage/project.h:
src/core/err.h:
src/rules/rules.h:
src/core/buf.h:
src/store/store.h:
src/core/date.h:
src/triage/facts.h:

build-ingest/obj/triage/triage.o: src/triage/triage.c src/triage/triage.h \
 src/core/err.h src/rules/rules.h src/core/buf.h src/store/store.h \
 src/triage/facts.h src/core/date.h src/core/progress.h \
 src/triage/office.h src/triage/project.h
src/triage/triage.h:
src/core/err.h:
src/rules/rules.h:
src/core/buf.h:
src/store/store.h:
src/triage/facts.h:
src/core/date.h:
src/core/progress.h:
src/triage/office.h:
src/triage/project.h:

build-ingest/obj/cli/cmd_triage.o: src/cli/cmd_triage.c src/cli/cli.h \
 src/core/err.h src/core/buf.h src/core/date.h src/core/progress.h \
 src/rules/rules.h src/store/store.h src/triage/facts.h \
 src/triage/queue.h src/triage/triage.h
src/cli/cli.h:
src/core/err.h:
src/core/buf.h:
src/core/date.h:
src/core/progress.h:
src/rules/rules.h:
src/store/store.h:
src/triage/facts.h:
src/triage/queue.h:
src/triage/triage.h:

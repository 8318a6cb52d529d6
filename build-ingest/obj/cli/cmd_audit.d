build-ingest/obj/cli/cmd_audit.o: src/cli/cmd_audit.c src/audit/audit.h \
 src/core/err.h src/store/store.h src/cli/cli.h
src/audit/audit.h:
src/core/err.h:
src/store/store.h:
src/cli/cli.h:

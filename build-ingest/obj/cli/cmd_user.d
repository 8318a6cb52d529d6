build-ingest/obj/cli/cmd_user.o: src/cli/cmd_user.c src/audit/audit.h \
 src/core/err.h src/store/store.h src/auth/auth.h src/cli/cli.h
src/audit/audit.h:
src/core/err.h:
src/store/store.h:
src/auth/auth.h:
src/cli/cli.h:

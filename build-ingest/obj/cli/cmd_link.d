build-ingest/obj/cli/cmd_link.o: src/cli/cmd_link.c src/cli/cli.h \
 src/core/err.h src/core/progress.h src/link/csvlink.h src/link/fs.h \
 src/link/link.h src/link/norm.h src/store/store.h
src/cli/cli.h:
src/core/err.h:
src/core/progress.h:
src/link/csvlink.h:
src/link/fs.h:
src/link/link.h:
src/link/norm.h:
src/store/store.h:

build-ingest/obj/cli/cmd_report.o: src/cli/cmd_report.c src/cli/cli.h \
 src/core/err.h src/core/date.h src/report/report.h src/core/buf.h \
 src/report/suppress.h src/store/store.h
src/cli/cli.h:
src/core/err.h:
src/core/date.h:
src/report/report.h:
src/core/buf.h:
src/report/suppress.h:
src/store/store.h:

build-ingest/obj/http/api_cases.o: src/http/api_cases.c src/auth/seal.h \
 src/core/err.h src/core/date.h src/http/api.h src/http/server.h \
 src/auth/auth.h src/store/store.h src/core/buf.h src/http/hjson.h \
 src/ingest/fnorm.h src/ingest/ingest.h src/link/link.h src/link/norm.h \
 src/triage/triage.h src/rules/rules.h src/triage/facts.h
src/auth/seal.h:
src/core/err.h:
src/core/date.h:
src/http/api.h:
src/http/server.h:
src/auth/auth.h:
src/store/store.h:
src/core/buf.h:
src/http/hjson.h:
src/ingest/fnorm.h:
src/ingest/ingest.h:
src/link/link.h:
src/link/norm.h:
src/triage/triage.h:
src/rules/rules.h:
src/triage/facts.h:

# test_import_kill.sh with every file on two threads (the write pipe, also
# for the small first import): kill -9 mid-import leaves the database
# exactly as before that file.
UCTRACK_PIPE_MIN_BYTES=0
export UCTRACK_PIPE_MIN_BYTES
. "$ROOT/tests/cli/test_import_kill.sh"

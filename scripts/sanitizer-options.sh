# The sanitizer run-time options of scripts/sanitize.sh and scripts/sanitize-all.sh; sourced from the
# checkout's root (TSan's suppressions are found by path).
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# die_after_fork=0: QProcess starts the command-line tool from a process with threads (it execs at once).
export TSAN_OPTIONS="halt_on_error=1 die_after_fork=0 suppressions=$PWD/tests/tsan.supp"

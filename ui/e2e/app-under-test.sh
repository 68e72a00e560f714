#!/bin/sh
# The app as WebKitWebDriver starts it in the e2e: the binary in $VAS_E2E_APP, watched, so that
# a crash says so on stderr (the test's output) — otherwise all a test sees is WebDriver's
# "session deleted because of page crash or hang". Signals that stop the app are passed on.
"$VAS_E2E_APP" "$@" &
app=$!
trap 'kill -TERM "$app" 2>/dev/null' TERM INT HUP
while :; do
  wait "$app"
  rc=$?
  # A trapped signal interrupts `wait` while the app still runs: wait again.
  kill -0 "$app" 2>/dev/null || break
done
# TERM and KILL are how the tests stop it; anything else is news for whoever reads the log.
if [ "$rc" -gt 128 ] && [ "$rc" -ne 143 ] && [ "$rc" -ne 137 ]; then
  echo "e2e: the app (pid $app) was ended by signal $((rc - 128))" >&2
elif [ "$rc" -le 128 ]; then
  echo "e2e: the app (pid $app) exited by itself with status $rc" >&2
fi
exit "$rc"

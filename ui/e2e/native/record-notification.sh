#!/bin/sh
# dunst script rule: appends one JSON line per notification to $VAS_NOTIFY_LOG.
# Arguments (dunst): appname summary body icon urgency.
/usr/bin/python3 - "$@" <<'PY'
import json, os, sys
appname, summary, body = (sys.argv[1:4] + ["", "", ""])[:3]
with open(os.environ["VAS_NOTIFY_LOG"], "a") as log:
    log.write(json.dumps({"id": os.environ.get("DUNST_ID"), "app": appname,
                          "summary": summary, "body": body}) + "\n")
PY

#!/usr/bin/env python3
"""AWS emulator for the vpcaudit test-suite: moto 5.2.1 server plus
vpcaudit_mocks extensions.

    python3 mocks/server.py --port 0 [--host 127.0.0.1] [--no-stdin-watch]

Prints `VPCAUDIT_MOTO_READY port=<port>` once listening; nothing else goes
to stdout. Exits when stdin hits EOF, so a test harness that dies (and drops
its stdin pipe) never leaves an orphaned server behind.

Control API (JSON, not logged, not subject to faults):
    GET/DELETE /_vpcaudit/requests   request log [{service,action,region,status}]
    GET/POST/DELETE /_vpcaudit/faults   {"seed":0,"rules":[{...}]}
moto's own /moto-api/ (e.g. POST /moto-api/reset) works as usual.
"""

import argparse
import logging
import os
import sys
import threading

# Don't litter the checkout with __pycache__ directories.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from moto.moto_server.werkzeug_app import (  # noqa: E402
    DomainDispatcherApplication,
    create_backend_app,
)
from werkzeug.serving import make_server  # noqa: E402

from vpcaudit_mocks import (  # noqa: E402
    dnsfirewall, ec2fixes, eks, elb, networkfirewall, resolverfixes,
)
from vpcaudit_mocks.lifecycle import watch_stdin  # noqa: E402
from vpcaudit_mocks.middleware import VpcauditMiddleware  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument(
        "--no-stdin-watch",
        action="store_true",
        help="keep running when stdin closes (manual use)",
    )
    args = parser.parse_args()

    # werkzeug logs every request at INFO; keep only problems.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    ec2fixes.install()
    networkfirewall.install()
    eks.install()
    elb.install()
    dnsfirewall.install()
    resolverfixes.install()
    app = VpcauditMiddleware(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True)

    if not args.no_stdin_watch:
        threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"VPCAUDIT_MOTO_READY port={server.server_port}", flush=True)
    # Nothing else goes to stdout: moto print()s stray diagnostics, and a
    # harness that stops reading stdout after READY must not block us.
    os.dup2(2, 1)
    server.serve_forever()


if __name__ == "__main__":
    main()

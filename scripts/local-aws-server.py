"""The local AWS stand-in: moto's server, with requests handled one at a time.

moto's backends are not thread-safe. Under concurrent requests, two conditional writes to one
DynamoDB item can both pass their condition: 20 concurrent deliveries of one completion event
once sent two notifications here. DynamoDB makes each conditional write atomic, and serializing
requests gives the stand-in the same guarantee. The server stays threaded, so one client's idle
keep-alive connection cannot block the others.

Usage: python local-aws-server.py HOST PORT
"""

import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def one_at_a_time(environ, start_response):
        with lock:
            # The whole answer is made under the lock (moto's bodies are in memory).
            return list(app(environ, start_response))

    run_simple(host, port, one_at_a_time, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Bad HTTP beyond what autotests/stress/tst_httpabuse.cpp runs in CI (docs/RELIABILITY.md,
"Bad HTTP"): where statvent-web's limits are, measured rather than assumed.

    benchmarks/reliability/badhttp.py [--build-dir build] [--fd-limit 256]

- a request that asks to close the connection (Connection: close, HTTP/1.0): is it closed?
- an idle connection: how long does the service keep it?
- a 64 MiB header that never ends: how much memory does the service take for it?
- more idle connections than the service may open descriptors (its limit lowered to
  --fd-limit): does it still answer, and does it recover once they are gone?
Each finding is a check; exit status 0 when all hold. Loopback only, about a minute.
"""

import os
import shutil
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from statventrig import Checks, Service, argument_parser, fd_count, wait_until  # noqa: E402


def closed_within(sock, seconds):
    """True if the peer closes the connection within seconds (after any answer)."""
    sock.settimeout(seconds)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            if not sock.recv(65536):
                return True
    except (socket.timeout, OSError):
        return False
    return False


def main():
    parser = argument_parser(__doc__)
    parser.add_argument("--fd-limit", type=int, default=256)
    parser.add_argument("--idle-seconds", type=int, default=30)
    arguments = parser.parse_args()
    build = os.path.abspath(arguments.build_dir)

    checks = Checks()
    root = tempfile.mkdtemp(prefix="statvent-badhttp-")
    service = Service(build, root)
    try:
        for request in (b"GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", b"GET /healthz HTTP/1.0\r\n\r\n"):
            sock = socket.create_connection(("127.0.0.1", service.port))
            sock.sendall(request)
            first_line = request.split(b"\r\n")[0].decode()
            asked = "Connection: close" if b"close" in request else "HTTP/1.0 without keep-alive"
            checks.check("connection reuse", f"{first_line}, {asked}: the service closes the connection after answering",
                         closed_within(sock, 3))
            sock.close()

        sock = socket.create_connection(("127.0.0.1", service.port))
        checks.check("idle connection", f"closed by the service within {arguments.idle_seconds} s",
                     closed_within(sock, arguments.idle_seconds))
        sock.close()

        rss_before = service.rss_kib()
        sock = socket.create_connection(("127.0.0.1", service.port))
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: ")
        sent = 0
        chunk = b"b" * (1 << 20)
        sock.settimeout(10)
        try:
            while sent < 64 << 20:
                sock.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass
        time.sleep(0.5)
        grown = service.rss_kib() - rss_before
        status = service.get("/healthz")[0]
        checks.check("64 MiB header", "the service refuses a header this large rather than buffering it",
                     grown < 16 * 1024, f"{sent >> 20} MiB sent; resident memory grew by {grown // 1024} MiB; /healthz {status}")
        sock.close()
    finally:
        service.stop()

    # The descriptor limit: a service allowed --fd-limit descriptors, and more idle clients than that.
    limit = arguments.fd_limit
    service = Service(build, root, descriptor_limit=limit)
    idle = []
    try:
        for _ in range(limit + 50):
            try:
                idle.append(socket.create_connection(("127.0.0.1", service.port), timeout=2))
            except OSError:
                break
        time.sleep(1)
        cpu_before = cpu_seconds(service.pid)
        status, _, seconds = service.get("/healthz", timeout=5)
        checks.check(f"{limit + 50} idle connections, {limit} descriptors allowed",
                     "the service still answers others", status == 200,
                     f"/healthz: status {status} after {seconds:.1f} s; service holds {fd_count(service.pid)} descriptors")
        time.sleep(2)
        busy = (cpu_seconds(service.pid) - cpu_before) / (seconds + 2)
        checks.check(f"{limit + 50} idle connections, {limit} descriptors allowed", "the service does not spin meanwhile",
                     busy < 0.2, f"it used {busy * 100:.0f}% of a core while out of descriptors")
        for sock in idle:
            sock.close()
        recovered = wait_until(lambda: service.get("/healthz", timeout=2)[0] == 200, 20, 0.5)
        checks.check(f"{limit + 50} idle connections, {limit} descriptors allowed", "the service recovers once they are gone",
                     recovered, f"holds {fd_count(service.pid)} descriptors afterwards")
    finally:
        for sock in idle:
            sock.close()
        service.stop()
        shutil.rmtree(root, ignore_errors=True)
    return checks.report()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    sys.exit(main())

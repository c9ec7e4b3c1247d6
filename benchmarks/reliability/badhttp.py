#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Bad HTTP beyond what autotests/stress/tst_httpabuse.cpp runs in CI (docs/RELIABILITY.md,
"Bad HTTP"): where statvent-web's limits are, measured rather than assumed.

    benchmarks/reliability/badhttp.py [--build-dir build] [--fd-limit 256] [--idle-seconds 30]

- a request that asks to close the connection (Connection: close, HTTP/1.0): is it closed?
- an idle connection: is it closed after --idle-seconds (the service's --idle-timeout)?
- a 64 MiB header that never ends: is it refused (431) before the service buffers it?
- more idle connections than the service may open descriptors (its limit lowered to
  --fd-limit, its idle timeout to 5 s): does it keep within its descriptors without spinning,
  answer others once idle connections time out, and recover once they are gone?
Each finding is a check; exit status 0 when all hold. Loopback only, about a minute.
"""

import os
import select
import shutil
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from statventrig import Checks, Service, argument_parser, fd_count, wait_until  # noqa: E402

#: The idle timeout of the service in the descriptor test, in seconds.
FLOOD_IDLE_SECONDS = 5


def closed_after(sock, seconds):
    """Seconds until the peer closes the connection (after any answer), None if not within seconds."""
    started = time.monotonic()
    sock.settimeout(seconds)
    try:
        while time.monotonic() - started < seconds:
            if not sock.recv(65536):
                return time.monotonic() - started
    except (socket.timeout, OSError):
        return None
    return None


def send_until_answered(sock, head, chunk, limit):
    """Sends head, then chunk after chunk up to limit bytes, until the peer answers or hangs up.
    Returns (bytes sent, what came back until end-of-file)."""
    sock.sendall(head)
    sent = len(head)
    sock.setblocking(False)
    answer = b""
    while sent < limit:
        readable, writable, _ = select.select([sock], [sock], [], 10)
        if readable:
            break
        if writable:
            try:
                sent += sock.send(chunk)
            except BlockingIOError:
                pass
            except OSError:
                break
    sock.setblocking(True)
    sock.settimeout(10)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    except OSError:
        pass
    return sent, answer


def main():
    parser = argument_parser(__doc__)
    parser.add_argument("--fd-limit", type=int, default=256)
    parser.add_argument("--idle-seconds", type=int, default=30,
                        help="the service's --idle-timeout for the idle connection check (default 30, its default)")
    arguments = parser.parse_args()
    build = os.path.abspath(arguments.build_dir)

    checks = Checks()
    root = tempfile.mkdtemp(prefix="statvent-badhttp-")
    service = Service(build, root, "--idle-timeout", str(arguments.idle_seconds))
    try:
        for request in (b"GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", b"GET /healthz HTTP/1.0\r\n\r\n"):
            sock = socket.create_connection(("127.0.0.1", service.port))
            sock.sendall(request)
            first_line = request.split(b"\r\n")[0].decode()
            asked = "Connection: close" if b"close" in request else "HTTP/1.0 without keep-alive"
            seconds = closed_after(sock, 3)
            checks.check("connection reuse", f"{first_line}, {asked}: the service closes the connection after answering",
                         seconds is not None, f"closed after {seconds:.3f} s" if seconds is not None else "still open after 3 s")
            sock.close()

        sock = socket.create_connection(("127.0.0.1", service.port))
        seconds = closed_after(sock, arguments.idle_seconds + 5)
        checks.check("idle connection", f"closed by the service after its --idle-timeout of {arguments.idle_seconds} s",
                     seconds is not None and seconds >= arguments.idle_seconds - 0.1,
                     f"closed after {seconds:.1f} s" if seconds is not None else "still open")
        sock.close()

        rss_before = service.rss_kib()
        sock = socket.create_connection(("127.0.0.1", service.port))
        sent, answer = send_until_answered(sock, b"GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: ", b"b" * (64 << 10), 64 << 20)
        time.sleep(0.5)
        grown = service.rss_kib() - rss_before
        status = service.get("/healthz")[0]
        first_line = answer.split(b"\r\n", 1)[0].decode("latin-1")
        checks.check("64 MiB header", "the service refuses a header this large (431, then end-of-file) rather than buffering it",
                     answer.startswith(b"HTTP/1.1 431 ") and sent < 64 << 20 and grown < 16 * 1024,
                     f"answered \"{first_line}\" after {sent >> 10} KiB sent; resident memory grew by {grown} KiB; /healthz {status}")
        sock.close()
    finally:
        service.stop()

    # The descriptor limit: a service allowed --fd-limit descriptors, and more idle clients than that.
    limit = arguments.fd_limit
    area = f"{limit + 50} idle connections, {limit} descriptors allowed"
    service = Service(build, root, "--idle-timeout", str(FLOOD_IDLE_SECONDS), descriptor_limit=limit)
    idle = []
    try:
        for _ in range(limit + 50):
            try:
                idle.append(socket.create_connection(("127.0.0.1", service.port), timeout=2))
            except OSError:
                break
        time.sleep(1)
        held = fd_count(service.pid)
        checks.check(area, "the service keeps within half its descriptors (connections wait in the kernel's queue)",
                     held <= limit // 2 + 16, f"{len(idle)} clients connected; the service holds {held} descriptors")
        cpu_before = cpu_seconds(service.pid)
        status, _, seconds = service.get("/healthz", timeout=FLOOD_IDLE_SECONDS + 15)
        checks.check(area, f"the service answers others once idle connections time out (--idle-timeout {FLOOD_IDLE_SECONDS})",
                     status == 200, f"/healthz: status {status} after {seconds:.1f} s")
        time.sleep(2)
        busy = (cpu_seconds(service.pid) - cpu_before) / (seconds + 2)
        checks.check(area, "the service does not spin meanwhile",
                     busy < 0.2, f"it used {busy * 100:.0f}% of a core")
        for sock in idle:
            sock.close()
        recovered = wait_until(lambda: service.get("/healthz", timeout=2)[0] == 200, 20, 0.5)
        checks.check(area, "the service recovers once they are gone",
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

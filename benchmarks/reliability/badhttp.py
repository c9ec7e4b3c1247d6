#!/usr/bin/env python3
# SPDX-FileCopyrightText: The Statvent for Qt authors
# SPDX-License-Identifier: MIT
"""Bad HTTP beyond what autotests/stress/tst_httpabuse.cpp runs in CI (docs/RELIABILITY.md,
"Bad HTTP"): where statvent-web's limits are, measured rather than assumed.

    benchmarks/reliability/badhttp.py [--build-dir build] [--fd-limit 256] [--idle-seconds 30]
                                      [--slowloris-connections 512] [--slowloris-interval 10]
                                      [--slowloris-seconds 45]

- a request that asks to close the connection (Connection: close, HTTP/1.0): is it closed?
- an idle connection: is it closed after --idle-seconds (the service's --idle-timeout)?
- a 64 MiB header that never ends: is it refused (431) before the service buffers it?
- pipelined requests (/stats, /healthz, /nope in one segment): answered in request order?
- HEAD: the headers GET would get, and no body?
- more idle connections than the service may open descriptors (its limit lowered to
  --fd-limit, its idle timeout to 5 s): does it keep within its descriptors without spinning,
  answer others at once (idle connections make room), and recover once they are gone?
- slowloris, with the service's defaults: --slowloris-connections clients that each send one
  header byte every --slowloris-interval seconds (and reconnect when closed), for
  --slowloris-seconds: does /healthz answer within 1 s all along?
Each finding is a check; exit status 0 when all hold. Loopback only, about two minutes.
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


def read_answers(sock, methods, timeout=10):
    """Reads one answer per request method, in order: [(status, headers dict, body)]; then any
    bytes that follow within 0.2 s (a HEAD answer must not have a body) as the last element."""
    sock.settimeout(timeout)
    received = b""
    answers = []
    deadline = time.monotonic() + timeout
    while len(answers) < len(methods) and time.monotonic() < deadline:
        head_end = received.find(b"\r\n\r\n")
        if head_end >= 0:
            lines = received[:head_end].decode("latin-1").split("\r\n")
            headers = {name.strip().lower(): value.strip() for name, value in
                       (line.split(":", 1) for line in lines[1:] if ":" in line)}
            length = 0 if methods[len(answers)] == "HEAD" else int(headers.get("content-length", "0"))
            status_line = lines[0].split()
            if not lines[0].startswith("HTTP/1.1 ") or len(status_line) < 2 or not status_line[1].isdigit():
                break  # not an answer: the bytes of something else (a body where none belongs)
            if len(received) >= head_end + 4 + length:
                answers.append((int(status_line[1]), headers, received[head_end + 4:head_end + 4 + length]))
                received = received[head_end + 4 + length:]
                continue
        try:
            data = sock.recv(65536)
        except OSError:
            break
        if not data:
            break
        received += data
    sock.settimeout(0.2)
    try:
        received += sock.recv(65536)
    except OSError:
        pass
    return answers, received


def slowloris(checks, build, root, connections, interval, seconds):
    """connections clients each send a header byte every interval seconds, reconnecting when
    the service closes them; /healthz is asked every second meanwhile."""
    area = f"slowloris: {connections} connections, a header byte every {interval} s"
    service = Service(build, root)
    head = b"GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: " + b"s" * 4096
    attackers = []  # [socket, bytes sent, when the next byte is due]
    closed = 0
    probes = []
    try:
        def connect(due):
            sock = socket.create_connection(("127.0.0.1", service.port), timeout=2)
            sock.setblocking(False)
            attackers.append([sock, 0, due])

        def come_back(attacker, now):
            """The service closed attacker (evicted, or past its request deadline): a new one."""
            nonlocal closed
            attacker[0].close()
            attackers.remove(attacker)
            closed += 1
            try:
                connect(now)
            except OSError:
                pass

        started = time.monotonic()
        for number in range(connections):
            connect(started + interval * number / connections)
        next_probe = started + 1
        while time.monotonic() - started < seconds:
            now = time.monotonic()
            for attacker in list(attackers):
                sock, sent, due = attacker
                if now < due:
                    continue
                try:
                    # An answer (408) or end-of-file: the service closed it.
                    if sock.recv(4096, socket.MSG_PEEK) is not None:
                        raise ConnectionResetError
                except BlockingIOError:
                    pass
                except OSError:
                    come_back(attacker, now)
                    continue
                try:
                    sock.send(head[sent % len(head):sent % len(head) + 1])
                    attacker[1] += 1
                    attacker[2] = now + interval
                except OSError:
                    come_back(attacker, now)
            if now >= next_probe:
                status, _, latency = service.get("/healthz", timeout=5)
                probes.append((status, latency))
                next_probe = time.monotonic() + 1
            time.sleep(0.01)
        worst = max(latency for _, latency in probes)
        answered = sum(1 for status, _ in probes if status == 200)
        checks.check(area, "/healthz answers within 1 s all along, with the defaults (--max-connections 512, --header-timeout 10)",
                     answered == len(probes) and worst < 1.0,
                     f"{answered} of {len(probes)} probes answered in {seconds} s, the slowest in {worst:.3f} s; "
                     f"the service closed {closed} slow connections")
    finally:
        for sock, _, _ in attackers:
            sock.close()
        service.stop()


def main():
    parser = argument_parser(__doc__)
    parser.add_argument("--fd-limit", type=int, default=256)
    parser.add_argument("--idle-seconds", type=int, default=30,
                        help="the service's --idle-timeout for the idle connection check (default 30, its default)")
    parser.add_argument("--slowloris-connections", type=int, default=512)
    parser.add_argument("--slowloris-interval", type=float, default=10)
    parser.add_argument("--slowloris-seconds", type=float, default=45)
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

        sock = socket.create_connection(("127.0.0.1", service.port))
        sock.sendall(b"GET /stats HTTP/1.1\r\nHost: a\r\n\r\nGET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"
                     b"GET /nope HTTP/1.1\r\nHost: a\r\n\r\n")
        answers, _ = read_answers(sock, ["GET", "GET", "GET"])
        order = [(status, b'"stats"' in body and "stats" or b'"ok"' in body and "healthz" or "other")
                 for status, _, body in answers]
        checks.check("pipelining", "/stats, /healthz, /nope sent in one segment are answered in request order",
                     order == [(200, "stats"), (200, "healthz"), (404, "other")], f"answers: {order}")
        sock.close()

        for path in ("/healthz", "/stats", "/metrics", "/nope"):
            sock = socket.create_connection(("127.0.0.1", service.port))
            sock.sendall(f"HEAD {path} HTTP/1.1\r\nHost: a\r\n\r\nGET {path} HTTP/1.1\r\nHost: a\r\n\r\n".encode())
            answers, rest = read_answers(sock, ["HEAD", "GET"])
            ok = (len(answers) == 2 and answers[0][0] == answers[1][0] and not rest
                  and answers[0][1].get("content-type") == answers[1][1].get("content-type")
                  and "content-length" in answers[0][1])
            detail = (f"HEAD {answers[0][0]} with Content-Length {answers[0][1].get('content-length')}, "
                      f"then GET {answers[1][0]} with {len(answers[1][2])} bytes" if len(answers) == 2
                      else f"{len(answers)} answers: {answers!r}")
            checks.check("HEAD", f"HEAD {path}: the status and headers of GET, no body", ok,
                         detail + (f"; {len(rest)} bytes more" if rest else ""))
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
        checks.check(area, "the service keeps within half its descriptors (the longest idle connections make room)",
                     held <= limit // 2 + 16, f"{len(idle)} clients connected; the service holds {held} descriptors")
        cpu_before = cpu_seconds(service.pid)
        status, _, seconds = service.get("/healthz", timeout=FLOOD_IDLE_SECONDS + 15)
        checks.check(area, "the service answers others at once (an idle connection makes room)",
                     status == 200 and seconds < 1, f"/healthz: status {status} after {seconds:.1f} s")
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

    try:
        slowloris(checks, build, root, arguments.slowloris_connections, arguments.slowloris_interval,
                  arguments.slowloris_seconds)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return checks.report()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    sys.exit(main())

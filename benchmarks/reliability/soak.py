#!/usr/bin/env python3
# SPDX-FileCopyrightText: The Statvent for Qt authors
# SPDX-License-Identifier: MIT
"""Load and soak: wrk against statvent-web while --writers Statvent processes serve their pipes
(docs/RELIABILITY.md, "Load and soak").

    benchmarks/reliability/soak.py [--build-dir build] [--seconds 300] [--writers 50]
                                   [--connections 8] [--stats-per-writer 100]

Reports requests served, errors (non-2xx answers and socket errors: must be 0), latency
percentiles, and the service's resident memory and descriptors at the start, every 30 s and at
the end; checks that every writer is still counted exactly afterwards. Loopback only, bounded
by --seconds. Needs wrk (Debian package wrk).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from statventrig import Checks, Service, Writer, argument_parser, fd_count  # noqa: E402


def parse_wrk(output):
    """The figures of wrk's --latency report."""
    figures = {"requests": 0, "non_2xx": 0, "socket_errors": 0}
    match = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    if match:
        figures["requests"] = int(match.group(1))
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if match:
        figures["non_2xx"] = int(match.group(1))
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if match:
        figures["socket_errors"] = sum(int(n) for n in match.groups())
    for percentile in ("50%", "90%", "99%"):
        match = re.search(rf"^\s+{percentile}\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        if match:
            value, unit = float(match.group(1)), match.group(2)
            figures[percentile] = value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if match:
        figures["per_second"] = float(match.group(1))
    return figures


def main():
    parser = argument_parser(__doc__)
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--stats-per-writer", type=int, default=100)
    parser.add_argument("--path", default="/stats", help="what wrk requests (default /stats; try /metrics)")
    arguments = parser.parse_args()
    build = os.path.abspath(arguments.build_dir)
    if not shutil.which("wrk"):
        sys.exit("soak.py: wrk not found (Debian package wrk)")

    checks = Checks()
    root = tempfile.mkdtemp(prefix="statvent-soak-")
    pipes = os.path.join(root, "pipes")
    os.mkdir(pipes)
    writers = []
    service = None
    try:
        for _ in range(arguments.writers):
            writers.append(Writer(build, pipes, [("soak.total", 1)], extra=["--stats", str(arguments.stats_per_writer)]))
        service = Service(build, pipes)
        for _ in range(20):  # warm up: thread pool, allocator
            service.get(arguments.path)
        samples = [(0, service.rss_kib(), fd_count(service.pid))]
        started = time.monotonic()
        stop = threading.Event()

        def sample():
            while not stop.wait(30):
                samples.append((round(time.monotonic() - started), service.rss_kib(), fd_count(service.pid)))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        command = ["wrk", "-t2", f"-c{arguments.connections}", f"-d{arguments.seconds}s", "--latency", "--timeout", "5s",
                   f"http://127.0.0.1:{service.port}{arguments.path}"]
        print("$", " ".join(command), flush=True)
        wrk = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             timeout=arguments.seconds + 60)
        stop.set()
        samples.append((round(time.monotonic() - started), service.rss_kib(), fd_count(service.pid)))
        print(wrk.stdout)
        figures = parse_wrk(wrk.stdout)

        print("seconds  RSS (KiB)  descriptors")
        for seconds, rss, fds in samples:
            print(f"{seconds:7d}  {rss:9d}  {fds:11d}")
        first_rss, last_rss = samples[0][1], samples[-1][1]
        # After the warm-up, memory must not keep growing: allow 10% for the allocator's whims.
        checks.check("soak", f"{figures['requests']} requests served by {arguments.writers} writers' service",
                     figures["requests"] > 0,
                     f"{figures.get('per_second', 0):.0f}/s, p50 {figures.get('50%', 0):.1f} ms, "
                     f"p90 {figures.get('90%', 0):.1f} ms, p99 {figures.get('99%', 0):.1f} ms")
        checks.check("soak", "no error (non-2xx answers and socket errors)",
                     figures["non_2xx"] == 0 and figures["socket_errors"] == 0,
                     f"{figures['non_2xx']} non-2xx, {figures['socket_errors']} socket errors")
        checks.check("soak", "resident memory does not grow", last_rss <= first_rss * 1.10 + 1024,
                     f"{first_rss} KiB after warm-up, {last_rss} KiB at the end, peak {max(s[1] for s in samples)} KiB")
        checks.check("soak", "descriptors do not grow", samples[-1][2] <= samples[0][2] + 4,
                     f"{samples[0][2]} at the start, {samples[-1][2]} at the end")
        status, document, _ = service.get_json("/stats")
        total = document and document["stats"].get("soak.total")
        checks.check("soak", "afterwards every writer is counted exactly", status == 200 and total == arguments.writers,
                     f"soak.total = {total}, processes = {document and document['processes']}")
        checks.check("soak", "every writer survived", all(w.alive() for w in writers))
        return checks.report()
    finally:
        for writer in writers:
            writer.stop()
        if service:
            service.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

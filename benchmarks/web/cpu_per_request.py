#!/usr/bin/python3
# SPDX-FileCopyrightText: The Statvent for Qt authors
# SPDX-License-Identifier: MIT
"""CPU time per GET /stats: each service's own and its writers', next to each other (issue 17).

Starts the 100 writers of bench_web.py's scenario 1 (of the first build), one statvent-web per
build over the same pipe directory, and asks each in turn; around each batch of requests it
reads the user and system time of the service and of every writer from /proc/<pid>/stat.
Wall time says how long a request took; these say who spent the CPU it took.

Usage: cpu_per_request.py --build-dir build [--base-build-dir other] [--requests 40] [--rounds 2]
"""

import argparse
import contextlib
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_web import Service, Writers, log  # noqa: E402

TICKS = os.sysconf('SC_CLK_TCK')


def cpu_seconds(pid):
    with open('/proc/%d/stat' % pid) as stat:
        fields = stat.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--build-dir', required=True, help='the build under test (and the writers)')
    parser.add_argument('--base-build-dir', help='a build to compare with, asked in turn')
    parser.add_argument('--requests', type=int, default=40, help='requests per batch')
    parser.add_argument('--rounds', type=int, default=2, help='batches per build')
    args = parser.parse_args()
    builds = [os.path.abspath(b) for b in (args.build_dir, args.base_build_dir) if b]

    with tempfile.TemporaryDirectory(prefix='statvent-cpu-') as pipe_dir, contextlib.ExitStack() as cleanup:
        writers = Writers(builds[0], pipe_dir)
        cleanup.callback(writers.stop)
        log('starting 100 writers x 1000 stats ...')
        writers.start(100, '--stats', '1000')
        services = []
        for build in builds:
            service = Service(build, pipe_dir, 1000)
            cleanup.callback(service.stop)
            services.append((build, service))
        time.sleep(1)
        writer_pids = [process.pid for process in writers.processes]
        for _ in range(args.rounds):
            for build, service in services:
                service.get()  # warm-up: the next sweep shares this one's names
                service_before = cpu_seconds(service.process.pid)
                writers_before = sum(cpu_seconds(pid) for pid in writer_pids)
                started = time.monotonic()
                answers = [service.get() for _ in range(args.requests)]
                elapsed = time.monotonic() - started
                service_cpu = cpu_seconds(service.process.pid) - service_before
                writers_cpu = sum(cpu_seconds(pid) for pid in writer_pids) - writers_before
                assert all(answer['processes'] == 100 for answer in answers), 'a process is missing'
                print('%s: wall %.1f ms, service CPU %.1f ms, writers CPU %.1f ms per request'
                      % (build, elapsed / args.requests * 1e3, service_cpu / args.requests * 1e3,
                         writers_cpu / args.requests * 1e3))


if __name__ == '__main__':
    main()

#!/usr/bin/python3
# SPDX-FileCopyrightText: The Statvent for Qt authors
# SPDX-License-Identifier: MIT
"""GET /stats of two statvent-web builds over the same writers, requests interleaved.

Figures for "at most N times the parent commit" (issues 16 and 17): 100 writer processes
(webservice-testwriter of --build-dir, --stats 1000, of which --windows N are sample windows of
100 samples) in one pipe directory, one statvent-web of each build serving it, and GET /stats
asked of one, then the other, --requests times each. Both see the same writers at the same
moments, so the load of a shared machine falls on both alike; the answers are checked (every
row). With --cat-loops N, N shell loops meanwhile `cat` every FIFO of the directory without
pause (issue 15: readers that share the FIFOs must not make processes go missing). Prints each
build's median (min / p90 / max), the ratio of the medians, and how many answers lacked a
process.

Usage: compare_web.py --build-dir build --base-build-dir base-build [--windows 100]
                      [--requests 31] [--timeout 1000] [--cat-loops 4]
"""

import argparse
import contextlib
import glob
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_web import Service, Writers, log, summary, timed_ms  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--build-dir', required=True, help='the build under test (and the writers)')
    parser.add_argument('--base-build-dir', required=True, help='the build to compare with')
    parser.add_argument('--windows', type=int, default=0, help='of the 1,000 stats, this many are windows')
    parser.add_argument('--requests', type=int, default=31, help='measured requests per build')
    parser.add_argument('--timeout', type=int, default=1000, help="statvent-web's --timeout")
    parser.add_argument('--cat-loops', type=int, default=0, help='shell loops reading every FIFO meanwhile')
    args = parser.parse_args()
    builds = {'base': os.path.abspath(args.base_build_dir), 'test': os.path.abspath(args.build_dir)}
    rows = 1000 - args.windows + 5 * args.windows

    with tempfile.TemporaryDirectory(prefix='statvent-compare-') as pipe_dir, contextlib.ExitStack() as cleanup:
        writers = Writers(builds['test'], pipe_dir)
        cleanup.callback(writers.stop)
        log('starting 100 writers x 1000 stats (%d of them windows) ...' % args.windows)
        window_arguments = ['--windows', str(args.windows)] if args.windows else []
        writers.start(100, '--stats', str(1000 - args.windows), *window_arguments)
        services = {}
        for name, build_dir in builds.items():
            services[name] = Service(build_dir, pipe_dir, args.timeout)
            cleanup.callback(services[name].stop)
            services[name].get()  # warm-up

        fifos = sorted(glob.glob(os.path.join(pipe_dir, '*.stats')))
        for _ in range(args.cat_loops):
            loop = subprocess.Popen(
                ['sh', '-c', 'while :; do for pipe in "$@"; do cat "$pipe" > /dev/null; done; done',
                 'sh', *fifos], stderr=subprocess.DEVNULL)
            cleanup.callback(loop.wait)
            cleanup.callback(loop.kill)
        if args.cat_loops:
            log('%d cat loops over the %d FIFOs meanwhile' % (args.cat_loops, len(fifos)))

        samples = {name: [] for name in builds}
        short_answers = {name: 0 for name in builds}
        for _ in range(args.requests):
            for name, service in services.items():
                elapsed, document = timed_ms(service.get)
                if document['processes'] != 100:
                    short_answers[name] += 1
                else:
                    assert len(document['stats']) == rows, (name, len(document['stats']))
                samples[name].append(elapsed)

    figures = {name: summary(values) for name, values in samples.items()}
    for name in builds:
        f = figures[name]
        print('%s (%s): %.1f ms (min %.1f / p90 %.1f / max %.1f; n=%d); answers missing a process: %d' % (
            name, builds[name], f['median'], f['min'], f['p90'], f['max'], f['n'], short_answers[name]))
    print('ratio of the medians, test / base: %.2f' % (figures['test']['median'] / figures['base']['median']))


if __name__ == '__main__':
    main()

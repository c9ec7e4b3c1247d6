#!/usr/bin/python3
# SPDX-FileCopyrightText: The Statvent for Qt authors
# SPDX-License-Identifier: MIT
"""Where statvent-web's time goes in GET /stats over 100 writers x 1,000 stats (issue 17).

Starts the writers of bench_web.py's scenario 1 and statvent-web, then records the service
with `perf record -g` while GET /stats is asked without pause, and prints the symbols that
take the most samples (self time) and the share of each thread. Needs `perf`.

Usage: profile_web.py [--build-dir build] [--seconds 10] [--perf perf]
"""

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_web import Service, Writers, log  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--build-dir', default=os.path.join(os.path.dirname(__file__), '..', '..', 'build'))
    parser.add_argument('--seconds', type=int, default=10)
    parser.add_argument('--perf', default='perf')
    args = parser.parse_args()
    build_dir = os.path.abspath(args.build_dir)

    with tempfile.TemporaryDirectory(prefix='statvent-profile-') as pipe_dir, contextlib.ExitStack() as cleanup:
        writers = Writers(build_dir, pipe_dir)
        cleanup.callback(writers.stop)
        log('starting 100 writers x 1000 stats ...')
        writers.start(100, '--stats', '1000')
        service = Service(build_dir, pipe_dir, 100)
        cleanup.callback(service.stop)
        service.get()
        data = os.path.join(pipe_dir, 'perf.data')
        recorder = subprocess.Popen([args.perf, 'record', '-g', '-o', data, '-p', str(service.process.pid),
                                     '--', 'sleep', str(args.seconds)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stop = threading.Event()
        count = [0]

        def ask():
            while not stop.is_set():
                service.get()
                count[0] += 1

        asker = threading.Thread(target=ask)
        started = time.monotonic()
        asker.start()
        recorder.wait()
        stop.set()
        asker.join()
        elapsed = time.monotonic() - started
        print('%d requests in %.1f s (%.1f ms each, including the client)' % (count[0], elapsed, 1000 * elapsed / count[0]))
        for sort in ('comm', 'dso,sym'):
            report = subprocess.run([args.perf, 'report', '-i', data, '--no-children', '--stdio', '-g', 'none',
                                     '--sort', sort, '--percent-limit', '1'],
                                    capture_output=True, text=True).stdout
            print('\n'.join(line for line in report.splitlines() if line and not line.startswith('#')))
            print()


if __name__ == '__main__':
    main()

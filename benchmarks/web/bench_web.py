#!/usr/bin/python3
# SPDX-FileCopyrightText: The Statvent for Qt authors
# SPDX-License-Identifier: MIT
"""End-to-end benchmark of statvent-web against real writer processes (issue 4, "Speed").

Every figure comes from one run on one machine, next to the baseline measured in the same run:

 1. 100 writer processes x 1,000 stats (a real Statvent::Recorder each): GET /stats, median of
    repeated requests; baselines: the same 100 pipes read one after another with `cat`, one
    `cat` per pipe (a shell loop) and one `cat` given all of them, and the fastest serial
    single reader: one Python loop that opens and reads each pipe to its end in turn, without
    parsing (no process started per pipe, no HTTP).
 2. The same plus 50 pipes of dead processes, put back before every request: GET /stats.
 3. The same plus 10 live processes whose pipes never answer: GET /stats (--timeout 100);
    checks that the 10 are reported unanswered and that their pipes are still there.
 4. wrk -t2 -c32 -d20s on /stats against 20 writers (1,000 stats each), twice, on 127.0.0.1:
    requests/s, latency, errors, and statvent-web's resident memory before and after each run.

With --windows N, N of each writer's 1,000 stats in scenarios 1 to 3 are sample windows of 100
samples (five rows each: median, 95th, 99th, 100th, mean), which GET /stats merges across the
100 writers (issue 16).

Usage: bench_web.py [--build-dir build] [--requests 31] [--wrk-seconds 20] [--json out.json]
                    [--timeout 100] [--windows 0]
Prints a Markdown summary for docs/PERFORMANCE.md ("## statvent-web").
"""

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request


def log(message):
    print(message, file=sys.stderr, flush=True)


class Writers:
    """Writer processes (webservice-testwriter), killed when the block ends."""

    def __init__(self, build_dir, pipe_dir):
        self.program = os.path.join(build_dir, 'bin', 'webservice-testwriter')
        self.pipe_dir = pipe_dir
        self.processes = []

    def start(self, count, *arguments):
        started = [subprocess.Popen([self.program, '--pipe-dir', self.pipe_dir, *arguments],
                                    stdout=subprocess.PIPE, text=True) for _ in range(count)]
        for process in started:
            line = process.stdout.readline()
            if not line.startswith('ready '):
                raise RuntimeError('a writer did not start: %r' % line)
        self.processes += started
        return [process.pid for process in started]

    def stop(self):
        for process in self.processes:
            process.kill()
        for process in self.processes:
            process.wait()
        self.processes = []


class Service:
    """statvent-web on an ephemeral loopback port."""

    def __init__(self, build_dir, pipe_dir, timeout_ms):
        self.process = subprocess.Popen(
            [os.path.join(build_dir, 'bin', 'statvent-web'), '--port', '0', '--pipe-dir', pipe_dir,
             '--timeout', str(timeout_ms)],
            stderr=subprocess.PIPE, text=True)
        line = self.process.stderr.readline()
        match = re.search(r'serving http://127\.0\.0\.1:(\d+)/', line)
        if not match:
            raise RuntimeError('statvent-web did not start: %r' % line)
        self.port = int(match.group(1))
        # Keep reading its log (one line per stale pipe removed): a full pipe would block it.
        threading.Thread(target=self.process.stderr.read, daemon=True).start()

    def url(self, path):
        return 'http://127.0.0.1:%d%s' % (self.port, path)

    def get(self, path='/stats'):
        with urllib.request.urlopen(self.url(path), timeout=30) as reply:
            return json.loads(reply.read())

    def rss_kib(self):
        with open('/proc/%d/status' % self.process.pid) as status:
            for line in status:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
        return 0

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=10)


def timed_ms(action):
    start = time.perf_counter()
    result = action()
    return (time.perf_counter() - start) * 1000.0, result


def summary(samples):
    ordered = sorted(samples)
    return {'median': statistics.median(ordered), 'min': ordered[0], 'max': ordered[-1],
            'p90': ordered[int(0.9 * (len(ordered) - 1))], 'n': len(ordered)}


def stats_pipes(pipe_dir):
    return sorted(os.path.join(pipe_dir, name) for name in os.listdir(pipe_dir)
                  if name.endswith('.stats') and not name.startswith('.'))


def dead_pids(count):
    """Pids of processes that have exited and been reaped."""
    pids = []
    for _ in range(count):
        process = subprocess.Popen(['/bin/true'])
        process.wait()
        pids.append(process.pid)
    return pids


def make_dead_pipes(pipe_dir, pids):
    for pid in pids:
        path = os.path.join(pipe_dir, '%d.stats' % pid)
        if not os.path.exists(path):
            os.mkfifo(path)


def measure_requests(service, requests, before_each=None, check=None):
    service.get()  # warm-up: first connection, first allocation of every buffer
    samples = []
    for _ in range(requests):
        if before_each:
            before_each()
        elapsed, document = timed_ms(service.get)
        if check:
            check(document)
        samples.append(elapsed)
    return summary(samples)


def measure_serial_cat(pipe_dir, requests, one_process):
    """Reads every pipe one after another: with one `cat` per pipe (a shell loop, as a user peeks
    at each process) or with a single `cat` given all the pipes (no process start-up per pipe)."""
    pipes = stats_pipes(pipe_dir)
    if one_process:
        command = ['cat', *pipes]
    else:
        command = ['sh', '-c', 'for pipe in "$@"; do cat "$pipe"; done', 'sh', *pipes]
    samples = []
    for _ in range(requests):
        elapsed, _ = timed_ms(lambda: subprocess.run(command, stdout=subprocess.DEVNULL, check=True))
        samples.append(elapsed)
    return summary(samples)


def measure_serial_socket_reader(pipe_dir, requests):
    """The same over the processes' sockets: one connection to each `<pid>.sock` in turn, read
    to its end, the text discarded (the door statvent-web uses for these writers)."""
    paths = sorted(os.path.join(pipe_dir, name) for name in os.listdir(pipe_dir)
                   if name.endswith('.sock') and not name.startswith('.'))

    def read_all():
        for path in paths:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.connect(path)
                while connection.recv(65536):
                    pass

    samples = []
    for _ in range(requests):
        elapsed, _ = timed_ms(read_all)
        samples.append(elapsed)
    return summary(samples)


def measure_serial_reader(pipe_dir, requests):
    """One process reads every pipe to its end, one after another: os.open() and os.read() in a
    loop, the text discarded. What one serial reader costs at least, with no parsing."""
    pipes = stats_pipes(pipe_dir)

    def read_all():
        for pipe in pipes:
            fd = os.open(pipe, os.O_RDONLY)
            try:
                while os.read(fd, 65536):
                    pass
            finally:
                os.close(fd)

    samples = []
    for _ in range(requests):
        elapsed, _ = timed_ms(read_all)
        samples.append(elapsed)
    return summary(samples)


def run_wrk(url, seconds):
    output = subprocess.run(['wrk', '-t2', '-c32', '-d%ds' % seconds, '--latency', url],
                            capture_output=True, text=True, check=True).stdout
    requests = int(re.search(r'(\d+) requests in', output).group(1))
    rate = float(re.search(r'Requests/sec:\s+([\d.]+)', output).group(1))
    errors = 0
    match = re.search(r'Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)', output)
    if match:
        errors += sum(int(group) for group in match.groups())
    match = re.search(r'Non-2xx or 3xx responses: (\d+)', output)
    if match:
        errors += int(match.group(1))
    latency = dict(re.findall(r'^\s+(50|90|99)%\s+(\S+)', output, re.MULTILINE))
    return {'requests': requests, 'requests_per_s': rate, 'errors': errors, 'latency': latency}


def machine():
    model = 'unknown CPU'
    with open('/proc/cpuinfo') as cpuinfo:
        for line in cpuinfo:
            if line.startswith('model name'):
                model = line.split(':', 1)[1].strip()
                break
    with open('/proc/meminfo') as meminfo:
        memory_gib = int(meminfo.readline().split()[1]) / (1024 * 1024)
    return '%s, %d cores, %.0f GiB, Linux %s' % (model, os.cpu_count(), memory_gib, platform.release())


@contextlib.contextmanager
def service_over_writers(build_dir, timeout, count, *writer_args):
    """count writers (started with writer_args) in a fresh pipe directory and statvent-web over
    it: yields (pipe directory, writers, service), all stopped and removed on the way out."""
    with tempfile.TemporaryDirectory(prefix='statvent-bench-') as pipe_dir, contextlib.ExitStack() as cleanup:
        writers = Writers(build_dir, pipe_dir)
        cleanup.callback(writers.stop)
        writers.start(count, *writer_args)
        service = Service(build_dir, pipe_dir, timeout)
        cleanup.callback(service.stop)
        yield pipe_dir, writers, service


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--build-dir', default=os.path.join(os.path.dirname(__file__), '..', '..', 'build'))
    parser.add_argument('--requests', type=int, default=31, help='measured requests per scenario')
    parser.add_argument('--wrk-seconds', type=int, default=20)
    parser.add_argument('--json', help='also write the figures to this file')
    parser.add_argument('--timeout', type=int, default=100,
                        help="statvent-web's --timeout (default 100; raise it on a loaded machine)")
    parser.add_argument('--windows', type=int, default=0,
                        help='of the 1,000 stats of each writer of scenarios 1-3, this many are windows')
    args = parser.parse_args()
    build_dir = os.path.abspath(args.build_dir)
    if not shutil.which('wrk'):
        sys.exit('wrk is not installed (Debian package wrk)')

    figures = {'machine': machine(), 'command': ' '.join([os.path.basename(sys.argv[0])] + sys.argv[1:]),
               'wrk_seconds': args.wrk_seconds, 'timeout': args.timeout, 'windows': args.windows}
    log('starting 100 writers x 1000 stats (%d of them windows) ...' % args.windows)
    window_arguments = ['--windows', str(args.windows)] if args.windows else []
    rows = 1000 - args.windows + 5 * args.windows
    with service_over_writers(build_dir, args.timeout, 100, '--stats', str(1000 - args.windows),
                              *window_arguments) as (pipe_dir, writers, service):

        def hundred_answered(document):
            assert document['processes'] == 100 and len(document['stats']) == rows, document['processes']

        log('scenario 1: 100 writers')
        figures['get_100'] = measure_requests(service, args.requests, check=hundred_answered)
        figures['serial_cat_each_100'] = measure_serial_cat(pipe_dir, args.requests, one_process=False)
        figures['serial_cat_one_100'] = measure_serial_cat(pipe_dir, args.requests, one_process=True)
        figures['serial_reader_100'] = measure_serial_reader(pipe_dir, args.requests)
        figures['serial_socket_reader_100'] = measure_serial_socket_reader(pipe_dir, args.requests)

        log('scenario 2: + 50 dead pipes')
        dead = dead_pids(50)
        figures['get_100_dead50'] = measure_requests(
            service, args.requests, before_each=lambda: make_dead_pipes(pipe_dir, dead), check=hundred_answered)

        log('scenario 3: + 10 silent live processes')
        silent = writers.start(10, '--mode', 'silent')

        def silent_unanswered(document):
            hundred_answered(document)
            assert document['unanswered'] == 10, document['unanswered']

        figures['get_100_dead50_silent10'] = measure_requests(
            service, args.requests, before_each=lambda: make_dead_pipes(pipe_dir, dead), check=silent_unanswered)
        figures['silent_pipes_kept'] = all(os.path.exists(os.path.join(pipe_dir, '%d.stats' % pid)) for pid in silent)

    log('scenario 4: wrk against 20 writers')
    with service_over_writers(build_dir, args.timeout, 20, '--stats', '1000') as (_, _, service):
        service.get()
        rss = [service.rss_kib()]
        runs = []
        for _ in range(2):
            runs.append(run_wrk(service.url('/stats'), args.wrk_seconds))
            rss.append(service.rss_kib())
        figures['wrk'] = runs
        figures['rss_kib'] = rss

    if args.json:
        with open(args.json, 'w') as out:
            json.dump(figures, out, indent=2)
    print(markdown(figures))


def markdown(f):
    def ms(s):
        return '%.1f ms (min %.1f, p90 %.1f, max %.1f; n=%d)' % (s['median'], s['min'], s['p90'], s['max'], s['n'])

    ratio_each = f['serial_cat_each_100']['median'] / f['get_100']['median']
    ratio_one = f['serial_cat_one_100']['median'] / f['get_100']['median']
    lines = [
        'Machine: %s.' % f['machine'],
        'Command: `benchmarks/web/%s`' % f['command'],
        '',
        '| scenario | statvent-web `GET /stats` (median) | target |',
        '|---|---|---|',
        '| 100 writers x 1,000 stats%s | %s | <= 50 ms |' % (
            ' (%d of them windows)' % f['windows'] if f.get('windows') else '', ms(f['get_100'])),
        '| baseline, same run: the same 100 pipes one after another, one `cat` each (shell loop) | %s | |'
        % ms(f['serial_cat_each_100']),
        '| baseline, same run: the same 100 pipes one after another, one `cat` for all | %s | |'
        % ms(f['serial_cat_one_100']),
        '| baseline, same run: the same 100 pipes one after another, one Python loop reading each to its end | %s | |'
        % ms(f['serial_reader_100']),
        '| speed-up over serial `cat`: one `cat` each / one `cat` for all | %.1fx / %.1fx | >= 3x |' % (ratio_each, ratio_one),
        '| baseline, same run: one Python loop reading each process\'s socket to its end | %s | |'
        % ms(f['serial_socket_reader_100']),
        '| speed-up over the faster serial Python reader | %.1fx | >= 2x (issue 17) |' % (
            min(f['serial_reader_100']['median'], f['serial_socket_reader_100']['median']) / f['get_100']['median']),
        '| + 50 pipes of dead processes (recreated before each request) | %s | <= 60 ms |' % ms(f['get_100_dead50']),
        '| + 10 live but silent processes, `--timeout %d` | %s; all 10 reported unanswered, pipes kept: %s | <= 130 ms |'
        % (f['timeout'], ms(f['get_100_dead50_silent10']), 'yes' if f['silent_pipes_kept'] else 'NO'),
        '',
        '| `wrk -t2 -c32 -d%ds` on `/stats`, 20 writers x 1,000 stats | run 1 | run 2 |' % f['wrk_seconds'],
        '|---|---|---|',
    ]
    runs = f['wrk']
    lines.append('| requests (requests/s) | %d (%.0f/s) | %d (%.0f/s) |'
                 % (runs[0]['requests'], runs[0]['requests_per_s'], runs[1]['requests'], runs[1]['requests_per_s']))
    lines.append('| errors (socket errors + non-2xx) | %d | %d |' % (runs[0]['errors'], runs[1]['errors']))
    lines.append('| latency p50 / p90 / p99 | %s | %s |' % tuple(
        ' / '.join(run['latency'].get(p, '?') for p in ('50', '90', '99')) for run in runs))
    rss = f['rss_kib']
    lines.append('| statvent-web RSS before -> after (KiB) | %d -> %d | %d -> %d |' % (rss[0], rss[1], rss[1], rss[2]))
    return '\n'.join(lines)


if __name__ == '__main__':
    main()

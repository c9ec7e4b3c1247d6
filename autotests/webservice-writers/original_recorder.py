#!/usr/bin/python3
# SPDX-FileCopyrightText: The Statvent for Qt authors
# SPDX-License-Identifier: MIT
"""A faithful, minimal emulation of the ORIGINAL statvent recorder (the Python library that
Statvent for Qt replaces), for statvent-web's compatibility tests: an original process and one
of ours in one pipe directory.

Like the original's start_recorder(): a daemon thread loops
    mkfifo <pipe_dir>/<pid>.stats; open(..., 'w') (blocks until a reader comes);
    write every stat as '<name>: <value>\\n', ints with %d and floats with %f; close; unlink
and an atexit handler unlinks the pipe (so SIGTERM or SIGKILL leave it behind, as the
original does). Its known bugs are kept on purpose: a reader that hangs up early kills the
thread, and the pipe is missing between unlink and the next mkfifo.

Prints "ready <pid>" once the first pipe exists (the original prints nothing; tests need it).
"""

import argparse
import atexit
import ctypes
import os
import signal
import sys
import threading


def format_line(name, value):
    if isinstance(value, float):
        return '%s: %f\n' % (name, value)
    return '%s: %d\n' % (name, value)


def recorder_loop(path, stats, first_pipe_made):
    while True:
        os.mkfifo(path)
        first_pipe_made.set()
        with open(path, 'w') as pipe:
            for name, value in list(stats.items()):
                pipe.write(format_line(name, value))
        os.unlink(path)


def parse_value(text):
    return float(text) if any(c in text for c in '.eE') else int(text)


def die_with_parent():
    """Test plumbing, not the original's: a test that crashes must not leave this process behind."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def main():
    die_with_parent()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--pipe-dir', required=True)
    parser.add_argument('--stat', action='append', default=[], metavar='NAME=VALUE',
                        help='a statistic; a value with ".", "e" or "E" is a float')
    parser.add_argument('--stats', type=int, default=0, help='also N statistics orig.<i> = i')
    args = parser.parse_args()

    stats = {}
    for assignment in args.stat:
        name, _, value = assignment.rpartition('=')
        stats[name] = parse_value(value)
    for i in range(args.stats):
        stats['orig.%d' % i] = i

    os.makedirs(args.pipe_dir, exist_ok=True)
    path = os.path.join(args.pipe_dir, '%d.stats' % os.getpid())
    atexit.register(lambda: os.path.exists(path) and os.unlink(path))

    first_pipe_made = threading.Event()
    threading.Thread(target=recorder_loop, args=(path, stats, first_pipe_made), daemon=True).start()
    first_pipe_made.wait()
    print('ready %d' % os.getpid(), flush=True)
    # SIGINT would run atexit; wait like an application that has other work to do.
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    while True:
        signal.pause()


if __name__ == '__main__':
    main()

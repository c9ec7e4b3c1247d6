#!/usr/bin/env python3
# SPDX-FileCopyrightText: The Statvent for Qt authors
# SPDX-License-Identifier: MIT
"""A recorder read over and over (docs/RELIABILITY.md, "Load and soak"): statvent-example
serves its pipe while this script reads it --reads times, open to end-of-file, one read after
the other, checking each snapshot. Reports the reads per second and the writer's resident memory
and descriptors as the reads go on; then stops the writer with SIGTERM, so that a writer run
under valgrind or LeakSanitizer reports its leaks on the way out.

    benchmarks/reliability/recorderloop.py [--build-dir build] [--reads 100000]
                                           [--wrap "valgrind --leak-check=full ..."]

Exit status 0 when every read was a whole snapshot, memory and descriptors did not grow, and the
writer exited with status 0 (a tool given in --wrap that finds an error makes that fail too).
"""

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from statventrig import Checks, Drain, argument_parser, fd_count, find_program, rss_kib, wait_until  # noqa: E402


def instrumentation(pid):
    """The memory checker \a pid runs under, if any: valgrind, or a sanitizer's runtime."""
    with open(f"/proc/{pid}/maps") as maps:
        text = maps.read()
    for marker, tool in (("vgpreload_memcheck", "valgrind"), ("libasan", "AddressSanitizer"), ("libtsan", "ThreadSanitizer")):
        if marker in text:
            return tool
    return None


def main():
    parser = argument_parser(__doc__)
    parser.add_argument("--reads", type=int, default=100_000)
    parser.add_argument("--wrap", default="", help="a command to run the writer under, e.g. valgrind")
    arguments = parser.parse_args()
    build = os.path.abspath(arguments.build_dir)

    checks = Checks()
    root = tempfile.mkdtemp(prefix="statvent-recorderloop-")
    command = shlex.split(arguments.wrap) + [find_program(build, "statvent-example"), "--pipe-dir", root, "--interval", "10"]
    writer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        output = Drain(writer.stdout)
        errors = Drain(writer.stderr)
        # Under valgrind the pid is valgrind's own, which is the process that serves the pipe.
        pipe = os.path.join(root, f"{writer.pid}.stats")
        if not wait_until(lambda: os.path.exists(pipe), 120, 0.1):
            sys.exit(f"recorderloop.py: no pipe at {pipe}: {errors.text()}")

        def whole(text):
            # The example's three statistics and its window's rows, each line ended.
            return text.endswith(b"\n") and b"foo.bar: " in text and b"foo->baz->mean: " in text

        def read_pipe():
            with open(pipe, "rb") as stream:
                return stream.read()

        # Until the example has recorded its first sample, the window has no rows yet.
        wait_until(lambda: whole(read_pipe()), 60, 0.05)
        samples = []
        bad = []
        started = time.monotonic()
        step = max(1, arguments.reads // 10)
        for read in range(arguments.reads):
            if read % step == 0:
                samples.append((read, rss_kib(writer.pid), fd_count(writer.pid)))
            text = read_pipe()
            if not whole(text):
                bad.append(text[:100])
        seconds = time.monotonic() - started
        # A snapshot may still be on its way out of the writer: let its descriptor close.
        wait_until(lambda: fd_count(writer.pid) <= samples[0][2], 2)
        samples.append((arguments.reads, rss_kib(writer.pid), fd_count(writer.pid)))
        print("reads  RSS (KiB)  descriptors")
        for read, rss, fds in samples:
            print(f"{read:6d}  {rss:9d}  {fds:11d}")
        checks.check("recorder loop", f"{arguments.reads} reads, each a whole snapshot", not bad,
                     f"{arguments.reads / seconds:.0f} reads/s" if not bad else f"{len(bad)} bad, e.g. {bad[:3]}")
        # The first tenth warms up (allocator, Qt's caches); from there on nothing may grow. Under
        # valgrind or a sanitizer the figures are the tool's own (valgrind grows as it translates
        # code, AddressSanitizer keeps freed memory in quarantine): the tool's verdict counts instead.
        warm_rss, last_rss = samples[1][1] if len(samples) > 2 else samples[0][1], samples[-1][1]
        growth = (f"{samples[0][1]} KiB at the start, {warm_rss} KiB after {samples[1][0] if len(samples) > 2 else 0} reads, "
                  f"{last_rss} KiB at the end; descriptors {samples[0][2]} then {samples[-1][2]}")
        tool = instrumentation(writer.pid)
        if tool:
            print(f"under {tool}: {growth}")
        else:
            checks.check("recorder loop", "the writer's memory does not grow", last_rss <= warm_rss * 1.05 + 512, growth)
            checks.check("recorder loop", "the writer's descriptors do not grow", samples[-1][2] <= samples[0][2], growth)
        writer.terminate()
        status = writer.wait(120)
        checks.check("recorder loop", "the writer exits cleanly on SIGTERM (and its memory checker found nothing)", status == 0,
                     f"status {status}")
        checks.check("recorder loop", "and removes its pipe", not os.path.exists(pipe))
        tail = "\n".join(line for line in errors.lines if "ERROR SUMMARY" in line or "definitely lost" in line
                         or "LeakSanitizer" in line or "SUMMARY" in line)
        if tail:
            print(tail)
        del output
        return checks.report()
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

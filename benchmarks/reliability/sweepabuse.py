#!/usr/bin/env python3
# SPDX-FileCopyrightText: The Statvent for Qt authors
# SPDX-License-Identifier: MIT
"""Abuse of statvent-web's sweep (issue 19 items 3, 4, 6 and 14; docs/RELIABILITY.md, "The sweep
under abuse"), with the figures measured.

    benchmarks/reliability/sweepabuse.py [--build-dir build] [--seconds 15]

- flood: a FIFO named after a live pid that serves 64 MiB - 4 bytes of `a:1` lines (just under
  --max-pipe-bytes). GET /stats?by=process with --timeout 100: its time, and the service's peak
  resident memory (VmHWM); the same with --timeout 60000, so that the whole text is read. Then
  three such writers beside two honest ones: the honest ones answer in every request. The
  same two requests against a process serving 63 MiB of repeated `gauge 1 a` records on its
  socket.
- two readers: two statvent-web instances poll one directory of 10 recorders (requests=1000
  each): no answer ever counts a process with no statistics, and every total is 1000 times the
  processes counted.
- silent: 79 live processes whose FIFOs never answer, one that does: 40 requests; how many of
  them waited the whole --timeout.
- impostor (as root): user nobody makes `<pid>.stats` of a root process and `1.stats`, serving
  x=666: never counted.

Loopback only, everything in a temporary directory; exit status 0 when every check passed.
"""

import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time

import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from statventrig import (Checks, Service, Writer, argument_parser, find_program,  # noqa: E402
                         status_kib)

MIB = 1024 * 1024


def peak_kib(pid):
    return status_kib(pid, "VmHWM")


def flood_writer(build, pipe_dir, megabytes):
    return Writer(build, pipe_dir, extra=["--mode", "flood", "--flood-line", "a:1",
                                          "--flood-bytes", str(megabytes * MIB - 4)])


def socket_flood_writer(build, pipe_dir, megabytes):
    return Writer(build, pipe_dir, extra=["--mode", "socket", "--flood-line", "gauge 1 a",
                                          "--flood-bytes", str(megabytes * MIB)])


def flood(arguments, checks, root):
    build = arguments.build_dir
    for kind, make_writer, megabytes in (("FIFO", flood_writer, 64), ("socket", socket_flood_writer, 63)):
        for timeout in (100, 60000):
            pipe_dir = os.path.join(root, f"flood-{kind}-{timeout}")
            writer = make_writer(build, pipe_dir, megabytes)
            service = Service(build, pipe_dir, "--timeout", str(timeout))
            before = peak_kib(service.pid)
            status, document, seconds = service.get_json("/stats?by=process", timeout=120)
            after = peak_kib(service.pid)
            answered = document is not None and str(writer.pid) in document.get("processes", {})
            print(f"  {kind}, --timeout {timeout}: GET /stats?by=process {seconds * 1000:.0f} ms, peak RSS "
                  f"{before / 1024:.1f} -> {after / 1024:.1f} MiB, flood answered: {answered}")
            checks.check("flood", f"{kind}, --timeout {timeout}: answered in time",
                         status == 200 and seconds < timeout / 1000 + 1.0, f"{seconds * 1000:.0f} ms")
            checks.check("flood", f"{kind}, --timeout {timeout}: peak memory below the text's size",
                         after - before < 64 * 1024, f"{(after - before) / 1024:.1f} MiB more")
            service.stop()
            writer.stop()

    pipe_dir = os.path.join(root, "floods")
    floods = [flood_writer(build, pipe_dir, 64) for _ in range(3)]
    honest = [Writer(build, pipe_dir, stats=[("requests", 1000)]) for _ in range(2)]
    service = Service(build, pipe_dir, "--timeout", "100")
    answered = 0
    times = []
    for _ in range(10):
        status, document, seconds = service.get_json("/stats?by=process", timeout=60)
        times.append(seconds)
        processes = document.get("processes", {}) if document else {}
        answered += sum(1 for writer in honest if str(writer.pid) in processes)
    print(f"  3 floods + 2 honest writers, 10 requests: honest answers {answered}/20, "
          f"max {max(times) * 1000:.0f} ms, peak RSS {peak_kib(service.pid) / 1024:.1f} MiB")
    checks.check("flood", "honest writers answered beside three floods", answered == 20, f"{answered}/20")
    service.stop()
    for writer in floods + honest:
        writer.stop()


def two_readers(arguments, checks, root):
    build = arguments.build_dir
    pipe_dir = os.path.join(root, "two-readers")
    writers = [Writer(build, pipe_dir, stats=[("requests", 1000)]) for _ in range(10)]
    services = [Service(build, pipe_dir) for _ in range(2)]
    tally = {"answers": 0, "empty": 0, "wrong totals": 0, "unanswered": 0}
    lock = threading.Lock()
    stop_at = time.monotonic() + arguments.seconds

    def poll(service):
        while time.monotonic() < stop_at:
            status, document, _ = service.get_json("/stats?by=process")
            if not document:
                continue
            processes = document["processes"]
            empty = sum(1 for process in processes.values() if not process["stats"])
            total = sum(process["stats"].get("requests", 0) for process in processes.values())
            with lock:
                tally["answers"] += 1
                tally["empty"] += empty
                tally["wrong totals"] += 1 if total != 1000 * len(processes) else 0
                tally["unanswered"] += len(document["unanswered"])

    threads = [threading.Thread(target=poll, args=(service,)) for service in services]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"  two instances, {arguments.seconds} s: {tally['answers']} answers, {tally['empty']} processes counted "
          f"with no stats, {tally['unanswered']} reported unanswered, {tally['wrong totals']} wrong totals")
    checks.check("two readers", "no process counted with no statistics", tally["empty"] == 0, str(tally))
    checks.check("two readers", "totals exact", tally["wrong totals"] == 0, str(tally))
    for service in services:
        service.stop()
    for writer in writers:
        writer.stop()


def silent(arguments, checks, root):
    build = arguments.build_dir
    pipe_dir = os.path.join(root, "silent")
    writers = [Writer(build, pipe_dir, extra=["--mode", "silent"]) for _ in range(79)]
    writers.append(Writer(build, pipe_dir, stats=[("requests", 1)]))
    service = Service(build, pipe_dir, "--timeout", "100")
    times = []
    for _ in range(40):
        status, document, seconds = service.get_json("/stats")
        times.append(seconds * 1000)
    waited = sum(1 for ms in times if ms >= 95)
    print(f"  79 silent FIFOs, 40 requests: {waited} waited the 100 ms timeout; median {statistics.median(times):.1f} ms, "
          f"max {max(times):.1f} ms")
    checks.check("silent", "most requests do not wait for silent pipes", waited <= 10, f"{waited} of 40 waited")
    service.stop()
    for writer in writers:
        writer.stop()


def impostor(arguments, checks, root):
    if os.geteuid() != 0:
        print("  impostor: skipped (needs root to act as user nobody)")
        return
    build = arguments.build_dir
    pipe_dir = os.path.join(root, "impostor")
    os.chmod(root, 0o755)  # nobody must reach the directory
    os.makedirs(pipe_dir)
    os.chmod(pipe_dir, 0o1777)
    victim = subprocess.Popen(["sleep", "60"])
    program = find_program(build, "webservice-testwriter")
    impostors = []
    for pid, mode in ((victim.pid, "slow"), (victim.pid, "socket"), (1, "slow")):
        process = subprocess.Popen(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", program,
                                    "--pipe-dir", pipe_dir, "--mode", mode, "--as-pid", str(pid), "--stat", "x=666"],
                                   stdout=subprocess.PIPE)
        process.stdout.readline()
        impostors.append(process)
    service = Service(build, pipe_dir)
    status, document, _ = service.get_json("/stats?by=process")
    counted = [pid for pid, process in document["processes"].items() if "x" in process["stats"]]
    time.sleep(0.2)  # the log's reader thread
    refusals = [line for line in service.log.lines if "refusing" in line]
    print(f"  impostor: processes counted {sorted(document['processes'])}, refusals logged: {len(refusals)}")
    for line in refusals:
        print(f"    {line}")
    checks.check("impostor", "another user's entries never counted", status == 200 and not counted, str(document))
    checks.check("impostor", "each refusal logged", len(refusals) == 3, str(refusals))
    service.stop()
    for process in impostors + [victim]:
        process.kill()
        process.wait()


def main():
    parser = argument_parser(__doc__)
    parser.add_argument("--seconds", type=float, default=15, help="how long the two instances poll (default 15)")
    parser.add_argument("--only", choices=["flood", "two_readers", "silent", "impostor"], help="run one scenario")
    arguments = parser.parse_args()
    checks = Checks()
    with open("/proc/loadavg") as loadavg:
        print(f"load average: {loadavg.read().split()[0]}, {os.cpu_count()} cores")
    root = tempfile.mkdtemp(prefix="statvent-sweepabuse-")
    try:
        for scenario in (flood, two_readers, silent, impostor):
            if arguments.only and scenario.__name__ != arguments.only:
                continue
            print(f"{scenario.__name__}:", flush=True)
            scenario(arguments, checks, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return checks.report()


if __name__ == "__main__":
    sys.exit(main())

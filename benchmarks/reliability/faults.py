#!/usr/bin/env python3
# SPDX-FileCopyrightText: The Statvent for Qt authors
# SPDX-License-Identifier: MIT
"""Fault injection against Statvent writers and statvent-web (docs/RELIABILITY.md, "Faults").

    benchmarks/reliability/faults.py [--build-dir build] [--churn 200] [--kills 30]

Ten steady writers with known statistics stay up throughout, while the script
- SIGKILLs writers in the middle of sending a 1.7 MB snapshot to statvent-web,
- SIGSTOPs writers during sweeps, then lets them go on,
- opens pipes and hangs up after one byte (or none), 200 times,
- deletes the pipe directory under the running processes (and recreates it, or renames it),
- starts applications whose pipe directory cannot be written (below a regular file; as user
  nobody in a directory of root's),
- starts and kills --churn processes (SIGKILL, SIGTERM, SIGSTOP then SIGKILL) while a poller
  GETs /stats without pause.
Afterwards: the service answers, stale pipes are gone, every live process is present with exact
totals, and the service holds no more descriptors than before.

Loopback only, everything in a temporary directory; exit status 0 when every check passed.
Takes about a minute; --deadline (default 300 s) ends a run that hangs.
"""

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from statventrig import Checks, Service, Writer, argument_parser, fd_count, find_program, wait_until  # noqa: E402

STEADY_WRITERS = 10
STEADY_VALUE = 1000
BIG_STATS = 100_000  # stat.<i> = i: ~1.7 MB of pipe text, so that a kill lands mid-write


def delete_tree(path):
    """rm -rf, retried while the recorders put their pipes back into the dying directory."""
    deadline = time.monotonic() + 10
    while True:
        try:
            shutil.rmtree(path)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise


def stopped_state(pid):
    """Every thread of the process is stopped."""
    tasks = f"/proc/{pid}/task"
    for task in os.listdir(tasks):
        with open(f"{tasks}/{task}/stat") as stat:
            if stat.read().rsplit(")", 1)[1].split()[0] != "T":
                return False
    return True


def descriptors(pid):
    """The process's open descriptors by kind, eventfds left out."""
    kinds = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except FileNotFoundError:
            continue
        kind = target.split(":")[0] if ":" in target else "file"
        if kind != "anon_inode" or "eventfd" not in target:
            kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


class Faults:
    def __init__(self, arguments, root):
        self.arguments = arguments
        self.build = arguments.build_dir
        self.root = root
        self.pipes = os.path.join(root, "pipes")
        os.mkdir(self.pipes)
        self.checks = Checks()
        self.service = None
        self.steady = []

    def start(self):
        self.service = Service(self.build, self.pipes, "--timeout", "200")
        for i in range(STEADY_WRITERS):
            self.steady.append(Writer(self.build, self.pipes, [("steady.total", STEADY_VALUE), ("steady.id", i)]))
        self.service_fds = descriptors(self.service.pid)

    def check(self, area, what, ok, detail=""):
        return self.checks.check(area, what, ok, detail)

    # What "everything is fine" means, checked after each fault.
    def steady_state(self, area):
        status, document, _ = self.service.get_json("/stats?by=process")
        if status != 200 or document is None:
            return self.check(area, "the service answers /stats?by=process", False, f"status {status}")
        processes = document["processes"]
        missing = [w.pid for w in self.steady if str(w.pid) not in processes]
        wrong = [w.pid for i, w in enumerate(self.steady) if str(w.pid) in processes
                 and processes[str(w.pid)]["stats"] != {"steady.total": STEADY_VALUE, "steady.id": i}]
        return self.check(area, "every steady writer present with its exact statistics", not missing and not wrong,
                          f"missing {missing}, wrong {wrong}" if missing or wrong else f"{len(self.steady)} writers")

    def combined_total(self):
        status, document, _ = self.service.get_json("/stats")
        if status != 200 or document is None:
            return None
        return document["stats"].get("steady.total")

    def kill_mid_write(self):
        area = "SIGKILL mid-write"
        # How long a sweep with one big writer takes, to aim the kills inside it.
        probe = Writer(self.build, self.pipes, extra=["--stats", str(BIG_STATS)])
        _, _, seconds = self.service.get_json("/stats?by=process")
        probe.stop()
        self.service.get_json("/stats")  # removes the probe's pipe
        outcomes = {"complete": 0, "cut": 0, "empty or absent": 0}
        wrong = []
        non_200 = 0
        for _ in range(self.arguments.kills):
            big = Writer(self.build, self.pipes, extra=["--stats", str(BIG_STATS)])
            reply = {}
            request = threading.Thread(target=lambda: reply.update(r=self.service.get_json("/stats?by=process")))
            request.start()
            time.sleep(random.uniform(0, seconds))
            big.signal(signal.SIGKILL)
            request.join()
            big.process.wait()
            status, document, _ = reply["r"]
            if status != 200 or document is None:
                non_200 += 1
                continue
            stats = document["processes"].get(str(big.pid), {}).get("stats", {})
            big_stats = {name: value for name, value in stats.items() if name.startswith("stat.")}
            if not big_stats:
                outcomes["empty or absent"] += 1
            elif len(big_stats) == BIG_STATS:
                outcomes["complete"] += 1
            else:
                outcomes["cut"] += 1
            wrong += [f"{name}={value}" for name, value in big_stats.items() if value != int(name[5:])]
        self.check(area, f"{self.arguments.kills} GETs during kills all answered 200 with JSON", non_200 == 0,
                   f"{non_200} failed")
        self.check(area, "no statistic of a killed writer reported with a wrong value", not wrong,
                   f"outcomes {outcomes}; wrong: {wrong[:5]}" if wrong else f"outcomes {outcomes}")
        # Deterministic: a writer that sends half of "c: 1234567890\n" ("c: 1234") and is then
        # killed, so that the reader's text ends in the middle of the value.
        cut = []
        for _ in range(3):
            half = Writer(self.build, self.pipes, [("c", 1234567890)], extra=["--mode", "partial"])
            reply = {}
            request = threading.Thread(target=lambda: reply.update(r=self.service.get_json("/stats?by=process")))
            request.start()
            time.sleep(0.05)  # the sweep has its half line, and waits for the rest
            half.signal(signal.SIGKILL)
            request.join()
            half.process.wait()
            _, document, _ = reply["r"]
            value = (document or {}).get("processes", {}).get(str(half.pid), {}).get("stats", {}).get("c")
            if value is not None and value != 1234567890:
                cut.append(value)
        self.check(area, "a line cut short by the writer's death is not read as a value", not cut,
                   f"c reported as {cut} instead of 1234567890 (or nothing)" if cut else "")
        self.service.get_json("/stats")
        leftovers = [name for name in os.listdir(self.pipes)
                     if name.endswith(".stats") and not any(name == f"{w.pid}.stats" for w in self.steady)]
        self.check(area, "the killed writers' pipes are gone after the next sweep", not leftovers, f"left: {leftovers}")
        self.steady_state(area)

    def sigstop(self):
        area = "SIGSTOP"
        stopped = [Writer(self.build, self.pipes, [("stopped.total", 1)]) for _ in range(5)]
        for writer in stopped:
            writer.signal(signal.SIGSTOP)
        # A process-directed SIGSTOP stops the threads only once the thread it was delivered to
        # runs: until then, a recorder thread woken by a reader still answers.
        all_stopped = wait_until(lambda: all(stopped_state(w.pid) for w in stopped), 5)
        self.check(area, "5 writers stopped", all_stopped)
        status, document, seconds = self.service.get_json("/stats?by=process")
        unanswered = sorted(document["unanswered"]) if document else None
        self.check(area, "a sweep with 5 stopped writers answers within its 200 ms timeout", status == 200 and seconds < 1.0,
                   f"status {status} in {seconds * 1000:.0f} ms")
        self.check(area, "the stopped writers are listed as unanswered, not removed",
                   unanswered == sorted(w.pid for w in stopped) and all(os.path.exists(w.pipe) for w in stopped),
                   f"unanswered {unanswered}, removed {document and document['removed']}")
        self.steady_state(area)
        for writer in stopped:
            writer.signal(signal.SIGCONT)
        total = wait_until(lambda: (self.service.get_json("/stats")[1] or {}).get("stats", {}).get("stopped.total") == 5, 5)
        self.check(area, "once continued, every one answers again with its value", total, "stopped.total = 5")
        for writer in stopped:
            writer.stop()

    def one_byte_readers(self):
        area = "readers hanging up"
        writer = self.steady[0]
        fds_before = fd_count(writer.pid)
        hangups = 200

        empty_reads = []

        def hang_up(count, read_bytes):
            for _ in range(count):
                fd = os.open(writer.pipe, os.O_RDONLY | os.O_NONBLOCK)
                deadline = time.monotonic() + 5
                while read_bytes and time.monotonic() < deadline:
                    try:
                        if not os.read(fd, 1):
                            empty_reads.append(1)  # end-of-file at once: see below
                        break
                    except BlockingIOError:
                        time.sleep(0.0005)
                os.close(fd)

        # Half read one byte and hang up; half hang up without reading; four readers at a time.
        threads = [threading.Thread(target=hang_up, args=(hangups // 4, read)) for read in (True, False, True, False)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # Readers that open the pipe within microseconds of each other may share one FIFO, and
        # one of them then reads end-of-file at once: the recorder's documented limit, counted
        # here, not hidden.
        self.check(area, f"the writer survives {hangups} readers that hang up early", writer.alive(),
                   f"{len(empty_reads)} of {hangups // 2} one-byte readers met the shared-FIFO limit (an empty read)")
        fds_after = wait_until(lambda: fd_count(writer.pid) <= fds_before and fd_count(writer.pid), 5)
        self.check(area, "the writer holds no more descriptors than before", fds_after and fds_after <= fds_before,
                   f"{fds_before} before, {fd_count(writer.pid)} after")
        # A reader that opens the pipe while the recorder is still swapping in the FIFO after the
        # last hang-up meets the same documented limit (an empty read, never a cut one): it reads
        # again, as the service does, and must then get the whole snapshot.
        texts = []
        for _ in range(3):
            with open(writer.pipe, "rb") as pipe:
                texts.append(pipe.read())
            if texts[-1]:
                break
            time.sleep(0.05)
        self.check(area, "the next reader gets the whole snapshot (after empty reads, if any)",
                   texts[-1] == b"steady.total: 1000\nsteady.id: 0\n",
                   f"{repr(texts[-1][:80])} after {len(texts) - 1} empty read(s)")
        self.steady_state(area)

    def all_pipes_present(self, directory):
        return all(os.path.exists(os.path.join(directory, f"{w.pid}.stats")) for w in self.steady)

    def directory_deleted(self):
        area = "pipe directory deleted"
        for how in ("deleted", "deleted and recreated at once", "renamed away"):
            if how == "renamed away":
                moved = self.pipes + ".old"
                os.rename(self.pipes, moved)
            else:
                delete_tree(self.pipes)
                if how == "deleted and recreated at once":
                    # A recorder may have made it again already: that is recreated too.
                    os.makedirs(self.pipes, exist_ok=True)
            status, _, _ = self.service.get_json("/stats")
            self.check(area, f"{how}: the service answers meanwhile", status == 200, f"status {status}")
            started = time.monotonic()
            back = wait_until(lambda: self.all_pipes_present(self.pipes), 10)
            self.check(area, f"{how}: every writer republishes its pipe", back,
                       f"in {time.monotonic() - started:.2f} s")
            if how == "renamed away":
                shutil.rmtree(moved)
            self.steady_state(area)

    def unwritable_directory(self):
        area = "unwritable directory"
        blocker = os.path.join(self.root, "regular-file")
        with open(blocker, "w") as file:
            file.write("not a directory\n")
        example = find_program(self.build, "statvent-example")
        locked = os.path.join(self.root, "roots-only")
        os.mkdir(locked, 0o755)
        cases = [
            ("below a regular file", [example, "--pipe-dir", os.path.join(blocker, "pipes")], "Not a directory"),
            ("root's directory, as user nobody",
             ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", example, "--pipe-dir", locked],
             "Permission denied"),
        ]
        for what, command, reason in cases:
            if command[0] == "setpriv" and os.geteuid() != 0:
                command = command[command.index(example):]  # already unprivileged
            process = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
            message = process.stderr.decode(errors="replace")
            self.check(area, f"{what}: the application says why it cannot serve",
                       "not serving statistics" in message and reason in message, message.strip()[:200])
            self.check(area, f"{what}: and ends cleanly (status 1, no signal)", process.returncode == 1,
                       f"status {process.returncode}")
        self.check(area, "nothing was created where it could not be", os.listdir(locked) == [], str(os.listdir(locked)))

        # The service pointed at a directory it cannot open keeps answering, and says why.
        service = Service(self.build, os.path.join(blocker, "pipes"))
        try:
            status, document, _ = service.get_json("/stats")
            health, _, _ = service.get("/healthz")
            self.check(area, "statvent-web on an unusable directory answers /stats and /healthz",
                       status == 200 and health == 200 and document["processes"] == 0, f"/stats {status}, /healthz {health}")
            self.check(area, "and logs why", wait_until(lambda: "Not a directory" in service.log.text(), 2),
                       service.log.text().strip()[:200])
        finally:
            service.stop()

    def churn(self):
        area = "churn"
        count = self.arguments.churn
        stop = threading.Event()
        polls = {"requests": 0, "failed": 0, "dips": [], "slowest": 0.0}
        expected = STEADY_WRITERS * STEADY_VALUE

        def poll():
            while not stop.is_set():
                status, document, seconds = self.service.get_json("/stats")
                polls["requests"] += 1
                polls["slowest"] = max(polls["slowest"], seconds)
                if status != 200 or document is None:
                    polls["failed"] += 1
                elif document["stats"].get("steady.total") != expected:
                    polls["dips"].append(document["stats"].get("steady.total"))

        poller = threading.Thread(target=poll)
        poller.start()
        started = time.monotonic()
        killed = []
        ways = [signal.SIGKILL, signal.SIGTERM, "stop-then-kill"]
        batch = 10
        for first in range(0, count, batch):
            writers = [Writer(self.build, self.pipes, [("churn.count", 1)], wait=False)
                       for _ in range(min(batch, count - first))]
            for writer in writers:
                writer.wait_ready()
            time.sleep(random.uniform(0, 0.2))  # lifetimes that overlap several polls
            for index, writer in enumerate(writers):
                way = ways[(first + index) % len(ways)]
                if way == "stop-then-kill":
                    writer.signal(signal.SIGSTOP)
                    time.sleep(0.001)
                    way = signal.SIGKILL
                writer.signal(way)
            for writer in writers:
                writer.process.wait()
            killed += writers
        stop.set()
        poller.join()
        seconds = time.monotonic() - started
        self.check(area, f"{count} processes started and killed; every poll answered 200 with JSON",
                   polls["failed"] == 0, f"{polls['requests']} polls in {seconds:.1f} s, slowest {polls['slowest'] * 1000:.0f} ms")
        self.check(area, "no poll missed a live process (steady.total always exact)", not polls["dips"],
                   f"totals seen instead of {expected}: {polls['dips'][:10]}" if polls["dips"] else f"{expected} in every poll")
        status, document, _ = self.service.get_json("/stats?by=process")
        status, document, _ = self.service.get_json("/stats?by=process")
        churned = [w.pid for w in killed if str(w.pid) in (document or {}).get("processes", {})]
        self.check(area, "no killed process is reported", status == 200 and not churned, f"still reported: {churned}")

    def final_state(self):
        area = "afterwards"
        health, _, _ = self.service.get("/healthz")
        self.check(area, "the service answers /healthz", health == 200, f"status {health}")
        self.service.get_json("/stats")
        live = {w.pid for w in self.steady}
        entries = os.listdir(self.pipes)
        stale = [name for name in entries if name.endswith(".stats") and int(name[:-6]) not in live]
        self.check(area, "stale pipes are gone: only the live processes' pipes are left", not stale,
                   f"{len(stale)} stale: {stale[:5]}")
        spares = [name for name in entries if name.startswith(".")
                  and int(name[1:].split(".")[0]) not in live]
        self.check(area, "no spare FIFO (.<pid>.stats.next) of a dead process is left", not spares,
                   f"{len(spares)} left behind, e.g. {spares[:3]}" if spares else "")
        self.steady_state(area)
        self.check(area, "the combined steady.total is exact", self.combined_total() == STEADY_WRITERS * STEADY_VALUE,
                   str(self.combined_total()))
        # Qt's thread pool starts and retires threads, each with an eventfd: count the others,
        # once the service has seen the last clients hang up.
        wait_until(lambda: descriptors(self.service.pid) == self.service_fds, 5)
        fds = descriptors(self.service.pid)
        self.check(area, "the service holds no more descriptors than at the start (eventfds of pool threads aside)",
                   fds == self.service_fds, f"{self.service_fds} at the start, {fds} now")
        self.check(area, "the service is still running", self.service.process.poll() is None)
        status = self.service.stop()
        problems = [line for line in self.service.log.lines if "Sanitizer" in line or "runtime error" in line]
        self.check(area, "and exits cleanly on SIGTERM, with no sanitizer report", status == 0 and not problems,
                   f"status {status}; {problems[:3]}")

    def stop(self):
        for writer in self.steady:
            writer.stop()
        if self.service:
            self.service.stop()


def main():
    parser = argument_parser(__doc__)
    parser.add_argument("--churn", type=int, default=200, help="processes to start and kill (default 200)")
    parser.add_argument("--kills", type=int, default=30, help="writers to kill mid-write (default 30)")
    parser.add_argument("--deadline", type=int, default=300, help="seconds before the run is abandoned (default 300)")
    arguments = parser.parse_args()
    arguments.build_dir = os.path.abspath(arguments.build_dir)

    signal.signal(signal.SIGALRM, lambda *_: sys.exit(f"faults.py: still running after {arguments.deadline} s, giving up"))
    signal.alarm(arguments.deadline)
    root = tempfile.mkdtemp(prefix="statvent-faults-")
    os.chmod(root, 0o755)  # user nobody must reach the directory of its own case
    faults = Faults(arguments, root)
    try:
        faults.start()
        started = time.monotonic()
        faults.steady_state("start")
        faults.kill_mid_write()
        faults.sigstop()
        faults.one_byte_readers()
        faults.directory_deleted()
        faults.unwritable_directory()
        faults.churn()
        faults.final_state()
        print(f"\nfaults.py: {time.monotonic() - started:.0f} s")
        return faults.checks.report()
    finally:
        faults.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

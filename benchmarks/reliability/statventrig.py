# SPDX-FileCopyrightText: The Statvent for Qt authors
# SPDX-License-Identifier: MIT
"""What the reliability scripts share: a statvent-web on an ephemeral loopback port, writer
processes with known statistics, HTTP GETs, and a tally of checks.

Only the Python standard library; every process is started in a temporary directory and
stopped by its own pid when the script ends."""

import argparse
import http.client
import json
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time


def argument_parser(doc):
    """A parser for a script whose docstring is \a doc, with the --build-dir every script takes."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../build"),
                        help="the build directory whose bin/ holds the programs (default: build)")
    return parser


class Checks:
    """A tally of named checks; report() prints them and gives the exit status."""

    def __init__(self):
        self.results = []

    def check(self, area, what, ok, detail=""):
        self.results.append((area, what, bool(ok), detail))
        mark = "PASS" if ok else "FAIL"
        print(f"{mark}  [{area}] {what}" + (f": {detail}" if detail else ""), flush=True)
        return ok

    def report(self):
        failed = [r for r in self.results if not r[2]]
        print(f"\n{len(self.results) - len(failed)} of {len(self.results)} checks passed", flush=True)
        for area, what, _, detail in failed:
            print(f"FAILED [{area}] {what}: {detail}")
        return 1 if failed else 0


def find_program(build_dir, name):
    path = os.path.join(build_dir, "bin", name)
    if not os.access(path, os.X_OK):
        sys.exit(f"{path} not found: build the project first (cmake --build {build_dir})")
    return path


class Drain(threading.Thread):
    """Reads a child's output without end, so the child never blocks on a full pipe."""

    def __init__(self, stream):
        super().__init__(daemon=True)
        self.stream = stream
        self.lines = []
        self.start()

    def run(self):
        for line in iter(self.stream.readline, b""):
            self.lines.append(line.decode("utf-8", "replace").rstrip("\n"))

    def text(self):
        return "\n".join(self.lines)


class Service:
    """statvent-web on 127.0.0.1, on a port of the kernel's choosing."""

    def __init__(self, build_dir, pipe_dir, *extra, descriptor_limit=None):
        def limit_descriptors():
            resource.setrlimit(resource.RLIMIT_NOFILE, (descriptor_limit, descriptor_limit))

        # preexec_fn only when asked for: it runs Python between fork and exec, which threads make risky.
        self.process = subprocess.Popen(
            [find_program(build_dir, "statvent-web"), "--port", "0", "--ip", "127.0.0.1", "--pipe-dir", pipe_dir, *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=limit_descriptors if descriptor_limit else None)
        self.pid = self.process.pid
        announcement = re.compile(rb"serving http://127\.0\.0\.1:(\d+)/")
        deadline = time.monotonic() + 20
        line = b""
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            match = announcement.search(line)
            if match:
                self.port = int(match.group(1))
                break
            if not line and self.process.poll() is not None:
                break
        else:
            self.stop()
            raise RuntimeError("statvent-web did not announce its port")
        if not hasattr(self, "port"):
            raise RuntimeError(f"statvent-web did not start: {line!r}")
        self.log = Drain(self.process.stderr)

    def get(self, path, timeout=10):
        """(status, body bytes, seconds); status 0 when the connection failed."""
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            return response.status, body, time.monotonic() - started
        except (OSError, http.client.HTTPException) as error:
            return 0, str(error).encode(), time.monotonic() - started
        finally:
            connection.close()

    def get_json(self, path, timeout=10):
        status, body, seconds = self.get(path, timeout)
        try:
            document = json.loads(body) if status == 200 else None
        except ValueError:
            document = None
        return status, document, seconds

    def rss_kib(self):
        return rss_kib(self.pid)

    def fd_count(self):
        return fd_count(self.pid)

    def stop(self):
        """Stops the service (SIGTERM first) and returns its exit status."""
        return stop_process(self.process)


class Writer:
    """A Statvent application (autotests/webservice-writers' webservice-testwriter) whose
    statistics are known: each --stat NAME=VALUE is set once, and the pipe then serves them."""

    def __init__(self, build_dir, pipe_dir, stats=(), extra=(), wait=True):
        arguments = [find_program(build_dir, "webservice-testwriter"), "--pipe-dir", pipe_dir]
        for name, value in stats:
            arguments += ["--stat", f"{name}={value}"]
        self.process = subprocess.Popen(arguments + list(extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.pid = self.process.pid
        self.pipe = os.path.join(pipe_dir, f"{self.pid}.stats")
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout=20):
        line = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if line.startswith(b"ready "):
                return
            if not line:
                break
        raise RuntimeError(f"writer {self.pid} did not get ready: {line!r} {self.process.stderr.read()!r}")

    def signal(self, number):
        if self.process.poll() is None:
            os.kill(self.pid, number)

    def alive(self):
        return self.process.poll() is None

    def stop(self):
        stop_process(self.process)


def stop_process(process):
    """SIGTERM, then SIGKILL; a stopped process is continued so that it can die. Returns the
    exit status (negative: the signal that ended it)."""
    if process.poll() is None:
        for number in (signal.SIGCONT, signal.SIGTERM):
            try:
                os.kill(process.pid, number)
            except ProcessLookupError:
                pass
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def status_kib(pid, field):
    """A figure in KiB from /proc/<pid>/status, such as VmRSS or VmHWM; 0 if it is not there."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def rss_kib(pid):
    return status_kib(pid, "VmRSS")


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def wait_until(condition, timeout, interval=0.02):
    """Polls condition() until it holds or timeout seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)

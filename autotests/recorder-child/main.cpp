// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// Serves N statistics through the global recorder, then either runs until killed or returns
// from main after a delay (to prove that a normal exit removes the pipe).
//
//   statvent-recorder-child --pipe-dir DIR [--stats N] [--exit-after MS] [--max-fds N]
//                           [--kind set-then-incr|incr-negative|count|window] [--name NAME]
// Prints "ready <pipe path>" once the pipe is published. With --max-fds, runs with that soft
// descriptor limit (as `ulimit -n` would set it). While it runs, it opens a file every 100 ms,
// as an application does, and prints "cannot open a file: <reason>" when that fails.
// With --kind, it also makes the statistic NAME ("kind.x" unless --name says otherwise) the way
// named (set 0 then incr, incr by -1, incr by 2 three times, or the window "NAME.{0}" of the
// samples 1 to 100).

#include <statvent/statvent.h>

#include <QByteArray>
#include <QString>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    QString pipeDir;
    int stats = 10;
    int exitAfterMs = -1;
    int maxFds = -1;
    QByteArray kind;
    QByteArray name = "kind.x";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--pipe-dir"))
            pipeDir = QString::fromLocal8Bit(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--stats"))
            stats = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--exit-after"))
            exitAfterMs = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--max-fds"))
            maxFds = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--kind"))
            kind = argv[i + 1];
        else if (!std::strcmp(argv[i], "--name"))
            name = argv[i + 1];
    }
    if (maxFds > 0) {
        rlimit limit;
        ::getrlimit(RLIMIT_NOFILE, &limit);
        limit.rlim_cur = rlim_t(maxFds);
        if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
            return 2;
    }
    if (!pipeDir.isEmpty())
        Statvent::setPipeDir(pipeDir);
    for (int i = 0; i < stats; ++i)
        Statvent::set(QByteArray("child.stat.") + QByteArray::number(i), i);
    if (kind == "set-then-incr") {
        Statvent::set(name, 0);
        Statvent::incr(name);
    } else if (kind == "incr-negative") {
        Statvent::incr(name, -1);
    } else if (kind == "count") {
        for (int i = 0; i < 3; ++i)
            Statvent::incr(name, 2);
    } else if (kind == "window") {
        const QByteArray window = name + ".{0}";
        for (int sample = 1; sample <= 100; ++sample)
            Statvent::record(window, sample);
    } else if (!kind.isEmpty()) {
        return 2;
    }
    if (!Statvent::startRecorder())
        return 1;
    std::printf("ready %s\n", qPrintable(Statvent::pipePath()));
    std::fflush(stdout);
    if (exitAfterMs >= 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(exitAfterMs));
        return 0; // no QCoreApplication: the std::atexit handler must remove the pipe
    }
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            std::printf("cannot open a file: %s\n", std::strerror(errno));
            std::fflush(stdout);
        } else {
            ::close(fd);
        }
    }
}

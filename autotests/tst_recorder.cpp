// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// The recorder's contract (issue 9), with real FIFOs in temporary directories, real readers
// (`cat`, `head` and raw open/read) and real child processes.

#include <statvent/pipedirectory.h>
#include <statvent/pipeformat.h>
#include <statvent/recorder.h>
#include <statvent/snapshotformat.h>
#include <statvent/statregistry.h>

#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstring>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/fanotify.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace Statvent;

namespace {

struct PipeRead
{
    QByteArray data;
    int openError = 0; // errno of a failed open
    bool timedOut = false;
};

// Reads a pipe the way a careful reader does: never blocks past the deadline. With
// stopAfter >= 0 it hangs up as soon as it has that many bytes.
PipeRead readPipe(const QString &path, int timeoutMs = 5000, qsizetype stopAfter = -1)
{
    PipeRead result;
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        result.openError = errno;
        return result;
    }
    const QDeadlineTimer deadline(timeoutMs);
    char buffer[65536];
    for (;;) {
        pollfd polled{fd, POLLIN, 0};
        if (::poll(&polled, 1, int(deadline.remainingTime())) == 0) {
            result.timedOut = true;
            break;
        }
        const size_t wanted = stopAfter >= 0
            ? size_t(std::min<qsizetype>(sizeof buffer, stopAfter - result.data.size()))
            : sizeof buffer;
        const ssize_t n = ::read(fd, buffer, wanted);
        if (n > 0) {
            result.data.append(buffer, n);
            if (stopAfter >= 0 && result.data.size() >= stopAfter)
                break;
        } else if (n == 0 || errno != EAGAIN) {
            break;
        }
    }
    ::close(fd);
    return result;
}

/*!
 * Reads the pipes at \a paths together, as statvent-web does (non-blocking opens, one poll()
 * loop), at most 256 at a time so that a 1024-descriptor limit is enough; what each gave.
 */
std::vector<QByteArray> readPipesTogether(const std::vector<QByteArray> &paths,
                                          int timeoutMs = 30000)
{
    constexpr size_t Batch = 256;
    std::vector<QByteArray> texts(paths.size());
    const QDeadlineTimer deadline(timeoutMs);
    for (size_t first = 0; first < paths.size(); first += Batch) {
        std::vector<pollfd> polled;
        std::vector<size_t> index;
        for (size_t i = first; i < std::min(paths.size(), first + Batch); ++i) {
            const int fd = ::open(paths[i].constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
            if (fd >= 0) {
                polled.push_back({fd, POLLIN, 0});
                index.push_back(i);
            }
        }
        size_t open = polled.size();
        char buffer[65536];
        while (open > 0
               && ::poll(polled.data(), polled.size(), int(deadline.remainingTime())) > 0) {
            for (size_t k = 0; k < polled.size(); ++k) {
                if (polled[k].fd < 0 || !polled[k].revents)
                    continue;
                const ssize_t n = ::read(polled[k].fd, buffer, sizeof buffer);
                if (n > 0) {
                    texts[index[k]].append(buffer, n);
                } else if (n == 0 || errno != EAGAIN) {
                    ::close(polled[k].fd);
                    polled[k].fd = -1;
                    --open;
                }
            }
        }
        for (const pollfd &entry : polled) {
            if (entry.fd >= 0)
                ::close(entry.fd);
        }
    }
    return texts;
}

//! Connects to the Unix socket at \a path and reads until end-of-file or the deadline.
PipeRead readSocket(const QString &path, int timeoutMs = 5000)
{
    PipeRead result;
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const QByteArray encoded = QFile::encodeName(path);
    std::memcpy(address.sun_path, encoded.constData(),
                std::min<size_t>(size_t(encoded.size()), sizeof address.sun_path - 1));
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) < 0) {
        result.openError = errno;
        ::close(fd);
        return result;
    }
    const QDeadlineTimer deadline(timeoutMs);
    char buffer[65536];
    for (;;) {
        pollfd polled{fd, POLLIN, 0};
        if (::poll(&polled, 1, int(deadline.remainingTime())) == 0) {
            result.timedOut = true;
            break;
        }
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n > 0)
            result.data.append(buffer, n);
        else if (n == 0 || errno != EINTR)
            break;
    }
    ::close(fd);
    return result;
}

bool isSocket(const QString &path)
{
    struct stat info;
    return ::lstat(QFile::encodeName(path).constData(), &info) == 0 && S_ISSOCK(info.st_mode);
}

bool isFifo(const QString &path)
{
    struct stat info;
    return ::lstat(QFile::encodeName(path).constData(), &info) == 0 && S_ISFIFO(info.st_mode);
}

//! Whether this kernel and \a directory's filesystem let the recorder count a FIFO's readers.
bool readersCanBeCounted(const QString &directory)
{
    const int fd = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_FID | FAN_CLOEXEC, O_RDONLY);
    const bool counted = fd >= 0
        && fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD,
                         QFile::encodeName(directory).constData())
            == 0;
    if (fd >= 0)
        ::close(fd);
    return counted;
}

//! For a forked child: opens \a path, reads to end-of-file, returns the byte count (-1: failed).
qsizetype bytesUntilEndOfFile(const char *path)
{
    const int fd = ::open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    char buffer[65536];
    qsizetype total = 0;
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
        total += n;
    ::close(fd);
    return n < 0 ? -1 : total;
}

QString childProgram()
{
    return QStringLiteral(STATVENT_RECORDER_CHILD);
}

//! Sets \a count statistics named \a prefix followed by their number, each to its number.
void setNumberedStats(StatRegistry &registry, const QByteArray &prefix, int count)
{
    for (int i = 0; i < count; ++i)
        registry.set(prefix + QByteArray::number(i), i);
}

/*!
 * A second name for the FIFO at \a pipePath, as it is now: a reader that opens it later reaches
 * that FIFO after the recorder has swapped in the next, as if its open() had begun before the
 * swap. Returns the link's path, empty if it cannot be made.
 */
QByteArray hardLinkToFifo(const QString &pipePath, const QString &linkPath)
{
    const QByteArray link = QFile::encodeName(linkPath);
    ::unlink(link.constData());
    return ::link(QFile::encodeName(pipePath).constData(), link.constData()) == 0 ? link
                                                                                  : QByteArray();
}

//! The pipe text of a statvent-recorder-child started with `--stats count`.
QByteArray childSnapshot(int count)
{
    StatRegistry registry;
    setNumberedStats(registry, "child.stat.", count);
    return registry.snapshotText();
}

QString pipePathOf(const QString &directory, qint64 pid)
{
    return directory + u'/' + QFile::decodeName(PipeDirectory::pipeName(pid));
}

//! How many recorder processes the scale test starts: fewer under sanitizers, which cost memory.
int manyRecorders()
{
    bool ok = false;
    const int fromEnvironment = qEnvironmentVariableIntValue("STATVENT_TEST_RECORDERS", &ok);
    if (ok && fromEnvironment > 0)
        return fromEnvironment;
#ifdef STATVENT_SANITIZED_BUILD
    return 100;
#else
    return 1000;
#endif
}

//! A line of /proc/<pid>/<file> such as "Pss:  123 kB", as a number; -1 if missing.
qint64 procNumber(pid_t pid, const char *file, const QByteArray &key)
{
    QFile status(QStringLiteral("/proc/%1/").arg(pid) + QLatin1StringView(file));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(QByteArray(key + ':')))
            return line.sliced(key.size() + 1).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

int descriptorCount(pid_t pid)
{
    return int(QDir(QStringLiteral("/proc/%1/fd").arg(pid))
                   .entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot)
                   .size());
}

//! Processes started with posix_spawn(); killed and reaped when this goes out of scope.
class ChildProcesses
{
public:
    ChildProcesses() = default;
    ChildProcesses(const ChildProcesses &) = delete;
    ChildProcesses &operator=(const ChildProcesses &) = delete;
    ~ChildProcesses()
    {
        for (pid_t pid : m_pids)
            ::kill(pid, SIGKILL);
        for (pid_t pid : m_pids)
            ::waitpid(pid, nullptr, 0);
    }

    //! Starts \a arguments (the program first) with stdout and stderr on \a outputFd; 0 if it fails.
    pid_t spawn(const QStringList &arguments, int outputFd)
    {
        std::vector<QByteArray> encoded;
        for (const QString &argument : arguments)
            encoded.push_back(QFile::encodeName(argument));
        std::vector<char *> argv;
        for (QByteArray &argument : encoded)
            argv.push_back(argument.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&actions, outputFd, 1);
        posix_spawn_file_actions_adddup2(&actions, outputFd, 2);
        posix_spawn_file_actions_addclosefrom_np(&actions, 3);
        pid_t pid = 0;
        const int error = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (error != 0)
            return 0;
        m_pids.push_back(pid);
        return pid;
    }

    const std::vector<pid_t> &pids() const { return m_pids; }

    //! How many have exited so far (reaping them).
    int exited()
    {
        for (pid_t pid : m_pids) {
            int status;
            if (::waitpid(pid, &status, WNOHANG) == pid)
                m_exited.push_back(pid);
        }
        return int(m_exited.size());
    }

private:
    std::vector<pid_t> m_pids;
    std::vector<pid_t> m_exited;
};

} // namespace

class RecorderTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_pipeDir = m_dir.path() + QStringLiteral("/pipes-") + QString::number(++m_round);
    }

    void startCreatesDirectoryAndPipe()
    {
        StatRegistry registry;
        Recorder recorder(&registry);
        QSignalSpy running(&recorder, &Recorder::runningChanged);
        recorder.setPipeDir(m_pipeDir);
        const mode_t oldMask = ::umask(022);
        QVERIFY(recorder.start());
        ::umask(oldMask);

        QCOMPARE(recorder.pipePath(),
                 m_pipeDir + u'/' + QString::number(::getpid()) + QStringLiteral(".stats"));
        QVERIFY(isFifo(recorder.pipePath()));
        struct stat info;
        QCOMPARE(::stat(QFile::encodeName(m_pipeDir).constData(), &info), 0);
        QCOMPARE(info.st_mode & 07777, mode_t(0755));
        QCOMPARE(running.count(), 1);
        QVERIFY(recorder.start()); // a second start does nothing
        QCOMPARE(running.count(), 1);

        recorder.stop();
        QVERIFY(!QFileInfo::exists(recorder.pipePath()));
        QCOMPARE(running.count(), 2);
        QCOMPARE(QDir(m_pipeDir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System
                                           | QDir::NoDotAndDotDot),
                 QStringList());
    }

    void defaultPipeDirFollowsEnvironment()
    {
        qputenv("STATVENT_PIPE_DIR", "/somewhere/else");
        QCOMPARE(Recorder::defaultPipeDir(), QStringLiteral("/somewhere/else"));
        qputenv("STATVENT_PIPE_DIR", "");
        QCOMPARE(Recorder::defaultPipeDir(), QStringLiteral("/tmp/stats-pipe"));
        qunsetenv("STATVENT_PIPE_DIR");
        QCOMPARE(Recorder::defaultPipeDir(), QStringLiteral("/tmp/stats-pipe"));
    }

    void eachReaderGetsOneCompleteSnapshot()
    {
        StatRegistry registry;
        registry.incr("requests", 41);
        registry.set("temperature", 21.5);
        for (int i = 1; i <= 100; ++i)
            registry.record("latency.{0}", i);
        Recorder recorder(&registry);
        recorder.setPipeDir(m_pipeDir);
        QVERIFY(recorder.start());

        for (int round = 0; round < 5; ++round) {
            registry.incr("requests");
            const PipeRead read = readPipe(recorder.pipePath());
            QVERIFY(!read.timedOut);
            QCOMPARE(read.openError, 0);
            const PipeFormat::ParseResult parsed = PipeFormat::parse(read.data);
            QCOMPARE(parsed.rejectedLines, 0);
            QCOMPARE(parsed.stats, registry.snapshot()); // exactly one snapshot, the current one
        }
    }

    void snapshotLargerThanThePipeBufferArrivesWhole()
    {
        StatRegistry registry;
        for (int i = 0; i < 50000; ++i)
            registry.set(QByteArray("service.endpoint.") + QByteArray::number(i) + ".requests", i);
        Recorder recorder(&registry);
        recorder.setPipeDir(m_pipeDir);
        QVERIFY(recorder.start());

        const QByteArray expected = registry.snapshotText();
        QVERIFY(expected.size()
                > 1024 * 1024); // more than the largest pipe buffer a process may ask for
        // A slow reader too: `cat` through a pipe into a file.
        QProcess cat;
        cat.setStandardOutputFile(m_dir.filePath(QStringLiteral("large.out")));
        cat.start(QStringLiteral("cat"), {recorder.pipePath()});
        QVERIFY(cat.waitForFinished(10000));
        QFile out(m_dir.filePath(QStringLiteral("large.out")));
        QVERIFY(out.open(QIODevice::ReadOnly));
        QCOMPARE(out.readAll(), expected);
        QCOMPARE(readPipe(recorder.pipePath()).data, expected);
    }

    void readersSharingAFifoGetNothing()
    {
        if (!readersCanBeCounted(m_dir.path()))
            QSKIP("fanotify cannot count openers here (Linux < 5.13 or no file handles): a shared "
                  "FIFO goes undetected");
        StatRegistry registry;
        // A snapshot that takes tens of milliseconds: time for both readers to open the FIFO.
        setNumberedStats(registry, "shared.stat.", 200000);
        Recorder recorder(&registry);
        recorder.setPipeDir(m_pipeDir);
        QVERIFY(recorder.start());
        // Two readers whose opens land before the recorder swaps in the next FIFO share this one.
        // A hard link stands for the path as it was before the swap, so both reliably get there.
        const QByteArray sharedPath =
            hardLinkToFifo(recorder.pipePath(), m_pipeDir + QStringLiteral("/shared-fifo"));
        QVERIFY(!sharedPath.isEmpty());

        // Two processes: the recorder does not count this one's own opens as readers.
        int go[2];
        QCOMPARE(::pipe(go), 0);
        pid_t readers[2];
        for (pid_t &reader : readers) {
            reader = ::fork();
            QVERIFY(reader >= 0);
            if (reader == 0) {
                ::alarm(10); // never outlive a broken recorder
                // The fork copied this process's descriptors, the recorder's FIFOs among them: a
                // copy of its write end would keep both readers from ever seeing end-of-file.
                ::close_range(3, unsigned(go[0]) - 1, 0);
                ::close_range(unsigned(go[0]) + 1, ~0U, 0);
                char byte;
                if (::read(go[0], &byte, 1) != 1)
                    ::_exit(2);
                ::_exit(bytesUntilEndOfFile(sharedPath.constData()) == 0 ? 0 : 1);
            }
        }
        ::close(go[0]);
        QCOMPARE(::write(go[1], "!!", 2), 2);
        ::close(go[1]);

        // Neither got a part of the snapshot; each saw end-of-file at once and may read again.
        for (pid_t reader : readers) {
            int status = 0;
            QCOMPARE(::waitpid(reader, &status, 0), reader);
            QVERIFY(WIFEXITED(status));
            QCOMPARE(WEXITSTATUS(status), 0);
        }
        QCOMPARE(readPipe(recorder.pipePath()).data, registry.snapshotText());
        ::unlink(sharedPath.constData());
    }

    // A reader that opens a FIFO after the recorder counted its readers (as one held off the CPU
    // inside open() does) shares the snapshot with the first: the recorder says so when the
    // delivery ends. A hard link reaches the FIFO after the swap, at a moment the test chooses.
    void lateReaderOfAServedFifoIsReported()
    {
        if (!readersCanBeCounted(m_dir.path()))
            QSKIP("fanotify cannot count openers here (Linux < 5.13 or no file handles)");
        StatRegistry registry;
        // 6 MB: more than the pipe holds, so the delivery lasts until the readers have read.
        setNumberedStats(registry, "late.stat.", 200000);
        Recorder recorder(&registry);
        recorder.setPipeDir(m_pipeDir);
        QVERIFY(recorder.start());
        const QByteArray sharedPath =
            hardLinkToFifo(recorder.pipePath(), m_pipeDir + QStringLiteral("/late-fifo"));
        QVERIFY(!sharedPath.isEmpty());
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral(
                                 "^2 readers opened the pipe before its snapshot ended: each got a "
                                 "part of it")));

        int toParent[2];
        int goOn[2];
        QCOMPARE(::pipe(toParent), 0);
        QCOMPARE(::pipe(goOn), 0);
        // For a forked child: only its own ends stay open (a copy of the recorder's write end
        // would keep it from ever seeing end-of-file). No allocation after fork().
        const auto keepOnly = [](int one, int other) {
            const unsigned low = unsigned(std::min(one, other));
            const unsigned high = unsigned(std::max(one, other));
            ::close_range(3, low - 1, 0); // an empty range is refused, which is harmless
            ::close_range(low + 1, high - 1, 0);
            ::close_range(high + 1, ~0U, 0);
        };
        const pid_t first = ::fork();
        QVERIFY(first >= 0);
        if (first == 0) {
            ::alarm(10);
            keepOnly(toParent[1], goOn[0]);
            const int fd = ::open(sharedPath.constData(), O_RDONLY);
            char byte;
            if (fd < 0 || ::read(fd, &byte, 1) != 1 || ::write(toParent[1], "1", 1) != 1
                || ::read(goOn[0], &byte, 1) != 1)
                ::_exit(2);
            char buffer[65536];
            while (::read(fd, buffer, sizeof buffer) > 0) {
            }
            ::_exit(0);
        }
        char byte;
        QCOMPARE(::read(toParent[0], &byte, 1), 1); // the first is being served
        const pid_t late = ::fork();
        QVERIFY(late >= 0);
        if (late == 0) {
            ::alarm(10);
            keepOnly(toParent[1], toParent[1]);
            const int fd = ::open(sharedPath.constData(), O_RDONLY);
            if (fd < 0 || ::write(toParent[1], "2", 1) != 1)
                ::_exit(2);
            char buffer[65536];
            while (::read(fd, buffer, sizeof buffer) > 0) {
            }
            ::_exit(0);
        }
        QCOMPARE(::read(toParent[0], &byte, 1), 1); // the late one has opened the FIFO
        QCOMPARE(::write(goOn[1], "!", 1), 1);
        for (int fd : {toParent[0], toParent[1], goOn[0], goOn[1]})
            ::close(fd);
        for (pid_t reader : {first, late}) {
            int status = 0;
            QCOMPARE(::waitpid(reader, &status, 0), reader);
            QVERIFY(WIFEXITED(status));
            QCOMPARE(WEXITSTATUS(status), 0);
        }
        // Said before either reader saw the end of file; and the next reader is served whole.
        QCOMPARE(readPipe(recorder.pipePath()).data, registry.snapshotText());
        ::unlink(sharedPath.constData());
    }

    void pipeIsNeverMissingForAPollingReader()
    {
        StatRegistry registry;
        registry.set("x", 1);
        Recorder recorder(&registry);
        recorder.setPipeDir(m_pipeDir);
        QVERIFY(recorder.start());
        for (int i = 0; i < 1000; ++i) {
            const PipeRead read = readPipe(recorder.pipePath(), 2000);
            QCOMPARE(read.openError, 0); // never ENOENT: the next FIFO is renamed over the old one
            QVERIFY(!read.timedOut); // never left waiting
            QCOMPARE(read.data, QByteArray("x: 1\n"));
        }
    }

    void idleRecorderSpendsNothing()
    {
        StatRegistry registry;
        registry.set("x", 1);
        Recorder recorder(&registry);
        recorder.setPipeDir(m_pipeDir);
        QVERIFY(recorder.start());
        rusage before, after;
        ::getrusage(RUSAGE_SELF, &before);
        QTest::qWait(500); // nothing happens; the recorder threads must sleep in the kernel
        ::getrusage(RUSAGE_SELF, &after);
        const auto micros = [](const rusage &usage) {
            return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000LL
                + usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
        };
        QVERIFY2(micros(after) - micros(before) < 20000,
                 "the process used CPU while nobody read its pipe");
    }

    void readerHangingUpEarlyHarmsNothing_data()
    {
        QTest::addColumn<int>("statCount");
        QTest::newRow("fits the pipe buffer") << 100;
        QTest::newRow("larger than any pipe buffer") << 100000;
    }

    void readerHangingUpEarlyHarmsNothing()
    {
        QFETCH(int, statCount);
        // The default disposition, so that a SIGPIPE reaching the process would kill it.
        struct sigaction defaultAction = {};
        defaultAction.sa_handler = SIG_DFL;
        struct sigaction inherited;
        QCOMPARE(::sigaction(SIGPIPE, &defaultAction, &inherited), 0);
        const auto restore = qScopeGuard([&] { ::sigaction(SIGPIPE, &inherited, nullptr); });

        StatRegistry registry;
        setNumberedStats(registry, "stat.", statCount);
        Recorder recorder(&registry);
        recorder.setPipeDir(m_pipeDir);
        QVERIFY(recorder.start());

        for (int i = 0; i < 20; ++i)
            QCOMPARE(readPipe(recorder.pipePath(), 5000, 1).data.size(), 1);
        // A reader process that dies after a few bytes.
        QProcess head;
        head.start(QStringLiteral("head"),
                   {QStringLiteral("-c"), QStringLiteral("10"), recorder.pipePath()});
        QVERIFY(head.waitForFinished(5000));
        QCOMPARE(head.readAllStandardOutput().size(), 10);

        QVERIFY(recorder.isRunning());
        QCOMPARE(readPipe(recorder.pipePath()).data, registry.snapshotText());
        struct sigaction after;
        QCOMPARE(::sigaction(SIGPIPE, nullptr, &after), 0);
        QVERIFY(after.sa_handler == SIG_DFL); // the application's disposition is left alone
    }

    void statisticsCreatedDuringReadsNeverBreakThem()
    {
        StatRegistry registry;
        Recorder recorder(&registry);
        recorder.setPipeDir(m_pipeDir);
        QVERIFY(recorder.start());

        std::atomic<bool> stop{false};
        std::vector<std::thread> creators;
        const auto joinCreators = qScopeGuard([&] {
            stop = true;
            for (std::thread &creator : creators)
                creator.join();
        });
        for (int t = 0; t < 3; ++t) {
            creators.emplace_back([&registry, &stop, t] {
                // Bounded, so that snapshots stay small enough to read quickly under sanitizers.
                for (int i = 0; !stop && i < 20000; ++i) {
                    const QByteArray name =
                        "fresh." + QByteArray::number(t) + '.' + QByteArray::number(i);
                    registry.incr(name);
                    registry.record(name + ".{0}", i);
                }
            });
        }
        QTRY_VERIFY(registry.statCount() > 0); // an empty registry's snapshot is empty text
        qsizetype previousCount = 0;
        for (int i = 0; i < 100; ++i) {
            const PipeRead read = readPipe(recorder.pipePath());
            QVERIFY(!read.timedOut);
            QVERIFY(read.data.endsWith('\n'));
            const PipeFormat::ParseResult parsed = PipeFormat::parse(read.data);
            QCOMPARE(parsed.rejectedLines, 0);
            QVERIFY(parsed.stats.size() >= previousCount);
            previousCount = parsed.stats.size();
        }
        QVERIFY(recorder.isRunning());
        QVERIFY(previousCount > 0);
    }

    void stopIsPromptAndRemovesThePipe()
    {
        StatRegistry registry;
        Recorder recorder(&registry);
        recorder.setPipeDir(m_pipeDir);
        QVERIFY(recorder.start());
        const QString path = recorder.pipePath();
        QElapsedTimer timer;
        timer.start();
        QVERIFY(isSocket(recorder.socketPath()));
        recorder.stop(); // nobody ever read
        QVERIFY2(timer.elapsed() < 100,
                 qPrintable(QString::number(timer.elapsed()) + QStringLiteral(" ms")));
        QVERIFY(!QFileInfo::exists(path));
        QVERIFY(!QFileInfo::exists(recorder.socketPath()));
        QVERIFY(!recorder.isRunning());
    }

    void childProcessRemovesItsPipe_data()
    {
        QTest::addColumn<QStringList>("extraArguments");
        QTest::addColumn<bool>("terminate");
        QTest::newRow("returns from main")
            << QStringList{QStringLiteral("--exit-after"), QStringLiteral("200")} << false;
        QTest::newRow("killed by SIGTERM (example program)") << QStringList() << true;
    }

    void childProcessRemovesItsPipe()
    {
        QFETCH(QStringList, extraArguments);
        QFETCH(bool, terminate);
        QProcess child;
        if (terminate) {
            if (!QFileInfo::exists(QStringLiteral(STATVENT_BIN_DIR "/statvent-example")))
                QSKIP("built without the examples (STATVENT_BUILD_EXAMPLES=OFF)");
            child.start(QStringLiteral(STATVENT_BIN_DIR "/statvent-example"),
                        {QStringLiteral("--pipe-dir"), m_pipeDir, QStringLiteral("--interval"),
                         QStringLiteral("10")});
        } else {
            child.start(childProgram(),
                        QStringList{QStringLiteral("--pipe-dir"), m_pipeDir} + extraArguments);
        }
        QVERIFY(child.waitForStarted());
        const QString path =
            m_pipeDir + u'/' + QString::number(child.processId()) + QStringLiteral(".stats");
        const QString socketPath =
            m_pipeDir + u'/' + QFile::decodeName(PipeDirectory::socketName(child.processId()));
        QTRY_VERIFY(isFifo(path));
        // The example starts its recorder before it records anything: its first snapshots may
        // be empty, and each read is a new one.
        QTRY_VERIFY(!readPipe(path).data.isEmpty());
        QVERIFY(!readSocket(socketPath).data.isEmpty());
        if (terminate)
            child.terminate();
        QVERIFY(child.waitForFinished(5000));
        QCOMPARE(child.exitStatus(), QProcess::NormalExit);
        QCOMPARE(child.exitCode(), 0);
        QVERIFY(!QFileInfo::exists(path));
        QVERIFY(!QFileInfo::exists(socketPath));
    }

    void deletedPipeIsRecreated()
    {
        StatRegistry registry;
        registry.set("x", 1);
        Recorder recorder(&registry);
        recorder.setPipeDir(m_pipeDir);
        QVERIFY(recorder.start());
        QVERIFY(QFile::remove(recorder.pipePath()));
        QTRY_VERIFY_WITH_TIMEOUT(isFifo(recorder.pipePath()), 1000);
        QCOMPARE(readPipe(recorder.pipePath()).data, QByteArray("x: 1\n"));
        QVERIFY(QFile::remove(recorder.socketPath()));
        QTRY_VERIFY_WITH_TIMEOUT(isSocket(recorder.socketPath()), 1000);
        QCOMPARE(readSocket(recorder.socketPath()).data,
                 SnapshotFormat::serialize(registry.typedSnapshot()));

        // The whole directory removed under the running recorder. Moved away first, as
        // `rm -rf` on a live directory races with the recorder publishing into it again.
        const QString gone = m_pipeDir + QStringLiteral(".removed");
        QVERIFY(QDir().rename(m_pipeDir, gone));
        QTRY_VERIFY(QDir(gone).removeRecursively());
        QTRY_VERIFY_WITH_TIMEOUT(isFifo(recorder.pipePath()), 1000);
        QCOMPARE(readPipe(recorder.pipePath()).data, QByteArray("x: 1\n"));
        QTRY_VERIFY_WITH_TIMEOUT(isSocket(recorder.socketPath()), 2000);
        QCOMPARE(readSocket(recorder.socketPath()).data,
                 SnapshotFormat::serialize(registry.typedSnapshot()));
    }

    void socketAcceptsConnectionsFromTheInstantItAppears()
    {
        // A reader that polls for <pid>.sock connects the moment the name exists: the socket
        // must already be listening then (a name bound but not yet listening refuses).
        StatRegistry registry;
        registry.set("x", 1);
        Recorder recorder(&registry);
        recorder.setPipeDir(m_pipeDir);
        QVERIFY(recorder.start());
        const QByteArray path = QFile::encodeName(recorder.socketPath());
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        QVERIFY(size_t(path.size()) < sizeof address.sun_path);
        std::memcpy(address.sun_path, path.constData(), size_t(path.size()));
        constexpr int Recreations = 100;
        int refused = 0;
        for (int i = 0; i < Recreations; ++i) {
            QVERIFY(::unlink(path.constData()) == 0);
            const QDeadlineTimer deadline(2000);
            int error = ENOENT;
            while (error == ENOENT && !deadline.hasExpired()) {
                const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                error =
                    ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0
                    ? 0
                    : errno;
                ::close(fd);
            }
            QVERIFY2(error != ENOENT, "the socket was not recreated within 2 s");
            if (error == ECONNREFUSED)
                ++refused;
            else
                QCOMPARE(error, 0);
            QTRY_VERIFY(isSocket(recorder.socketPath()));
        }
        QCOMPARE(refused, 0);
        QCOMPARE(readSocket(recorder.socketPath()).data,
                 SnapshotFormat::serialize(registry.typedSnapshot()));
    }

    void refusesToWriteThroughAnythingButItsOwnFifo_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("symlink to a user's file") << QStringLiteral("symlink");
        QTest::newRow("regular file") << QStringLiteral("file");
        QTest::newRow("directory") << QStringLiteral("directory");
    }

    void refusesToWriteThroughAnythingButItsOwnFifo()
    {
        QFETCH(QString, kind);
        QVERIFY(QDir().mkpath(m_pipeDir));
        const QString victim = m_dir.filePath(QStringLiteral("precious.txt"));
        QFile file(victim);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("precious\n");
        file.close();

        StatRegistry registry;
        registry.set("x", 1);
        Recorder recorder(&registry);
        recorder.setPipeDir(m_pipeDir);
        const QString path = recorder.pipePath();
        if (kind == QLatin1String("symlink"))
            QVERIFY(QFile::link(victim, path));
        else if (kind == QLatin1String("file"))
            QVERIFY(QFile::copy(victim, path));
        else
            QVERIFY(QDir().mkdir(path));

        // The socket still serves: the recorder can be found (issue 19, item 4).
        QTest::ignoreMessage(
            QtWarningMsg,
            QRegularExpression(QStringLiteral(
                "^refusing to replace .*\\.stats: it is a .* - serving through .*\\.sock only")));
        QVERIFY(recorder.start());
        QVERIFY(!isFifo(path));
        QCOMPARE(readSocket(recorder.socketPath()).data,
                 SnapshotFormat::serialize(registry.typedSnapshot()));
        recorder.stop();
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("precious\n"));
        file.close();
        QVERIFY(!isFifo(path));

        // Both names taken: nothing to serve through.
        if (kind == QLatin1String("symlink"))
            QVERIFY(QFile::link(victim, recorder.socketPath()));
        else if (kind == QLatin1String("file"))
            QVERIFY(QFile::copy(victim, recorder.socketPath()));
        else
            QVERIFY(QDir().mkdir(recorder.socketPath()));
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral(
                                 "^not serving statistics: refusing to replace .*\\.stats: it is a "
                                 ".*; refusing to replace .*\\.sock: it is a ")));
        QVERIFY(!recorder.start());
        QVERIFY(!recorder.isRunning());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("precious\n"));
    }

    // Issue 19, item 4: in a shared directory (mode 3775, DEPLOYMENT.md), another user takes the
    // FIFO's name first. The recorder says so and is still found, through its socket.
    void squattedPipeNameStillServesThroughTheSocket()
    {
        if (::geteuid() != 0)
            QSKIP(
                "needs root, to let another user (nobody, through setpriv) squat the pipe's name");
        if (QStandardPaths::findExecutable(QStringLiteral("setpriv")).isEmpty())
            QSKIP("setpriv (util-linux) is not installed");
        constexpr uid_t Nobody = 65534;
        constexpr gid_t SharedGroup = 65534;
        QVERIFY(QDir().mkpath(m_pipeDir));
        const QByteArray encodedDir = QFile::encodeName(m_pipeDir);
        QCOMPARE(::chmod(QFile::encodeName(m_dir.path()).constData(), 0755), 0);
        QCOMPARE(::chown(encodedDir.constData(), 0, SharedGroup), 0);
        QCOMPARE(::chmod(encodedDir.constData(), 03775), 0);

        StatRegistry registry;
        registry.set("x", 1);
        Recorder recorder(&registry);
        recorder.setPipeDir(m_pipeDir);
        QProcess squatter;
        squatter.start(QStringLiteral("setpriv"),
                       {QStringLiteral("--reuid=%1").arg(Nobody),
                        QStringLiteral("--regid=%1").arg(SharedGroup),
                        QStringLiteral("--clear-groups"), QStringLiteral("mkfifo"),
                        recorder.pipePath()});
        QVERIFY(squatter.waitForFinished(10000));
        QCOMPARE(squatter.exitCode(), 0);

        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral(
                                 "^refusing to replace .*\\.stats: it is a FIFO of another user, "
                                 "not a FIFO made by this user - serving through .*\\.sock only")));
        QVERIFY(recorder.start());
        QCOMPARE(readSocket(recorder.socketPath()).data,
                 SnapshotFormat::serialize(registry.typedSnapshot()));
        struct stat info;
        QCOMPARE(::lstat(QFile::encodeName(recorder.pipePath()).constData(), &info), 0);
        QCOMPARE(info.st_uid, Nobody); // the squatter's FIFO is left alone
        QCOMPARE(::lstat(QFile::encodeName(recorder.socketPath()).constData(), &info), 0);
        QCOMPARE(info.st_uid, ::geteuid());
        QCOMPARE(info.st_gid, SharedGroup); // the setgid directory's group, as for the FIFO
    }

    void refusesToReplaceAnythingButItsOwnSocket_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("symlink to a user's file") << QStringLiteral("symlink");
        QTest::newRow("regular file") << QStringLiteral("file");
    }

    // Issue 15, item 2: the socket follows the FIFO's rules, and the FIFO serves on.
    void refusesToReplaceAnythingButItsOwnSocket()
    {
        QFETCH(QString, kind);
        QVERIFY(QDir().mkpath(m_pipeDir));
        const QString victim = m_dir.filePath(QStringLiteral("precious-socket.txt"));
        QFile file(victim);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("precious\n");
        file.close();

        StatRegistry registry;
        registry.set("x", 1);
        Recorder recorder(&registry);
        recorder.setPipeDir(m_pipeDir);
        const QString path = recorder.socketPath();
        if (kind == QLatin1String("symlink"))
            QVERIFY(QFile::link(victim, path));
        else
            QVERIFY(QFile::copy(victim, path));

        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral(
                                 "^refusing to replace .*\\.sock: it is a .*, not a socket made by "
                                 "this user - serving through .*\\.stats only")));
        QVERIFY(recorder.start());
        QCOMPARE(readPipe(recorder.pipePath()).data, QByteArray("x: 1\n"));
        QVERIFY(!isSocket(path));
        recorder.stop();
        QVERIFY(QFileInfo::exists(path) || QFileInfo(path).isSymLink()); // left where it was
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("precious\n"));
    }

    // Issue 15, item 2: each connection gets a whole snapshot of its own, never an empty one,
    // however many connect at once, while `cat` loops share the FIFO.
    void concurrentSocketReadersEachGetAWholeSnapshot()
    {
        StatRegistry registry;
        setNumberedStats(registry, "socket.stat.", 2000);
        Recorder recorder(&registry);
        recorder.setPipeDir(m_pipeDir);
        QVERIFY(recorder.start());
        const QByteArray expected = registry.snapshotText();
        const QByteArray expectedTyped = SnapshotFormat::serialize(registry.typedSnapshot());

        const QTemporaryDir outputDir;
        QVERIFY(outputDir.isValid());
        const QString loop = QStringLiteral("end=$(( $(date +%s) + 10 )); i=0; "
                                            "while [ $(date +%s) -lt $end ]; do timeout 5 cat "
                                            "\"$1\" > \"$2/$3.$i\"; i=$((i+1)); done");
        std::vector<std::unique_ptr<QProcess>> cats;
        for (int n = 0; n < 4; ++n) {
            cats.push_back(std::make_unique<QProcess>());
            cats.back()->start(QStringLiteral("sh"),
                               {QStringLiteral("-c"), loop, QStringLiteral("sh"),
                                recorder.pipePath(), outputDir.path(), QString::number(n)});
        }

        struct Counts
        {
            int complete = 0;
            int empty = 0;
            int wrong = 0;
        };
        std::vector<Counts> counts(8);
        std::vector<std::thread> readers;
        const QString socketPath = recorder.socketPath();
        QVERIFY(SnapshotFormat::parse(expectedTyped).complete); // so each read equal to it is
        QDeadlineTimer end(10000);
        for (Counts &count : counts) {
            readers.emplace_back([&count, &expectedTyped, &socketPath, end] {
                while (!end.hasExpired()) {
                    const PipeRead read = readSocket(socketPath);
                    if (read.data.isEmpty())
                        ++count.empty;
                    else if (read.data == expectedTyped)
                        ++count.complete;
                    else
                        ++count.wrong;
                }
            });
        }
        for (std::thread &reader : readers)
            reader.join();
        for (auto &process : cats)
            QVERIFY(process->waitForFinished(30000));

        Counts total;
        for (const Counts &count : counts) {
            total.complete += count.complete;
            total.empty += count.empty;
            total.wrong += count.wrong;
        }
        int catComplete = 0;
        for (const QString &name : QDir(outputDir.path()).entryList(QDir::Files)) {
            QFile out(outputDir.path() + u'/' + name);
            QVERIFY(out.open(QIODevice::ReadOnly));
            catComplete += out.readAll() == expected;
        }
        qInfo("8 socket readers for 10 s: %d complete, %d empty, %d wrong; 4 cat loops meanwhile: "
              "%d complete",
              total.complete, total.empty, total.wrong, catComplete);
        QCOMPARE(total.empty, 0);
        QCOMPARE(total.wrong, 0);
        QVERIFY(total.complete >= 8);
        QVERIFY(catComplete > 0);
    }

    void unusableDirectoryIsReported_data()
    {
        QTest::addColumn<QString>("directory");
        QTest::addColumn<QString>("expected");
        QTest::newRow("below a regular file")
            << QStringLiteral("FILE/pipes") << QStringLiteral("cannot create the pipe directory");
        QTest::newRow("in /proc") << QStringLiteral("/proc/statvent-test-pipes")
                                  << QStringLiteral("cannot create the pipe directory");
    }

    void unusableDirectoryIsReported()
    {
        QFETCH(QString, directory);
        QFETCH(QString, expected);
        const QString file = m_dir.filePath(QStringLiteral("plain-file"));
        QFile(file).open(QIODevice::WriteOnly);
        directory.replace(QStringLiteral("FILE"), file);

        StatRegistry registry;
        Recorder recorder(&registry);
        recorder.setPipeDir(directory);
        QTest::ignoreMessage(
            QtWarningMsg,
            QRegularExpression(QStringLiteral("^not serving statistics: ") + expected));
        QVERIFY(!recorder.start());
        registry.incr("still.works"); // the application carries on
        QCOMPARE(registry.value("still.works"), std::optional<StatValue>(1));
    }

    void manyConcurrentCatLoops_data()
    {
        QTest::addColumn<int>("statCount");
        QTest::newRow("200 stats, 6 KB: one read() takes all") << 200;
        // Larger than cat's 128 KiB reads and the 64 KiB pipe buffer: readers sharing a FIFO
        // would each get a part of it.
        QTest::newRow("20,000 stats, 600 KB") << 20000;
    }

    void manyConcurrentCatLoops()
    {
        QFETCH(int, statCount);
        StatRegistry registry;
        setNumberedStats(registry, "concurrent.stat.", statCount);
        Recorder recorder(&registry);
        recorder.setPipeDir(m_pipeDir);
        QVERIFY(recorder.start());
        const QByteArray expected = registry.snapshotText();
        const QByteArray expectedTyped = SnapshotFormat::serialize(registry.typedSnapshot());

        const QTemporaryDir outputDir;
        QVERIFY(outputDir.isValid());
        const QString outputs = outputDir.path();
        const QString loop = QStringLiteral("end=$(( $(date +%s) + 10 )); i=0; "
                                            "while [ $(date +%s) -lt $end ]; do timeout 5 cat "
                                            "\"$1\" > \"$2/$3.$i\"; i=$((i+1)); done");
        std::vector<std::unique_ptr<QProcess>> loops;
        for (int n = 0; n < 4; ++n) {
            loops.push_back(std::make_unique<QProcess>());
            loops.back()->start(QStringLiteral("sh"),
                                {QStringLiteral("-c"), loop, QStringLiteral("sh"),
                                 recorder.pipePath(), outputs, QString::number(n)});
        }
        for (auto &process : loops)
            QVERIFY(process->waitForFinished(30000));

        int complete = 0;
        int empty = 0;
        QStringList parts;
        qsizetype partBytes = 0;
        const QStringList files = QDir(outputs).entryList(QDir::Files);
        for (const QString &name : files) {
            QFile out(outputs + u'/' + name);
            QVERIFY(out.open(QIODevice::ReadOnly));
            const QByteArray data = out.readAll();
            if (data.isEmpty()) {
                ++empty;
            } else if (data == expected) {
                ++complete;
            } else {
                parts.append(QStringLiteral("%1: %2 bytes, from byte %3")
                                 .arg(name)
                                 .arg(data.size())
                                 .arg(expected.indexOf(data.left(64))));
                partBytes += data.size();
            }
        }
        // A reader held off the CPU inside its open() for longer than the recorder takes to swap
        // FIFOs and render is not counted in time, and shares a FIFO with another reader: the
        // readers of that FIFO each get parts of one snapshot (docs/ARCHITECTURE.md, "Known
        // limits"). Then nothing is lost nor doubled: the parts add up to whole snapshots.
        // Anything else (a cut delivery, two snapshots glued together) is a bug.
        if (!parts.isEmpty())
            qInfo("shared FIFOs: %s", qPrintable(parts.join(QStringLiteral("; "))));
        QCOMPARE(partBytes % expected.size(), 0);
        const qsizetype sharedSnapshots = partBytes / expected.size();
        QVERIFY2(sharedSnapshots * 100 <= complete + empty,
                 "more than 1% of the snapshots were shared: readers are not counted");
        QVERIFY(recorder.isRunning());
        QCOMPARE(readPipe(recorder.pipePath()).data, expected);
        // Readers that open the pipe before the recorder has swapped in the next FIFO share one
        // FIFO; none of them is served, and each reads again (docs/ARCHITECTURE.md). Four loops
        // of nothing but `cat` on two CPUs collide in a few percent of their reads, depending on
        // load; if the swap did not work, most reads would.
        qInfo("%d complete snapshots, %d empty reads from colliding readers", complete, empty);
        QVERIFY(complete > 100);
        QVERIFY2(empty * 4 < complete + empty, "more than 25% of the reads collided");
    }

    // Issue 19, item 1: no per-process kernel object of which a user has only 128 (inotify
    // instances, fanotify groups) is needed; the optional ones degrade with a warning.
    void thousandRecordersOfOneUserAreAllServed()
    {
        const int count = manyRecorders();
        QVERIFY(QDir().mkpath(m_pipeDir));
        const QByteArray log =
            QFile::encodeName(m_dir.filePath(QStringLiteral("children-%1.log").arg(m_round)));
        const int logFd = ::open(log.constData(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        QVERIFY(logFd >= 0);
        ChildProcesses children;
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < count; ++i)
            QVERIFY(children.spawn({childProgram(), QStringLiteral("--pipe-dir"), m_pipeDir,
                                    QStringLiteral("--stats"), QStringLiteral("10")},
                                   logFd)
                    > 0);
        ::close(logFd);
        const auto published = [&] {
            return int(
                std::count_if(children.pids().begin(), children.pids().end(),
                              [this](pid_t pid) { return isFifo(pipePathOf(m_pipeDir, pid)); }));
        };
        // A recorder that cannot publish exits at once (statvent-recorder-child returns 1).
        QTRY_VERIFY_WITH_TIMEOUT(published() == count || children.exited() > 0, 120000);
        QCOMPARE(children.exited(), 0);
        const qint64 startedMs = timer.elapsed();

        timer.restart();
        const QByteArray expected = childSnapshot(10);
        std::vector<QByteArray> paths;
        for (pid_t pid : children.pids())
            paths.push_back(QFile::encodeName(pipePathOf(m_pipeDir, pid)));
        const std::vector<QByteArray> texts = readPipesTogether(paths);
        const int served = int(std::count(texts.begin(), texts.end(), expected));
        const qint64 readMs = timer.elapsed();
        QCOMPARE(served, count);

        qint64 pssKb = 0;
        int mostDescriptors = 0;
        for (pid_t pid : children.pids()) {
            pssKb += procNumber(pid, "smaps_rollup", "Pss");
            mostDescriptors = std::max(mostDescriptors, descriptorCount(pid));
        }
        QFile warnings(QFile::decodeName(log));
        QVERIFY(warnings.open(QIODevice::ReadOnly));
        const QByteArray logged = warnings.readAll();
        qInfo("%d recorders of one user: all published in %lld ms, all read in %lld ms; %lld MB "
              "PSS in all "
              "(%lld kB each), at most %d descriptors each; %lld warnings about inotify, %lld "
              "about fanotify",
              count, startedMs, readMs, pssKb / 1024, pssKb / count, mostDescriptors,
              qint64(logged.count("no inotify instance left")),
              qint64(logged.count("no fanotify group left")));
        QVERIFY2(mostDescriptors <= 16, "a recorder holds more descriptors than it needs");
#ifndef STATVENT_SANITIZED_BUILD // sanitizers' shadow memory would dwarf the recorder's
        QVERIFY2(pssKb / count < 8 * 1024, "a recorder process takes more than 8 MB");
#endif
    }

    // Issue 19, interop: a reader that reads every entry of the directory, as the original
    // statvent's web service does (blocking open, read to end-of-file), never hangs and never
    // gets the statistics of a process twice.
    void readerOfEveryEntryNeverHangsNorCountsTwice()
    {
        StatRegistry registry;
        registry.set("x", 1);
        Recorder recorder(&registry);
        recorder.setPipeDir(m_pipeDir);
        QVERIFY(recorder.start());
        ChildProcesses children;
        const int devNull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
        for (int i = 0; i < 3; ++i)
            QVERIFY(
                children.spawn({childProgram(), QStringLiteral("--pipe-dir"), m_pipeDir}, devNull)
                > 0);
        ::close(devNull);
        for (pid_t pid : children.pids())
            QTRY_VERIFY(isFifo(pipePathOf(m_pipeDir, pid)));
        const int processes = 1 + int(children.pids().size());

        for (int round = 0; round < 20; ++round) {
            // Listed before the fork: the reader only opens and reads, which is safe after fork().
            const QStringList names = QDir(m_pipeDir).entryList(
                QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
            std::vector<QByteArray> paths;
            for (const QString &name : names)
                paths.push_back(QFile::encodeName(m_pipeDir + u'/' + name));
            int results[2];
            QCOMPARE(::pipe(results), 0);
            const pid_t reader = ::fork();
            QVERIFY(reader >= 0);
            if (reader == 0) {
                ::alarm(5); // a hang ends the reader with SIGALRM
                ::close_range(3, unsigned(results[1]) - 1, 0);
                ::close_range(unsigned(results[1]) + 1, ~0U, 0);
                for (const QByteArray &path : paths) {
                    const qint64 bytes = bytesUntilEndOfFile(path.constData());
                    if (::write(results[1], &bytes, sizeof bytes) != sizeof bytes)
                        ::_exit(2);
                }
                ::_exit(0);
            }
            ::close(results[1]);
            int status = 0;
            QCOMPARE(::waitpid(reader, &status, 0), reader);
            QVERIFY2(WIFEXITED(status),
                     qPrintable(QStringLiteral("the reader hung on one of: ") + names.join(u' ')));
            QCOMPARE(WEXITSTATUS(status), 0);
            int answered = 0;
            for (const QString &name : names) {
                qint64 bytes = 0;
                QCOMPARE(::read(results[0], &bytes, sizeof bytes), ssize_t(sizeof bytes));
                if (bytes > 0) {
                    QCOMPARE(int(PipeDirectory::parseName(QFile::encodeName(name)).kind),
                             int(PipeDirectory::EntryKind::Pipe));
                    ++answered;
                }
            }
            ::close(results[0]);
            QCOMPARE(answered, processes);
        }
    }

    // Issue 19, item 2: a reader that opens the pipe thousands of times without reading.
    void readerOpeningThePipeThousandsOfTimesCannotStarveTheApplication()
    {
        constexpr int Opens = 3000;
        // 2.5 MB of text: more than any pipe buffer, so that every delivery to the attacker stalls.
        constexpr int Stats = 100000;
        QProcess application;
        application.start(childProgram(),
                          {QStringLiteral("--pipe-dir"), m_pipeDir, QStringLiteral("--stats"),
                           QString::number(Stats), QStringLiteral("--max-fds"),
                           QStringLiteral("1024")});
        QVERIFY(application.waitForReadyRead(10000));
        QVERIFY(application.readLine().startsWith("ready "));
        const pid_t applicationPid = pid_t(application.processId());
        const QByteArray path = QFile::encodeName(pipePathOf(m_pipeDir, applicationPid));
        const QByteArray expected = childSnapshot(Stats);
        const qint64 rssBeforeKb = procNumber(applicationPid, "status", "VmRSS");

        int opened[2];
        QCOMPARE(::pipe(opened), 0);
        const pid_t attacker = ::fork();
        QVERIFY(attacker >= 0);
        if (attacker == 0) {
            ::alarm(120);
            ::close_range(3, unsigned(opened[1]) - 1, 0);
            ::close_range(unsigned(opened[1]) + 1, ~0U, 0);
            rlimit limit{rlim_t(Opens + 100), rlim_t(Opens + 100)};
            ::setrlimit(RLIMIT_NOFILE, &limit);
            int count = 0;
            while (count < Opens && ::open(path.constData(), O_RDONLY | O_NONBLOCK) >= 0)
                ++count;
            if (::write(opened[1], &count, sizeof count) != sizeof count)
                ::_exit(2);
            ::pause(); // holds every descriptor, reads nothing
            ::_exit(0);
        }
        const auto killAttacker = qScopeGuard([attacker] {
            ::kill(attacker, SIGKILL);
            ::waitpid(attacker, nullptr, 0);
        });
        ::close(opened[1]);
        int count = 0;
        QCOMPARE(::read(opened[0], &count, sizeof count), ssize_t(sizeof count));
        ::close(opened[0]);
        if (count < Opens)
            QSKIP("the attacker cannot hold 3,000 descriptors here (hard limit)");

        // A normal reader still gets the whole snapshot while the attacker holds its opens. A
        // read that shared a FIFO with the attacker's last opens is empty, and read again, as
        // statvent-web does.
        PipeRead read;
        for (int attempt = 0; attempt < 3 && read.data.isEmpty(); ++attempt)
            read = readPipe(QFile::decodeName(path), 10000);
        QCOMPARE(read.data.size(), expected.size());
        QVERIFY(read.data == expected);
        const int descriptors = descriptorCount(applicationPid);
        const qint64 rssKb = procNumber(applicationPid, "status", "VmRSS");
        QTest::qWait(300); // the application's own open() runs every 100 ms
        QCOMPARE(application.state(), QProcess::Running);
        const QByteArray output = application.readAllStandardOutput();
        qInfo("after %d opens without reading: the application holds %d descriptors, %lld kB "
              "resident (%lld kB before; "
              "a snapshot is %lld kB)",
              count, descriptors, rssKb, rssBeforeKb, qint64(expected.size() / 1024));
        QVERIFY2(!output.contains("cannot open a file"), output.constData());
        QVERIFY2(descriptors <= 48, "the recorder's descriptors grow with what readers do");
#ifndef STATVENT_SANITIZED_BUILD // sanitizers keep freed memory in quarantine
        // Two snapshots held, one being taken, and room for the allocator's slack.
        QVERIFY2(rssKb - rssBeforeKb < 6 * expected.size() / 1024 + 16 * 1024,
                 "the recorder's memory grows with what readers do");
#endif
        application.kill();
        application.waitForFinished();
    }

    void socketCarriesEachStatisticsKind_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QByteArray>("expected");
        const QByteArray header = "statvent-snapshot 1\n";
        QTest::newRow("set then incr: gauge")
            << QStringLiteral("set-then-incr") << QByteArray(header + "gauge 1 kind.x\nend 1\n");
        QTest::newRow("incr by -1: gauge")
            << QStringLiteral("incr-negative") << QByteArray(header + "gauge -1 kind.x\nend 1\n");
        QTest::newRow("only counted: counter")
            << QStringLiteral("count") << QByteArray(header + "counter 6 kind.x\nend 1\n");
        QTest::newRow("window")
            << QStringLiteral("window")
            << QByteArray(header
                          + "window 100 5050.0 kind.x.{0}\n"
                            "row median 50.0 kind.x.median\nrow 95th 95.0 kind.x.95th\n"
                            "row 99th 99.0 kind.x.99th\nrow 100th 100.0 kind.x.100th\n"
                            "row mean 50.5 kind.x.mean\n"
                            // Samples 1..100: sample v in bucket ceil(16 log2 v), zero count 0,
                            // min 1, max 100.
                            "buckets 4 0 1.0 100.0 0:1 16:1 26:1 32:1 38:1 42:1 45:1 48:1 51:1 "
                            "54:1 56:1 58:1 60:1 61:1 63:1 64:1 66:1 67:1 68:1 70:1 71:1 72:1 73:1 "
                            "74:1 75:1 76:1 77:2 78:1 79:1 80:2 81:1 82:1 83:2 84:2 85:1 86:2 87:2 "
                            "88:2 89:2 90:2 91:2 92:2 93:3 94:2 95:3 96:3 97:2 98:3 99:3 100:4 "
                            "101:3 102:3 103:4 104:4 105:4 106:4 107:2\n"
                            "end 1\n");
    }

    // Issue 15, items 1 to 3: a process's socket, read by a plain client, tells the kinds apart.
    void socketCarriesEachStatisticsKind()
    {
        QFETCH(QString, kind);
        QFETCH(QByteArray, expected);
        QProcess child;
        child.start(childProgram(),
                    {QStringLiteral("--pipe-dir"), m_pipeDir, QStringLiteral("--stats"),
                     QStringLiteral("0"), QStringLiteral("--kind"), kind});
        QVERIFY(child.waitForReadyRead(10000));
        QVERIFY(child.readLine().startsWith("ready "));
        const QString socketPath =
            m_pipeDir + u'/' + QFile::decodeName(PipeDirectory::socketName(child.processId()));

        const PipeRead read = readSocket(socketPath);
        QCOMPARE(read.openError, 0);
        QVERIFY(!read.timedOut);
        const SnapshotFormat::ParseResult parsed = SnapshotFormat::parse(read.data);
        QVERIFY2(parsed.complete, read.data.constData());
        QCOMPARE(parsed.rejectedLines, 0);
        QCOMPARE(read.data, expected);
        const TypedSnapshot &typed = parsed.snapshot;
        if (kind == QLatin1String("window")) {
            QCOMPARE(typed.windows.size(), 1);
            QCOMPARE(typed.windows.constFirst().name, QByteArray("kind.x.{0}"));
            QCOMPARE(typed.windows.constFirst().count, 100);
            QCOMPARE(typed.windows.constFirst().sum, 5050.0);
            QCOMPARE(typed.stats.size(), 5);
            for (const StatEntry &row : typed.stats)
                QCOMPARE(row.kind, StatKind::Window);
        } else {
            QCOMPARE(typed.stats.size(), 1);
            QCOMPARE(typed.stats.constFirst().kind,
                     kind == QLatin1String("count") ? StatKind::Counter : StatKind::Gauge);
        }
        // The FIFO of the same process keeps the untyped text.
        const PipeRead fifo = readPipe(pipePathOf(m_pipeDir, child.processId()));
        QCOMPARE(fifo.data, PipeFormat::serialize(typed.stats));
        child.kill();
        child.waitForFinished();
    }

    // Issue 15, item 3: a writer killed while a reader is still taking its snapshot leaves a
    // text that is never taken for a complete one.
    void writerKilledMidSnapshotIsNeverComplete()
    {
        constexpr int Stats = 200000;
        QProcess child;
        child.start(childProgram(),
                    {QStringLiteral("--pipe-dir"), m_pipeDir, QStringLiteral("--stats"),
                     QString::number(Stats)});
        QVERIFY(child.waitForReadyRead(10000));
        QVERIFY(child.readLine().startsWith("ready "));
        const pid_t pid = pid_t(child.processId());
        const QString socketPath =
            m_pipeDir + u'/' + QFile::decodeName(PipeDirectory::socketName(pid));

        // A whole read first: the same reader and parser do see a complete text of this writer.
        const PipeRead whole = readSocket(socketPath, 30000);
        QVERIFY(!whole.timedOut);
        QVERIFY(SnapshotFormat::parse(whole.data).complete);
        QVERIFY(whole.data.size() > 4 * 1024 * 1024); // far more than a socket's buffers hold

        // A slow reader: takes 64 KiB, then the writer is killed, then the reader reads on.
        const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        const QByteArray encoded = QFile::encodeName(socketPath);
        std::memcpy(address.sun_path, encoded.constData(), size_t(encoded.size()));
        QCOMPARE(::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address), 0);
        const auto closeSocket = qScopeGuard([fd] { ::close(fd); });
        QByteArray cut;
        char buffer[4096];
        const QDeadlineTimer deadline(30000);
        while (cut.size() < 64 * 1024 && !deadline.hasExpired()) {
            pollfd polled{fd, POLLIN, 0};
            if (::poll(&polled, 1, 100) <= 0)
                continue;
            const ssize_t n = ::read(fd, buffer, sizeof buffer);
            QVERIFY(n > 0);
            cut.append(buffer, n);
            QTest::qSleep(1);
        }
        QVERIFY(cut.size() >= 64 * 1024);
        QCOMPARE(::kill(pid, SIGKILL), 0);
        QVERIFY(child.waitForFinished(10000));
        ssize_t n;
        while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
            cut.append(buffer, n);
        QVERIFY(n == 0 || errno == ECONNRESET);

        QVERIFY(cut.size() < whole.data.size()); // killed mid-write indeed
        QVERIFY(whole.data.startsWith(cut)); // the writer's own bytes, as far as they went
        const SnapshotFormat::ParseResult parsed = SnapshotFormat::parse(cut);
        QVERIFY(!parsed.complete);
        QCOMPARE(parsed.error, SnapshotFormat::Error::NoEnd);
        QVERIFY(parsed.snapshot.stats.size() < Stats);
    }

private:
    QTemporaryDir m_dir;
    QString m_pipeDir;
    int m_round = 0;
};

QTEST_GUILESS_MAIN(RecorderTest)
#include "tst_recorder.moc"

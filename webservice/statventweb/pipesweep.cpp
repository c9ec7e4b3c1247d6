// SPDX-License-Identifier: MIT
#include <statventweb/pipesweep.h>

#include <statventweb/nameindex.h>
#include <statventweb/processinfo.h>
#include <statventweb/weblogging.h>

#include <QDateTime>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

namespace StatventWeb {

namespace {

constexpr QByteArrayView PipeSuffix(".stats");
//! How much one read() asks for: a whole default pipe buffer.
constexpr qsizetype ReadChunk = 64 * 1024;
/*!
 * How often a pipe that has sent data is asked again whether its writer has gone. Linux's
 * pipe_poll() reports POLLHUP only if a writer opened the FIFO after the reader did (it compares
 * the FIFO's writer count with the count at the reader's open); in kernels that count a writer
 * already waiting in open() (the original statvent's) as earlier, its hang-up comes without a
 * word, and only read() returning 0 tells.
 */
constexpr qint64 EndOfFileProbeNs = 1'000'000;
//! How often an empty answer is asked again (PipeSweep's class comment says when).
constexpr int MaxEmptyAnswerRetries = 2;

QString describeType(unsigned char type)
{
    struct TypeName
    {
        unsigned char type;
        const char *description;
    };
    static constexpr TypeName TypeNames[] = {
        {DT_FIFO, "a FIFO"},
        {DT_LNK, "a symbolic link"},
        {DT_REG, "a regular file"},
        {DT_DIR, "a directory"},
        {DT_SOCK, "a socket"},
        {DT_CHR, "a character device"},
        {DT_BLK, "a block device"},
    };
    for (const TypeName &name : TypeNames) {
        if (name.type == type)
            return QString::fromLatin1(name.description);
    }
    return QStringLiteral("of an unknown type");
}

qint64 modificationTimeNs(const struct stat &status)
{
    return qint64(status.st_mtim.tv_sec) * 1'000'000'000 + status.st_mtim.tv_nsec;
}

QString errorText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

//! One `<pid>.stats` FIFO being read.
struct Pipe
{
    qint64 pid = 0;
    QByteArray name;
    int fd = -1;
    dev_t device = 0;
    ino_t inode = 0;
    qint64 modifiedNs = 0;
    QByteArray text;
    //! poll() reported data or a hang-up: a writer has connected since the pipe was opened.
    bool writerSeen = false;
    bool truncated = false;
    int emptyAnswerRetries = 0;
};

class Sweep
{
public:
    Sweep(const PipeSweep::Options &options, SweepResult &result)
        : m_options(options)
        , m_result(result)
        , m_directoryName(options.directory)
    {
    }

    ~Sweep()
    {
        for (Pipe &pipe : m_pipes)
            closePipe(pipe);
        if (m_directoryFd >= 0)
            ::close(m_directoryFd);
    }

    Sweep(const Sweep &) = delete;
    Sweep &operator=(const Sweep &) = delete;

    void run(const QDeadlineTimer &deadline)
    {
        if (!openDirectory())
            return;
        listDirectory();
        openPipes();
        readUntil(deadline);
        settleUnanswered();
    }

private:
    bool openDirectory()
    {
        // The directory itself is whatever the deployer configured (it may be a symlink, say
        // /var/run -> /run); only its entries are never followed.
        m_directoryFd = ::open(QFile::encodeName(m_directoryName).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (m_directoryFd >= 0)
            return true;
        const int error = errno;
        if (error == ENOENT) {
            m_result.problems.append(QStringLiteral("pipe directory %1 does not exist (yet): no process has started a recorder there")
                                         .arg(m_directoryName));
        } else {
            m_result.problems.append(QStringLiteral("cannot open pipe directory %1: %2").arg(m_directoryName, errorText(error)));
        }
        return false;
    }

    void listDirectory()
    {
        // fdopendir() takes over the descriptor it is given: hand it a duplicate.
        const int listingFd = ::fcntl(m_directoryFd, F_DUPFD_CLOEXEC, 0);
        DIR *listing = listingFd >= 0 ? ::fdopendir(listingFd) : nullptr;
        if (!listing) {
            const int error = errno;
            if (listingFd >= 0)
                ::close(listingFd);
            m_result.problems.append(QStringLiteral("cannot list pipe directory %1: %2").arg(m_directoryName, errorText(error)));
            return;
        }
        for (;;) {
            errno = 0;
            const dirent *entry = ::readdir(listing);
            if (!entry) {
                if (errno != 0) {
                    m_result.problems.append(
                        QStringLiteral("cannot list pipe directory %1: %2").arg(m_directoryName, errorText(errno)));
                }
                break;
            }
            considerEntry(QByteArray(entry->d_name), entry->d_type);
        }
        ::closedir(listing);
    }

    void considerEntry(const QByteArray &name, unsigned char type)
    {
        if (type == DT_UNKNOWN) {
            struct stat status;
            if (::fstatat(m_directoryFd, name.constData(), &status, AT_SYMLINK_NOFOLLOW) != 0)
                return; // gone already
            type = IFTODT(status.st_mode);
        }
        // `.`, `..` and dotfiles such as a recorder's spare `.<pid>.stats.next` are never read.
        if (name.startsWith('.')) {
            removeOrphanedSpare(name, type);
            return;
        }
        const qint64 pid = PipeSweep::pidFromName(name);
        if (!pid) {
            skip(name, QStringLiteral("not named <pid>.stats (%1)").arg(describeType(type)));
            return;
        }
        if (type != DT_FIFO) {
            skip(name, QStringLiteral("%1, not a FIFO").arg(describeType(type)));
            return;
        }
        Pipe pipe;
        pipe.pid = pid;
        pipe.name = name;
        m_pipes.push_back(std::move(pipe));
    }

    /*!
     * A recorder keeps its next FIFO ready as `.<pid>.stats.next`; a process killed with
     * SIGKILL leaves it behind. Once that pid is gone, nobody else will remove it.
     */
    void removeOrphanedSpare(const QByteArray &name, unsigned char type)
    {
        constexpr QByteArrayView SpareSuffix(".next");
        if (type != DT_FIFO || !name.endsWith(SpareSuffix))
            return;
        const qint64 pid = PipeSweep::pidFromName(name.sliced(1, name.size() - 1 - SpareSuffix.size()));
        if (!pid || ProcessInfo::exists(pid))
            return;
        if (::unlinkat(m_directoryFd, name.constData(), 0) == 0)
            qCDebug(lcStatventWeb).noquote() << "removed the spare pipe" << QString::fromUtf8(name) << "of process" << pid << "which no longer exists";
    }

    void skip(const QByteArray &name, const QString &reason) { m_result.skipped.append(SkippedEntry{name, reason}); }

    //! Removes the pipes of dead processes and opens the others.
    void openPipes()
    {
        std::vector<Pipe> live;
        live.reserve(m_pipes.size());
        for (Pipe &pipe : m_pipes) {
            struct stat status;
            if (::fstatat(m_directoryFd, pipe.name.constData(), &status, AT_SYMLINK_NOFOLLOW) != 0)
                continue; // removed since it was listed: nothing to read
            if (!S_ISFIFO(status.st_mode)) {
                skip(pipe.name, QStringLiteral("replaced by something that is not a FIFO"));
                continue;
            }
            pipe.device = status.st_dev;
            pipe.inode = status.st_ino;
            pipe.modifiedNs = modificationTimeNs(status);
            // A dead process is recognised without opening its pipe, let alone waiting for it.
            if (!ProcessInfo::exists(pipe.pid)) {
                removeStale(pipe, QStringLiteral("process %1 no longer exists").arg(pipe.pid));
                continue;
            }
            if (openPipe(pipe))
                live.push_back(std::move(pipe));
        }
        m_pipes = std::move(live);
    }

    bool openPipe(Pipe &pipe)
    {
        // O_NONBLOCK: opening a FIFO for reading never waits for a writer.
        pipe.fd = ::openat(m_directoryFd, pipe.name.constData(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
        if (pipe.fd < 0) {
            const int error = errno;
            if (error == ELOOP)
                skip(pipe.name, QStringLiteral("a symbolic link, not a FIFO"));
            else if (error != ENOENT)
                skip(pipe.name, QStringLiteral("cannot be opened: %1").arg(errorText(error)));
            return false;
        }
        struct stat status;
        if (::fstat(pipe.fd, &status) != 0 || !S_ISFIFO(status.st_mode)) {
            skip(pipe.name, QStringLiteral("replaced by something that is not a FIFO"));
            closePipe(pipe);
            return false;
        }
        pipe.device = status.st_dev;
        pipe.inode = status.st_ino;
        pipe.modifiedNs = modificationTimeNs(status);
        return true;
    }

    void readUntil(const QDeadlineTimer &deadline)
    {
        std::vector<pollfd> polls;
        polls.reserve(m_pipes.size());
        for (const Pipe &pipe : m_pipes)
            polls.push_back(pollfd{pipe.fd, POLLIN, 0});
        std::vector<char> buffer(ReadChunk);

        qsizetype waiting = qsizetype(polls.size());
        bool awaitingEndOfFile = false;
        while (waiting > 0) {
            qint64 remainingNs = deadline.remainingTimeNSecs();
            if (remainingNs <= 0)
                break;
            if (awaitingEndOfFile)
                remainingNs = std::min(remainingNs, EndOfFileProbeNs);
            const timespec timeout{time_t(remainingNs / 1'000'000'000), long(remainingNs % 1'000'000'000)};
            // Linux reports neither POLLIN nor POLLHUP on a FIFO no writer has connected to yet
            // (whereas read() would return 0 at once): so only poll()'s word starts reading.
            if (::ppoll(polls.data(), nfds_t(polls.size()), &timeout, nullptr) < 0) {
                if (errno == EINTR)
                    continue;
                m_result.problems.append(QStringLiteral("waiting for pipes failed: %1").arg(errorText(errno)));
                break;
            }
            awaitingEndOfFile = false;
            for (size_t i = 0; i < polls.size(); ++i) {
                Pipe &pipe = m_pipes[i];
                if (polls[i].fd < 0 || (polls[i].revents == 0 && !pipe.writerSeen))
                    continue;
                pipe.writerSeen = true;
                switch (readAvailable(pipe, buffer)) {
                case ReadState::Complete:
                    if (pipe.text.isEmpty() && reopenAfterEmptyAnswer(pipe)) {
                        polls[i].fd = pipe.fd;
                        break;
                    }
                    finish(pipe);
                    [[fallthrough]];
                case ReadState::Failed: // left open: settleUnanswered() reports it
                    polls[i].fd = -1;
                    --waiting;
                    break;
                case ReadState::Waiting:
                    awaitingEndOfFile = true;
                    break;
                }
            }
        }
    }

    //! Opens the pipe again if a fresh FIFO has taken its place since it answered nothing.
    bool reopenAfterEmptyAnswer(Pipe &pipe)
    {
        struct stat status;
        if (pipe.emptyAnswerRetries == MaxEmptyAnswerRetries
            || ::fstatat(m_directoryFd, pipe.name.constData(), &status, AT_SYMLINK_NOFOLLOW) != 0
            || (status.st_dev == pipe.device && status.st_ino == pipe.inode)) {
            return false;
        }
        ++pipe.emptyAnswerRetries;
        closePipe(pipe);
        pipe.writerSeen = false;
        return openPipe(pipe);
    }

    enum class ReadState : quint8 {
        Waiting, //!< the writer is still connected: more may come
        Complete, //!< end-of-file, or the byte limit
        Failed, //!< read() failed: no answer from this pipe in this sweep
    };

    //! Reads what the pipe holds now.
    ReadState readAvailable(Pipe &pipe, std::vector<char> &buffer)
    {
        for (;;) {
            // One byte beyond the limit tells a pipe that is exactly at the limit from one that is over it.
            const qint64 allowance = m_options.maxBytesPerPipe + 1 - pipe.text.size();
            const ssize_t count = ::read(pipe.fd, buffer.data(), size_t(std::min<qint64>(allowance, ReadChunk)));
            if (count > 0) {
                pipe.text.append(buffer.data(), qsizetype(count));
                if (pipe.text.size() > m_options.maxBytesPerPipe) {
                    pipe.truncated = true;
                    return ReadState::Complete;
                }
                continue;
            }
            if (count == 0)
                return ReadState::Complete; // end-of-file: the writer has said everything
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                return ReadState::Waiting;
            m_result.problems.append(QStringLiteral("reading pipe %1/%2 failed: %3")
                                         .arg(m_directoryName, QFile::decodeName(pipe.name), errorText(errno)));
            return ReadState::Failed;
        }
    }

    void finish(Pipe &pipe)
    {
        closePipe(pipe);
        ProcessStats process;
        process.pid = pipe.pid;
        QByteArrayView text = pipe.text;
        if (pipe.truncated) {
            // Keep the complete lines within the limit; the line the limit cut is lost.
            text = text.first(m_options.maxBytesPerPipe);
            text = text.first(text.lastIndexOf('\n') + 1);
            process.truncated = true;
            process.rejectedLines = 1;
        } else if (!text.isEmpty() && !text.endsWith('\n')) {
            // Writers end every line with a newline: text that does not was cut short (the
            // writer died mid-line), and its last line, "c: 1234" of "c: 1234567890", is a lie.
            text = text.first(text.lastIndexOf('\n') + 1);
            process.rejectedLines = 1;
        }
        Statvent::PipeFormat::ParseResult parsed = Statvent::PipeFormat::parse(text);
        pipe.text = QByteArray(); // the parsed copy is all that is needed from here on
        process.rejectedLines += parsed.rejectedLines;
        process.rejections = std::move(parsed.rejections);
        process.stats = keepFirstOfEachName(std::move(parsed.stats), process.rejectedLines);
        m_result.processes.append(std::move(process));
    }

    //! A well-behaved writer never repeats a name; a repeated one is rejected, the first value kept.
    static Statvent::Snapshot keepFirstOfEachName(Statvent::Snapshot stats, qsizetype &rejectedLines)
    {
        NameIndex seen(stats.size());
        qsizetype kept = 0;
        for (qsizetype i = 0; i < stats.size(); ++i) {
            if (seen.findOrInsert(stats.at(i).name, i) >= 0) {
                ++rejectedLines;
                continue;
            }
            if (kept != i)
                stats[kept] = std::move(stats[i]);
            ++kept;
        }
        stats.resize(kept);
        return stats;
    }

    //! The pipes still open at the deadline: stale ones are removed, live ones reported.
    void settleUnanswered()
    {
        for (Pipe &pipe : m_pipes) {
            if (pipe.fd < 0)
                continue;
            closePipe(pipe);
            if (!ProcessInfo::exists(pipe.pid)) {
                removeStale(pipe, QStringLiteral("process %1 no longer exists").arg(pipe.pid));
            } else if (!pipe.writerSeen && ProcessInfo::startedAfter(pipe.pid, pipe.modifiedNs)) {
                // Nobody ever wrote: pid reuse is possible. A writer that did connect is alive.
                removeStale(pipe, QStringLiteral("pid %1 now belongs to a process started after the pipe was made").arg(pipe.pid));
            } else {
                m_result.unanswered.append(pipe.pid);
            }
        }
    }

    void removeStale(const Pipe &pipe, const QString &reason)
    {
        // Remove the FIFO that was judged, not one a new process may just have put in its place.
        struct stat status;
        if (::fstatat(m_directoryFd, pipe.name.constData(), &status, AT_SYMLINK_NOFOLLOW) != 0 || status.st_dev != pipe.device
            || status.st_ino != pipe.inode) {
            return;
        }
        if (::unlinkat(m_directoryFd, pipe.name.constData(), 0) != 0) {
            if (errno != ENOENT) {
                m_result.problems.append(QStringLiteral("cannot remove stale pipe %1/%2 (%3): %4")
                                             .arg(m_directoryName, QFile::decodeName(pipe.name), reason, errorText(errno)));
            }
            return;
        }
        qCInfo(lcStatventWeb, "removed stale pipe %s/%s: %s", qUtf8Printable(m_directoryName), pipe.name.constData(),
               qUtf8Printable(reason));
        m_result.removed.append(pipe.pid);
    }

    static void closePipe(Pipe &pipe)
    {
        if (pipe.fd >= 0) {
            ::close(pipe.fd);
            pipe.fd = -1;
        }
    }

    const PipeSweep::Options &m_options;
    SweepResult &m_result;
    const QString m_directoryName;
    int m_directoryFd = -1;
    std::vector<Pipe> m_pipes;
};

} // namespace

SweepResult PipeSweep::run(const Options &options)
{
    QElapsedTimer clock;
    clock.start();
    const QDeadlineTimer deadline(std::chrono::milliseconds(options.timeoutMs), Qt::PreciseTimer);
    SweepResult result;
    {
        Sweep sweep(options, result);
        sweep.run(deadline);
    }
    auto byPid = [](const ProcessStats &a, const ProcessStats &b) { return a.pid < b.pid; };
    std::sort(result.processes.begin(), result.processes.end(), byPid);
    std::sort(result.unanswered.begin(), result.unanswered.end());
    std::sort(result.removed.begin(), result.removed.end());
    result.timestamp = double(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
    result.duration = double(clock.nsecsElapsed()) / 1e9;
    return result;
}

qint64 PipeSweep::pidFromName(QByteArrayView name) noexcept
{
    if (!name.endsWith(PipeSuffix))
        return 0;
    const QByteArrayView digits = name.chopped(PipeSuffix.size());
    // A pid is a positive pid_t: at most 10 digits, no leading zero, no sign.
    if (digits.isEmpty() || digits.size() > 10 || digits.front() == '0')
        return 0;
    qint64 pid = 0;
    for (char c : digits) {
        if (c < '0' || c > '9')
            return 0;
        pid = pid * 10 + (c - '0');
    }
    return pid <= std::numeric_limits<pid_t>::max() ? pid : 0;
}

} // namespace StatventWeb

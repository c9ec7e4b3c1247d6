// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventweb/pipesweep.h>

#include <statventweb/pipebackoff.h>
#include <statventweb/processinfo.h>
#include <statventweb/weblogging.h>
#include <uniquenames.h>

#include <statvent/pipedirectory.h>
#include <statvent/snapshotformat.h>

#include <QDateTime>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace StatventWeb {

using Statvent::Detail::NameRepeats;
using Statvent::Detail::UniqueNames;

using Statvent::PipeDirectory;
using Statvent::PipeFormat;
using Statvent::SnapshotFormat;

namespace {

//! How much one read() asks for: a whole default pipe buffer. A sweep reads at most this much
//! from one pipe before it turns to the others, so that a flood cannot starve them.
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

qint64 modificationTimeNs(const struct stat &status)
{
    return qint64(status.st_mtim.tv_sec) * 1'000'000'000 + status.st_mtim.tv_nsec;
}

/*!
 * Reads a FIFO's text as it arrives: each complete line is parsed at once (by
 * PipeFormat::parseLine()) and only a line not complete yet is kept. A statistic costs one copy
 * of its name; a line that repeats a name costs nothing, so a flood of repeated lines keeps
 * memory at the size of one read.
 */
class PipeTextReader
{
public:
    //! \a previous: what the same process's FIFO sent in the sweep before (see UniqueNames).
    explicit PipeTextReader(Statvent::Snapshot previous)
        : m_previous(std::move(previous))
    {
    }

    ProcessStats process;
    qint64 bytes = 0;

    //! Reads the complete lines of \a text; keeps its unfinished last line for the next call.
    void feed(QByteArrayView text)
    {
        if (bytes == 0) {
            // Most texts fit in their first read: room for as many statistics as it has lines.
            const qsizetype lines = std::count(text.begin(), text.end(), '\n');
            process.stats.reserve(lines);
            m_names.emplace(process.stats, &Statvent::StatEntry::name,
                            std::exchange(m_previous, {}), NameRepeats::Reject, lines);
        }
        bytes += text.size();
        qsizetype position = 0;
        while (position < text.size()) {
            const char *start = text.data() + position;
            const void *newline = std::memchr(start, '\n', size_t(text.size() - position));
            if (!newline) {
                keepUnfinished(text.sliced(position));
                return;
            }
            const QByteArrayView piece(start, static_cast<const char *>(newline) - start);
            position += piece.size() + 1;
            if (m_skippingLongLine) {
                m_skippingLongLine = false; // the end of a line already rejected
            } else if (!m_unfinished.isEmpty()) {
                m_unfinished.append(piece);
                readLine(m_unfinished);
                m_unfinished.truncate(0);
            } else {
                readLine(piece);
            }
        }
    }

    //! End-of-file. Writers end every line with a newline: text that does not was cut short
    //! (the writer died mid-line), and its last line, "c: 1234" of "c: 1234567890", is a lie.
    void finish()
    {
        if (!m_unfinished.isEmpty())
            ++process.rejectedLines;
        m_unfinished = QByteArray();
    }

    //! The byte limit ended the text: the line it cut is lost.
    void cut()
    {
        process.truncated = true;
        ++process.rejectedLines;
        m_unfinished = QByteArray();
    }

private:
    void keepUnfinished(QByteArrayView rest)
    {
        if (m_skippingLongLine)
            return;
        m_unfinished.append(rest);
        // Longer than any line the format reads, even without its CR: rejected now, so that a
        // line without end cannot grow without bound.
        if (m_unfinished.size() > PipeFormat::MaxLineLength + 1) {
            ++m_lineNumber;
            reject(PipeFormat::LineError::LineTooLong);
            m_unfinished = QByteArray();
            m_skippingLongLine = true;
        }
    }

    void readLine(QByteArrayView line)
    {
        ++m_lineNumber;
        PipeFormat::LineView stat;
        PipeFormat::LineError error = PipeFormat::LineError::NoSeparator;
        switch (PipeFormat::parseLine(line, &stat, &error)) {
        case PipeFormat::LineKind::Blank:
            return;
        case PipeFormat::LineKind::Rejected:
            reject(error);
            return;
        case PipeFormat::LineKind::Stat:
            break;
        }
        // A well-behaved writer never repeats a name; a repeated one is rejected, the first kept.
        const bool added = m_names->add(stat.name, [&](QByteArray name) {
            process.stats.append(Statvent::StatEntry{std::move(name), stat.value});
        });
        if (!added)
            ++process.rejectedLines;
    }

    void reject(PipeFormat::LineError error)
    {
        ++process.rejectedLines;
        if (process.rejections.size() < PipeFormat::MaxReportedRejections)
            process.rejections.append({m_lineNumber, error});
    }

    Statvent::Snapshot m_previous;
    //! Made when the first bytes arrive, sized by them.
    std::optional<UniqueNames<Statvent::StatEntry>> m_names;
    QByteArray m_unfinished;
    qsizetype m_lineNumber = 0;
    bool m_skippingLongLine = false;
};

/*!
 * Whose a process is, asked of /proc as cheaply as it can be: the owner of /proc/<pid> (its
 * effective uid) first, one stat() call; all its uids (/proc/<pid>/status) only when that owner
 * is not the one looked for.
 */
class ProcessUsers
{
public:
    explicit ProcessUsers(qint64 pid)
        : m_pid(pid)
        , m_owner(ProcessInfo::directoryOwner(pid))
    {
    }

    //! False when the process is gone or /proc does not show it (mounted with hidepid).
    bool known() const { return m_owner.has_value(); }

    //! Whether \a uid is one of the process's user ids (see ProcessInfo::UserIds::contains()).
    bool contains(uid_t uid)
    {
        if (m_owner == uid)
            return true;
        if (!m_ids)
            m_ids = ProcessInfo::userIds(m_pid);
        return m_ids && m_ids->contains(uid);
    }

    uid_t effective() const { return m_ids ? m_ids->effective : m_owner.value_or(0); }

private:
    qint64 m_pid;
    std::optional<uid_t> m_owner;
    std::optional<ProcessInfo::UserIds> m_ids;
};

//! One process's FIFO or socket being read.
struct Target
{
    qint64 pid = 0;
    Channel channel = Channel::Fifo;
    QByteArray name;
    //! The process's FIFO, to read when its socket is refused or not listening.
    QByteArray fallbackFifo;
    int fd = -1;
    dev_t device = 0;
    ino_t inode = 0;
    qint64 modifiedNs = 0;
    //! poll() reported data or a hang-up: a writer has connected since the pipe was opened.
    bool writerSeen = false;
    int emptyAnswerRetries = 0;
    std::unique_ptr<PipeTextReader> fifoText;
    //! A socket's text, read as it arrives, keeping nothing of a repeated name (as for a FIFO).
    std::unique_ptr<SnapshotFormat::Reader> socketText;

    qint64 bytesRead() const
    {
        return fifoText ? fifoText->bytes : socketText ? socketText->bytesRead() : 0;
    }
    PipeBackoff::Key backoffKey() const { return PipeBackoff::Key{pid, device, inode}; }
};

//! What a directory holds for one pid.
struct Candidate
{
    QByteArray fifo;
    QByteArray socket;
};

class Sweep
{
public:
    Sweep(const PipeSweep::Options &options, PipeBackoff *backoff,
          const QList<ProcessStats> &previous, SweepResult &result)
        : m_options(options)
        , m_backoff(backoff)
        , m_previous(previous)
        , m_result(result)
        , m_directoryName(options.directory)
    {
    }

    ~Sweep()
    {
        for (Target &target : m_targets)
            close(target);
        if (m_directoryFd >= 0)
            ::close(m_directoryFd);
    }

    Q_DISABLE_COPY_MOVE(Sweep)

    void run(const QDeadlineTimer &deadline)
    {
        if (!openDirectory())
            return;
        if (m_backoff)
            m_backoff->startSweep();
        listDirectory();
        startTargets();
        readUntil(deadline);
        settleUnanswered();
        if (m_backoff)
            m_backoff->finishSweep();
    }

private:
    bool openDirectory()
    {
        // The directory itself is whatever the deployer configured (it may be a symlink, say
        // /var/run -> /run); only its entries are never followed.
        m_directoryFd = ::open(QFile::encodeName(m_directoryName).constData(),
                               O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (m_directoryFd >= 0)
            return true;
        const int error = errno;
        if (error == ENOENT) {
            m_result.problems.append(QStringLiteral("pipe directory %1 does not exist (yet): no "
                                                    "process has started a recorder there")
                                         .arg(m_directoryName));
        } else {
            m_result.problems.append(QStringLiteral("cannot open pipe directory %1: %2")
                                         .arg(m_directoryName, PipeDirectory::errorText(error)));
        }
        return false;
    }

    void listDirectory()
    {
        // fdopendir() takes over the descriptor it is given: hand it a duplicate.
        const int listingFd = ::fcntl(m_directoryFd, F_DUPFD_CLOEXEC, 0);
        DIR *listing = listingFd >= 0 ? ::fdopendir(listingFd) : nullptr;
        const auto listingFailed = [this](int error) {
            m_result.problems.append(QStringLiteral("cannot list pipe directory %1: %2")
                                         .arg(m_directoryName, PipeDirectory::errorText(error)));
        };
        if (!listing) {
            const int error = errno;
            if (listingFd >= 0)
                ::close(listingFd);
            listingFailed(error);
            return;
        }
        for (;;) {
            errno = 0;
            const dirent *entry = ::readdir(listing);
            if (!entry) {
                if (errno != 0)
                    listingFailed(errno);
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
        const PipeDirectory::Entry entry = PipeDirectory::parseName(name);
        // `.`, `..` and dotfiles such as a recorder's spare `.<pid>.stats.next` are never read.
        if (name.startsWith('.')) {
            if (entry.kind == PipeDirectory::EntryKind::Spare
                && (type == DT_FIFO || type == DT_SOCK))
                removeOrphanedSpare(name, entry.pid);
            return;
        }
        const QString typeText = PipeDirectory::describeFileType(DTTOIF(type));
        // The file type a process's entry must have, its name, and where the candidate keeps it.
        struct Expected
        {
            unsigned char type;
            QLatin1StringView typeName;
            QByteArray Candidate::*slot;
        };
        std::optional<Expected> expected;
        switch (entry.kind) {
        case PipeDirectory::EntryKind::Pipe:
            expected = Expected{DT_FIFO, QLatin1StringView("a FIFO"), &Candidate::fifo};
            break;
        case PipeDirectory::EntryKind::Socket:
            expected = Expected{DT_SOCK, QLatin1StringView("a socket"), &Candidate::socket};
            break;
        case PipeDirectory::EntryKind::Spare:
        case PipeDirectory::EntryKind::Unrelated:
            break;
        }
        if (!expected)
            skip(name, QStringLiteral("not named <pid>.stats or <pid>.sock (%1)").arg(typeText));
        else if (type != expected->type)
            skip(name, QStringLiteral("%1, not %2").arg(typeText, expected->typeName));
        else
            m_candidates[entry.pid].*(expected->slot) = name;
    }

    /*!
     * A recorder makes its next FIFO or socket as `.<pid>.stats.next`; a process killed with
     * SIGKILL at that instant leaves it behind. Once that pid is gone, nobody else removes it.
     */
    void removeOrphanedSpare(const QByteArray &name, qint64 pid)
    {
        if (ProcessInfo::exists(pid))
            return;
        if (::unlinkat(m_directoryFd, name.constData(), 0) == 0)
            qCDebug(lcStatventWeb).noquote() << "removed the spare pipe" << QString::fromUtf8(name)
                                             << "of process" << pid << "which no longer exists";
    }

    void skip(const QByteArray &name, const QString &reason)
    {
        m_result.skipped.append(SkippedEntry{name, reason});
    }

    void refuse(const QByteArray &name, qint64 pid, const QString &reason)
    {
        m_result.refused.append(RefusedEntry{name, pid, reason});
    }

    void reportUnanswered(const Target &target, UnansweredReason reason, const QString &detail)
    {
        m_result.unanswered.append(target.pid);
        m_result.unansweredDetails.append(
            UnansweredProcess{target.pid, target.channel, reason, detail});
    }

    //! Notes what \a target's entry is now; its owner, if it is still of type \a fileType.
    std::optional<uid_t> statEntry(Target &target, mode_t fileType)
    {
        struct stat status;
        if (::fstatat(m_directoryFd, target.name.constData(), &status, AT_SYMLINK_NOFOLLOW) != 0)
            return std::nullopt; // removed since it was listed: nothing to read
        if ((status.st_mode & S_IFMT) != fileType) {
            skip(target.name,
                 QStringLiteral("replaced by %1")
                     .arg(PipeDirectory::describeFileType(status.st_mode)));
            return std::nullopt;
        }
        target.device = status.st_dev;
        target.inode = status.st_ino;
        target.modifiedNs = modificationTimeNs(status);
        return status.st_uid;
    }

    //! Whether the owner of what was just looked at may speak for the process; if not, refused.
    bool ownerTrusted(const Target &target, ProcessUsers &users, uid_t owner)
    {
        if (users.contains(owner))
            return true;
        refuse(target.name, target.pid,
               QStringLiteral("owned by uid %1, but process %2 runs as uid %3")
                   .arg(owner)
                   .arg(target.pid)
                   .arg(users.effective()));
        return false;
    }

    //! Whether this sweep leaves \a target out (PipeBackoff); if so, reported.
    bool backedOff(const Target &target)
    {
        int failures = 0;
        int skipsLeft = 0;
        if (!m_backoff || !m_backoff->shouldSkip(target.backoffKey(), &failures, &skipsLeft))
            return false;
        reportUnanswered(
            target, UnansweredReason::BackedOff,
            QStringLiteral(
                "missed the deadline in %1 sweeps in a row: left out of this sweep and %2 more")
                .arg(failures)
                .arg(skipsLeft));
        return true;
    }

    //! Removes the entries of dead processes and opens or connects to the others.
    void startTargets()
    {
        for (const auto &[pid, candidate] : m_candidates) {
            Target target;
            target.pid = pid;
            // Whatever the pid's entries turn out to be, a dead process's are removed unread.
            if (!ProcessInfo::exists(pid)) {
                removeDeadEntries(pid, candidate);
                continue;
            }
            ProcessUsers users(pid);
            if (!users.known()) {
                // Gone since, or hidden (/proc mounted with hidepid): whose it is cannot be told.
                if (!ProcessInfo::exists(pid)) {
                    removeDeadEntries(pid, candidate);
                } else {
                    const QString reason =
                        QStringLiteral("the user of process %1 cannot be read from /proc").arg(pid);
                    for (const QByteArray &name : {candidate.socket, candidate.fifo}) {
                        if (!name.isEmpty())
                            refuse(name, pid, reason);
                    }
                }
                continue;
            }
            if (!candidate.socket.isEmpty()) {
                target.channel = Channel::Socket;
                target.name = candidate.socket;
                target.fallbackFifo = candidate.fifo;
                switch (startSocket(target, users)) {
                case Start::Reading:
                    m_targets.push_back(std::move(target));
                    continue;
                case Start::Settled:
                    continue;
                case Start::TryTheFifo:
                    break;
                }
                if (candidate.fifo.isEmpty())
                    continue;
            }
            target.channel = Channel::Fifo;
            target.name = candidate.fifo;
            if (startFifo(target, users))
                m_targets.push_back(std::move(target));
        }
    }

    void removeDeadEntries(qint64 pid, const Candidate &candidate)
    {
        const QString reason = QStringLiteral("process %1 no longer exists").arg(pid);
        bool removed = false;
        for (const QByteArray &name : {candidate.fifo, candidate.socket}) {
            struct stat status;
            if (!name.isEmpty()
                && ::fstatat(m_directoryFd, name.constData(), &status, AT_SYMLINK_NOFOLLOW) == 0
                && !ProcessInfo::exists(pid)) {
                removed = removeStale(name, status.st_dev, status.st_ino, reason) || removed;
            }
        }
        if (removed)
            m_result.removed.append(pid);
    }

    enum class Start : quint8 {
        Reading, //!< connected or opened: the read loop takes it from here
        Settled, //!< reported already (unanswered, refused or removed)
        TryTheFifo, //!< the socket cannot be used; the FIFO, if any, may be
    };

    Start startSocket(Target &target, ProcessUsers &users)
    {
        const std::optional<uid_t> owner = statEntry(target, S_IFSOCK);
        if (!owner || !ownerTrusted(target, users, *owner))
            return Start::TryTheFifo;
        if (backedOff(target))
            return Start::Settled;
        target.fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (target.fd < 0) {
            reportUnanswered(
                target, UnansweredReason::Failed,
                QStringLiteral("cannot make a socket: %1").arg(PipeDirectory::errorText(errno)));
            return Start::Settled;
        }
        // Through the directory already opened, not its path again. The last component is
        // followed if someone swaps a symlink in after the check above: SO_PEERCRED below
        // then names a process other than the pid's, and the socket is refused.
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        const QByteArray path =
            "/proc/self/fd/" + QByteArray::number(m_directoryFd) + '/' + target.name;
        if (path.size() >= qsizetype(sizeof(address.sun_path))) {
            close(target);
            return Start::TryTheFifo; // cannot happen with a pid's name; the FIFO still can
        }
        std::memcpy(address.sun_path, path.constData(), size_t(path.size()));
        if (::connect(target.fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address))
            != 0) {
            const int error = errno;
            close(target);
            if (error == ECONNREFUSED && ProcessInfo::startedAfter(target.pid, target.modifiedNs)) {
                if (removeStale(
                        target.name, target.device, target.inode,
                        QStringLiteral(
                            "pid %1 now belongs to a process started after the socket was made")
                            .arg(target.pid))) {
                    m_result.removed.append(target.pid);
                }
                return Start::TryTheFifo;
            }
            if (!target.fallbackFifo.isEmpty())
                return Start::TryTheFifo;
            reportUnanswered(
                target, error == EAGAIN ? UnansweredReason::NoAnswer : UnansweredReason::Failed,
                error == EAGAIN
                    ? QStringLiteral("its socket accepts no more connections now (backlog full)")
                    : QStringLiteral("cannot connect to its socket: %1")
                          .arg(PipeDirectory::errorText(error)));
            return Start::Settled;
        }
        ucred peer{};
        socklen_t size = sizeof(peer);
        if (::getsockopt(target.fd, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0) {
            const int error = errno;
            close(target);
            reportUnanswered(target, UnansweredReason::Failed,
                             QStringLiteral("cannot tell who serves its socket: %1")
                                 .arg(PipeDirectory::errorText(error)));
            return Start::Settled;
        }
        // The kernel vouches for the listening process: it must be the pid the name claims.
        // A process of another PID namespace shows as pid 0 here, and is refused too.
        if (peer.pid != target.pid || !users.contains(peer.uid)) {
            close(target);
            refuse(target.name, target.pid,
                   peer.pid != target.pid
                       ? QStringLiteral("served by process %1, not by process %2")
                             .arg(peer.pid)
                             .arg(target.pid)
                       : QStringLiteral("served by uid %1, but process %2 runs as uid %3")
                             .arg(peer.uid)
                             .arg(target.pid)
                             .arg(users.effective()));
            return Start::TryTheFifo;
        }
        target.writerSeen = true;
        target.socketText =
            std::make_unique<SnapshotFormat::Reader>(SnapshotFormat::Reader::RepeatedNames::Reject);
        if (const ProcessStats *before = previousOf(target.pid))
            target.socketText->setPrevious(Statvent::TypedSnapshot{before->stats, before->windows});
        return Start::Reading;
    }

    bool startFifo(Target &target, ProcessUsers &users)
    {
        // Checked before opening too: opening a FIFO releases a writer waiting in open().
        const std::optional<uid_t> owner = statEntry(target, S_IFIFO);
        if (!owner || !ownerTrusted(target, users, *owner) || backedOff(target))
            return false;
        return openFifo(target, users);
    }

    bool openFifo(Target &target, ProcessUsers &users)
    {
        // O_NONBLOCK: opening a FIFO for reading never waits for a writer.
        target.fd = ::openat(m_directoryFd, target.name.constData(),
                             O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
        if (target.fd < 0) {
            const int error = errno;
            if (error == ELOOP)
                skip(target.name, QStringLiteral("a symbolic link, not a FIFO"));
            else if (error != ENOENT)
                skip(target.name,
                     QStringLiteral("cannot be opened: %1").arg(PipeDirectory::errorText(error)));
            return false;
        }
        struct stat status;
        if (::fstat(target.fd, &status) != 0 || !S_ISFIFO(status.st_mode)) {
            skip(target.name, QStringLiteral("replaced by something that is not a FIFO"));
            close(target);
            return false;
        }
        if (!ownerTrusted(target, users, status.st_uid)) {
            close(target);
            return false;
        }
        target.device = status.st_dev;
        target.inode = status.st_ino;
        target.modifiedNs = modificationTimeNs(status);
        const ProcessStats *before = previousOf(target.pid);
        target.fifoText =
            std::make_unique<PipeTextReader>(before ? before->stats : Statvent::Snapshot());
        return true;
    }

    //! What \a pid said in the sweep before, if it answered.
    const ProcessStats *previousOf(qint64 pid) const
    {
        const auto found =
            std::lower_bound(m_previous.cbegin(), m_previous.cend(), pid,
                             [](const ProcessStats &process, qint64 p) { return process.pid < p; });
        return found != m_previous.cend() && found->pid == pid ? &*found : nullptr;
    }

    void readUntil(const QDeadlineTimer &deadline)
    {
        std::vector<pollfd> polls;
        polls.reserve(m_targets.size());
        for (const Target &target : m_targets)
            polls.push_back(pollfd{target.fd, POLLIN, 0});
        std::vector<char> buffer(ReadChunk);

        qsizetype waiting = qsizetype(polls.size());
        bool awaitingEndOfFile = false;
        while (waiting > 0) {
            qint64 remainingNs = deadline.remainingTimeNSecs();
            if (remainingNs <= 0)
                break;
            if (awaitingEndOfFile)
                remainingNs = std::min(remainingNs, EndOfFileProbeNs);
            const timespec timeout{time_t(remainingNs / 1'000'000'000),
                                   long(remainingNs % 1'000'000'000)};
            // Linux reports neither POLLIN nor POLLHUP on a FIFO no writer has connected to yet
            // (whereas read() would return 0 at once): so only poll()'s word starts reading.
            if (::ppoll(polls.data(), nfds_t(polls.size()), &timeout, nullptr) < 0) {
                if (errno == EINTR)
                    continue;
                m_result.problems.append(QStringLiteral("waiting for pipes failed: %1")
                                             .arg(PipeDirectory::errorText(errno)));
                break;
            }
            awaitingEndOfFile = false;
            for (size_t i = 0; i < polls.size(); ++i) {
                Target &target = m_targets[i];
                const bool probe = target.channel == Channel::Fifo && target.writerSeen;
                if (polls[i].fd < 0 || (polls[i].revents == 0 && !probe))
                    continue;
                target.writerSeen = true;
                switch (readSome(target, buffer)) {
                case ReadState::Ended:
                    if (target.bytesRead() == 0 && target.channel == Channel::Fifo
                        && reopenAfterEmptyAnswer(target)) {
                        polls[i].fd = target.fd;
                        break;
                    }
                    finish(target);
                    polls[i].fd = -1;
                    --waiting;
                    break;
                case ReadState::Settled:
                    close(target);
                    polls[i].fd = -1;
                    --waiting;
                    break;
                case ReadState::MoreToRead:
                case ReadState::Waiting:
                    // A FIFO's end may come without a word from poll() (see EndOfFileProbeNs).
                    awaitingEndOfFile = awaitingEndOfFile || target.channel == Channel::Fifo;
                    break;
                }
            }
        }
    }

    //! Opens the pipe again if a fresh FIFO has taken its place since it answered nothing.
    bool reopenAfterEmptyAnswer(Target &target)
    {
        ProcessUsers users(target.pid);
        struct stat status;
        if (target.emptyAnswerRetries == MaxEmptyAnswerRetries || !users.known()
            || ::fstatat(m_directoryFd, target.name.constData(), &status, AT_SYMLINK_NOFOLLOW) != 0
            || (status.st_dev == target.device && status.st_ino == target.inode)) {
            return false;
        }
        ++target.emptyAnswerRetries;
        close(target);
        target.writerSeen = false;
        return openFifo(target, users);
    }

    enum class ReadState : quint8 {
        Waiting, //!< nothing to read now; the writer is still connected
        MoreToRead, //!< a whole chunk was read: the other entries have their turn first
        Ended, //!< end-of-file, or the FIFO's byte limit
        Settled, //!< no answer from this target in this sweep, and reported so
    };

    /*!
     * Reads what the entry holds now, up to one chunk, so that every entry gets its turn in each
     * round of poll(); a text shorter than a chunk is read to its end-of-file in the same turn.
     */
    ReadState readSome(Target &target, std::vector<char> &buffer)
    {
        qsizetype readThisTurn = 0;
        while (readThisTurn < ReadChunk) {
            // One byte beyond the limit tells text that is exactly at the limit from text over it.
            const qint64 allowance = m_options.maxBytesPerPipe + 1 - target.bytesRead();
            const ssize_t count =
                ::read(target.fd, buffer.data(),
                       size_t(std::min<qint64>(allowance, ReadChunk - readThisTurn)));
            if (count < 0) {
                if (errno == EINTR)
                    continue;
                if (errno == EAGAIN)
                    return ReadState::Waiting;
                reportUnanswered(
                    target, UnansweredReason::Failed,
                    QStringLiteral("reading %1 failed: %2")
                        .arg(QFile::decodeName(target.name), PipeDirectory::errorText(errno)));
                recordAnswered(target); // it cost no waiting
                return ReadState::Settled;
            }
            if (count == 0)
                return ReadState::Ended; // end-of-file: the writer has said everything
            readThisTurn += count;
            if (!take(target, QByteArrayView(buffer.data(), count)))
                return target.channel == Channel::Fifo ? ReadState::Ended : ReadState::Settled;
        }
        return ReadState::MoreToRead;
    }

    //! Takes what was read; false when the byte limit ends the text.
    bool take(Target &target, QByteArrayView bytes)
    {
        const bool overLimit = target.bytesRead() + bytes.size() > m_options.maxBytesPerPipe;
        if (target.channel == Channel::Socket) {
            if (overLimit) {
                // A socket's text counts only whole, up to its end record: none of it is read.
                reportUnanswered(target, UnansweredReason::Incomplete,
                                 QStringLiteral("sent more than %1 bytes on its socket")
                                     .arg(m_options.maxBytesPerPipe));
                recordAnswered(target);
                target.socketText.reset();
                return false;
            }
            target.socketText->feed(bytes);
            return true;
        }
        if (overLimit) {
            target.fifoText->feed(bytes.first(m_options.maxBytesPerPipe - target.bytesRead()));
            target.fifoText->cut();
            return false;
        }
        target.fifoText->feed(bytes);
        return true;
    }

    void finish(Target &target)
    {
        close(target);
        if (target.channel == Channel::Socket) {
            finishSocket(target);
            return;
        }
        if (target.bytesRead() == 0) {
            // Not an answer: every reader of the same instant gets an empty read, and a
            // process counted with no statistics would make totals wrong.
            reportUnanswered(
                target, UnansweredReason::Empty,
                target.emptyAnswerRetries > 0
                    ? QStringLiteral("its FIFO sent nothing, also when asked %1 more times")
                          .arg(target.emptyAnswerRetries)
                    : QStringLiteral("its FIFO sent nothing"));
            recordAnswered(target);
            return;
        }
        if (!target.fifoText->process.truncated)
            target.fifoText->finish();
        ProcessStats process = std::move(target.fifoText->process);
        target.fifoText.reset();
        process.pid = target.pid;
        process.channel = Channel::Fifo;
        recordAnswered(target);
        m_result.processes.append(std::move(process));
    }

    void finishSocket(Target &target)
    {
        const qint64 bytes = target.bytesRead();
        SnapshotFormat::ParseResult parsed = target.socketText->finish();
        target.socketText.reset();
        recordAnswered(target);
        if (!parsed.complete) {
            reportUnanswered(
                target, UnansweredReason::Incomplete,
                QStringLiteral("its socket sent %1 bytes that are not a complete snapshot: %2")
                    .arg(bytes)
                    .arg(SnapshotFormat::describe(parsed.error)));
            return;
        }
        ProcessStats process;
        process.pid = target.pid;
        process.channel = Channel::Socket;
        process.stats = std::move(parsed.snapshot.stats);
        process.windows = std::move(parsed.snapshot.windows);
        process.rejectedLines = parsed.rejectedLines;
        process.snapshotRejections = std::move(parsed.rejections);
        m_result.processes.append(std::move(process));
    }

    void recordAnswered(const Target &target)
    {
        if (m_backoff)
            m_backoff->recordAnswer(target.backoffKey());
    }

    //! What is still open at the deadline: stale entries are removed, live ones reported.
    void settleUnanswered()
    {
        for (Target &target : m_targets) {
            if (target.fd < 0)
                continue;
            close(target);
            const char *const what = target.channel == Channel::Socket ? "socket" : "pipe";
            if (!ProcessInfo::exists(target.pid)) {
                if (removeStale(target.name, target.device, target.inode,
                                QStringLiteral("process %1 no longer exists").arg(target.pid)))
                    m_result.removed.append(target.pid);
                continue;
            }
            if (!target.writerSeen && ProcessInfo::startedAfter(target.pid, target.modifiedNs)) {
                // Nobody ever wrote: pid reuse is possible. A writer that did connect is alive.
                if (removeStale(target.name, target.device, target.inode,
                                QStringLiteral(
                                    "pid %1 now belongs to a process started after the %2 was made")
                                    .arg(target.pid)
                                    .arg(QLatin1StringView(what)))) {
                    m_result.removed.append(target.pid);
                }
                continue;
            }
            if (m_backoff)
                m_backoff->recordFailure(target.backoffKey());
            const qint64 bytes = target.bytesRead();
            if (bytes > 0) {
                reportUnanswered(target, UnansweredReason::Unfinished,
                                 QStringLiteral("its %1 was still sending at the deadline (%2 ms): "
                                                "cut after %3 bytes, none counted")
                                     .arg(QLatin1StringView(what))
                                     .arg(m_options.timeoutMs)
                                     .arg(bytes));
            } else {
                reportUnanswered(target, UnansweredReason::NoAnswer,
                                 QStringLiteral("its %1 sent nothing within the deadline (%2 ms)")
                                     .arg(QLatin1StringView(what))
                                     .arg(m_options.timeoutMs));
            }
            target.fifoText.reset();
            target.socketText.reset();
        }
    }

    //! Removes \a name if it is still the file judged stale, not one a new process put there.
    bool removeStale(const QByteArray &name, dev_t device, ino_t inode, const QString &reason)
    {
        struct stat status;
        if (::fstatat(m_directoryFd, name.constData(), &status, AT_SYMLINK_NOFOLLOW) != 0
            || status.st_dev != device || status.st_ino != inode) {
            return false;
        }
        if (::unlinkat(m_directoryFd, name.constData(), 0) != 0) {
            if (errno != ENOENT) {
                m_result.problems.append(QStringLiteral("cannot remove stale entry %1/%2 (%3): %4")
                                             .arg(m_directoryName, QFile::decodeName(name), reason,
                                                  PipeDirectory::errorText(errno)));
            }
            return false;
        }
        qCInfo(lcStatventWeb, "removed stale pipe %s/%s: %s", qUtf8Printable(m_directoryName),
               name.constData(), qUtf8Printable(reason));
        return true;
    }

    static void close(Target &target)
    {
        if (target.fd >= 0) {
            ::close(target.fd);
            target.fd = -1;
        }
    }

    const PipeSweep::Options &m_options;
    PipeBackoff *const m_backoff;
    //! The processes of the sweep before, by ascending pid.
    const QList<ProcessStats> &m_previous;
    SweepResult &m_result;
    const QString m_directoryName;
    int m_directoryFd = -1;
    std::map<qint64, Candidate> m_candidates;
    std::vector<Target> m_targets;
};

} // namespace

SweepResult PipeSweep::run(const Options &options, PipeBackoff *backoff,
                           const QList<ProcessStats> &previous)
{
    QElapsedTimer clock;
    clock.start();
    const QDeadlineTimer deadline(std::chrono::milliseconds(options.timeoutMs), Qt::PreciseTimer);
    SweepResult result;
    {
        Sweep sweep(options, backoff, previous, result);
        sweep.run(deadline);
    }
    auto byPid = [](const auto &a, const auto &b) { return a.pid < b.pid; };
    std::sort(result.processes.begin(), result.processes.end(), byPid);
    std::sort(result.unanswered.begin(), result.unanswered.end());
    std::sort(result.unansweredDetails.begin(), result.unansweredDetails.end(), byPid);
    std::stable_sort(result.refused.begin(), result.refused.end(), byPid);
    std::sort(result.removed.begin(), result.removed.end());
    result.timestamp = double(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
    result.duration = double(clock.nsecsElapsed()) / 1e9;
    return result;
}

} // namespace StatventWeb

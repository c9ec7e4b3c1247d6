// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "pipeacceptor.h"

#include "logging.h"
#include "snapshotwriter.h"
#include "statvent/pipedirectory.h"

#include <QDir>
#include <QFile>

#include <atomic>
#include <cerrno>
#include <cstdio>

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace Statvent::Detail {

namespace {

constexpr uint32_t FifoEvents = IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF;
constexpr uint32_t DirectoryEvents = IN_DELETE_SELF | IN_MOVE_SELF;
constexpr int RetryIntervalMs = 1000;
//! Without inotify, how often the repair thread checks that the pipe is still in place.
constexpr int RepairCheckIntervalMs = 1000;

QString errnoText()
{
    return PipeDirectory::errorText(errno);
}

QByteArray procPath(int fd)
{
    char path[32];
    std::snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return QByteArray(path);
}

QString fileKind(const struct stat &info)
{
    // Only a FIFO or socket of this user may be replaced, so one that is refused is another
    // user's.
    const QString type = PipeDirectory::describeFileType(info.st_mode);
    return S_ISFIFO(info.st_mode) || S_ISSOCK(info.st_mode)
        ? type + QStringLiteral(" of another user")
        : type;
}

//! The process's umask, read without changing it (umask() would, for every thread at once).
mode_t processUmask()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (status.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("Umask:"))
                return mode_t(line.sliced(6).trimmed().toUInt(nullptr, 8));
        }
    }
    return 022;
}

bool isOurFifo(const struct stat &info)
{
    return S_ISFIFO(info.st_mode) && info.st_uid == ::geteuid();
}

bool isOurSocket(const struct stat &info)
{
    return S_ISSOCK(info.st_mode) && info.st_uid == ::geteuid();
}

} // namespace

PipeAcceptor::PipeAcceptor(const QString &directory, SnapshotWriter *writer)
    : m_directory(directory)
    , m_name(PipeDirectory::pipeName(::getpid()))
    , m_spareName(PipeDirectory::spareName(::getpid()))
    , m_socketName(PipeDirectory::socketName(::getpid()))
    , m_writer(writer)
{
}

PipeAcceptor::~PipeAcceptor()
{
    stop();
}

bool PipeAcceptor::start(QString *problem)
{
    std::unique_lock locker(m_mutex);
    m_stopping = false;
    m_inotifyFd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (m_inotifyFd < 0) {
        // Optional: without it, a deleted pipe is put back within a second instead of at once.
        static std::atomic<bool> warned{false};
        if (!warned.exchange(true)) {
            qCWarning(lcStatventRecorder).noquote()
                << QStringLiteral("no inotify instance left (%1): a deleted or replaced pipe is "
                                  "noticed by a check every second instead of at once")
                       .arg(errnoText());
        }
    }
    m_reserveFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    QString fifoProblem;
    QString socketProblem;
    const bool fifo = openDirectory(problem) && publish(&fifoProblem);
    const bool socket = problem->isEmpty() && publishSocket(&socketProblem);
    if (!fifo && !socket) {
        if (problem->isEmpty())
            *problem = fifoProblem + QStringLiteral("; ") + socketProblem;
        locker.unlock();
        stop();
        return false;
    }
    // One door is enough: the other is retried every second, and said so once.
    if (!fifo) {
        m_problem = fifoProblem;
        qCWarning(lcStatventRecorder).noquote()
            << fifoProblem << "- serving through" << describePath(m_socketName)
            << "only, retrying every second";
    }
    if (!socket) {
        m_socketProblem = socketProblem;
        qCWarning(lcStatventRecorder).noquote()
            << socketProblem << "- serving through" << describePath(m_name)
            << "only, retrying every second";
    }
    locker.unlock();
    if (!m_acceptThread.start(QStringLiteral("statvent-recorder"), [this] { acceptLoop(); })
        || !m_repairThread.start(QStringLiteral("statvent-repair"), [this] { repairLoop(); })) {
        *problem = QStringLiteral("cannot create an eventfd descriptor: ") + errnoText();
        stop();
        return false;
    }
    return true;
}

void PipeAcceptor::stop()
{
    {
        std::unique_lock locker(m_mutex);
        m_stopping = true;
        releaseWaitingOpen();
        m_releaseAnsweredChanged.notify_all(); // a repair waiting for the accept thread gives up
    }
    m_acceptThread.stop();
    m_repairThread.stop();
    std::unique_lock locker(m_mutex);
    closeRelease();
    if (m_directoryFd >= 0)
        unlinkIfOurs(m_name, m_current);
    discard(m_current);
    withdrawSocket();
    closeDirectory();
    for (int *fd : {&m_inotifyFd, &m_reserveFd}) {
        if (*fd >= 0)
            ::close(*fd);
        *fd = -1;
    }
}

void PipeAcceptor::acceptLoop()
{
    for (;;) {
        QByteArray waitingOn;
        {
            std::unique_lock locker(m_mutex);
            if (m_stopping)
                return;
            if (!m_current.isOpen())
                publishOrReport();
            if (m_current.isOpen())
                waitingOn = procPath(m_current.pathFd);
        }
        if (waitingOn.isEmpty()) {
            waitBeforeRetrying();
            continue;
        }

        // Returns when a reader opens the FIFO, or when this process does to stop or repair.
        const int fd = ::open(waitingOn.constData(), O_WRONLY | O_CLOEXEC);
        const int openError = errno;
        Fifo connected;
        {
            std::unique_lock locker(m_mutex);
            // The thread that released this open closes its own reader once told.
            m_releaseAnswered = true;
            m_releaseAnsweredChanged.notify_all();
            if (m_stopping) {
                if (fd >= 0)
                    ::close(fd);
                return;
            }
            if (fd < 0) {
                if (openError == EINTR)
                    continue;
                qCWarning(lcStatventRecorder).noquote()
                    << "cannot wait for a reader of" << describePath(m_name) + u':'
                    << PipeDirectory::errorText(openError);
                locker.unlock();
                waitBeforeRetrying();
                continue;
            }
            // The swap comes first: until it is done, a second reader would share this FIFO.
            connected = m_current;
            m_current = {};
            publishOrReport();
        }
        // Moved, not shared: the writer thread alone holds the key (and forgets it once counted).
        m_writer->serve(fd, std::move(connected.readerKey));
        std::unique_lock locker(m_mutex);
        discard(connected);
    }
}

void PipeAcceptor::waitBeforeRetrying()
{
    pollfd polled{m_acceptThread.wakeFd(), POLLIN, 0};
    ::poll(&polled, 1, RetryIntervalMs);
    m_acceptThread.consumeWakeUps();
}

void PipeAcceptor::repairLoop()
{
    alignas(inotify_event) char events[4096];
    while (!m_repairThread.stopRequested()) {
        pollfd polled[2] = {{m_repairThread.wakeFd(), POLLIN, 0}, {m_inotifyFd, POLLIN, 0}};
        const bool watching = m_inotifyFd >= 0;
        bool retrying;
        {
            std::unique_lock locker(m_mutex);
            retrying = !m_socketProblem.isEmpty();
        }
        if (::poll(polled, watching ? 2 : 1, watching && !retrying ? -1 : RepairCheckIntervalMs) < 0
            && errno != EINTR)
            break;
        if (m_repairThread.stopRequested())
            break;
        while (watching && ::read(m_inotifyFd, events, sizeof events) > 0) {
            // Any event is reason enough to look: the checks below are what decide.
        }
        std::unique_lock locker(m_mutex);
        if (m_stopping)
            break;
        if (m_current.isOpen() && !(directoryIsCurrent() && pathIsCurrent())
            && releaseWaitingOpen()) {
            m_releaseAnsweredChanged.wait(locker,
                                          [this] { return m_releaseAnswered || m_stopping; });
            closeRelease();
        }
        if (!m_socket.published || !directoryIsCurrent() || !socketIsCurrent())
            publishSocketOrReport();
    }
}

void PipeAcceptor::publishOrReport()
{
    QString problem;
    const bool published = publish(&problem);
    reportOutcome(published, problem, m_name, &m_problem);
}

void PipeAcceptor::reportOutcome(bool published, const QString &problem, const QByteArray &name,
                                 QString *lastProblem)
{
    if (published) {
        if (!lastProblem->isEmpty())
            qCInfo(lcStatventRecorder).noquote()
                << "serving statistics through" << describePath(name) << "again";
        lastProblem->clear();
        return;
    }
    if (problem != *lastProblem)
        qCWarning(lcStatventRecorder).noquote() << problem << "- retrying every second";
    *lastProblem = problem;
}

bool PipeAcceptor::ensureDirectory(QString *problem)
{
    if (directoryIsCurrent())
        return true;
    closeDirectory();
    return openDirectory(problem);
}

bool PipeAcceptor::publish(QString *problem)
{
    if (!ensureDirectory(problem))
        return false;
    Fifo next;
    if (!makeFifo(&next, problem))
        return false;
    struct stat info;
    if (::fstatat(m_directoryFd, m_name.constData(), &info, AT_SYMLINK_NOFOLLOW) == 0
        && !isOurFifo(info)) {
        *problem = QStringLiteral("refusing to replace %1: it is %2, not a FIFO made by this user")
                       .arg(describePath(m_name), fileKind(info));
    } else if (::renameat(m_directoryFd, m_spareName.constData(), m_directoryFd, m_name.constData())
               < 0) {
        *problem = QStringLiteral("cannot publish %1: %2").arg(describePath(m_name), errnoText());
    } else {
        discard(m_current);
        m_current = next;
        if (m_inotifyFd >= 0)
            m_current.watch =
                inotify_add_watch(m_inotifyFd, procPath(m_current.pathFd).constData(), FifoEvents);
        return true;
    }
    ::unlinkat(m_directoryFd, m_spareName.constData(), 0);
    discard(next);
    return false;
}

void PipeAcceptor::publishSocketOrReport()
{
    QString problem;
    const bool published = publishSocket(&problem);
    reportOutcome(published, problem, m_socketName, &m_socketProblem);
}

bool PipeAcceptor::publishSocket(QString *problem)
{
    withdrawSocket();
    if (!ensureDirectory(problem))
        return false;
    struct stat info;
    // A socket left by an earlier process that had our pid (and was killed) is ours to replace.
    if (::fstatat(m_directoryFd, m_socketName.constData(), &info, AT_SYMLINK_NOFOLLOW) == 0) {
        if (!isOurSocket(info)) {
            *problem =
                QStringLiteral("refusing to replace %1: it is %2, not a socket made by this user")
                    .arg(describePath(m_socketName), fileKind(info));
            return false;
        }
        ::unlinkat(m_directoryFd, m_socketName.constData(), 0);
    }
    if (!clearSpare(problem))
        return false;
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *problem = QStringLiteral("cannot create a socket: ") + errnoText();
        return false;
    }
    // Made listening under the spare name and only then renamed into place: a reader that
    // connects the instant `<pid>.sock` appears is never refused (a socket bound under its name
    // refuses connections until listen()). Bound relative to the directory's descriptor: short
    // whatever the directory's path, and bind() never replaces nor follows anything at the name.
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "/proc/self/fd/%d/%s", m_directoryFd,
                  m_spareName.constData());
    if (::bind(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) < 0) {
        *problem = QStringLiteral("cannot create the socket %1: %2")
                       .arg(describePath(m_spareName), errnoText());
        ::close(fd);
        return false;
    }
    // Connecting takes write permission: whoever may read the FIFO (0644 less the umask) may
    // connect. The mode cannot be given to bind(), and the umask is the process's, not ours.
    const mode_t readable = 0444 & ~processUmask();
    if (::fchmodat(m_directoryFd, m_spareName.constData(), readable | (readable >> 1),
                   AT_SYMLINK_NOFOLLOW)
            < 0
        || ::fstatat(m_directoryFd, m_spareName.constData(), &info, AT_SYMLINK_NOFOLLOW) < 0
        || !S_ISSOCK(info.st_mode) || ::listen(fd, SOMAXCONN) < 0) {
        *problem = QStringLiteral("cannot set up the socket %1: %2")
                       .arg(describePath(m_spareName), errnoText());
        ::unlinkat(m_directoryFd, m_spareName.constData(), 0);
        ::close(fd);
        return false;
    }
    // Watched before it is published: a watch follows the inode, not the name, and one added
    // after the rename could come too late, when a reader had already deleted the name (the
    // watch then fails, and the socket was never made again). Our own rename wakes the repair
    // thread once, which finds the socket current.
    const int watch = m_inotifyFd < 0
        ? -1
        : inotify_add_watch(m_inotifyFd,
                            QByteArray(procPath(m_directoryFd) + '/' + m_spareName).constData(),
                            FifoEvents | IN_DONT_FOLLOW);
    // RENAME_NOREPLACE: whatever appeared at the name meanwhile is not ours to replace.
    if (::renameat2(m_directoryFd, m_spareName.constData(), m_directoryFd, m_socketName.constData(),
                    RENAME_NOREPLACE)
        < 0) {
        *problem =
            QStringLiteral("cannot publish %1: %2").arg(describePath(m_socketName), errnoText());
        if (watch >= 0)
            inotify_rm_watch(m_inotifyFd, watch);
        ::unlinkat(m_directoryFd, m_spareName.constData(), 0);
        ::close(fd);
        return false;
    }
    m_socket.published = true;
    m_socket.device = info.st_dev;
    m_socket.inode = info.st_ino;
    m_socket.watch = watch;
    m_writer->setListeningSocket(fd);
    return true;
}

bool PipeAcceptor::socketIsCurrent() const
{
    struct stat info;
    return m_socket.published
        && ::fstatat(m_directoryFd, m_socketName.constData(), &info, AT_SYMLINK_NOFOLLOW) == 0
        && info.st_dev == m_socket.device && info.st_ino == m_socket.inode;
}

void PipeAcceptor::withdrawSocket()
{
    if (!m_socket.published)
        return;
    if (m_socket.watch >= 0 && m_inotifyFd >= 0)
        inotify_rm_watch(m_inotifyFd, m_socket.watch);
    if (m_directoryFd >= 0 && socketIsCurrent())
        ::unlinkat(m_directoryFd, m_socketName.constData(), 0);
    m_writer->setListeningSocket(-1);
    m_socket = {};
}

bool PipeAcceptor::releaseWaitingOpen()
{
    if (m_releaseFd >= 0 || !m_current.isOpen())
        return false;
    m_releaseAnswered = false;
    const QByteArray path = procPath(m_current.pathFd);
    m_releaseFd = ::open(path.constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (m_releaseFd < 0 && (errno == EMFILE || errno == ENFILE) && m_reserveFd >= 0) {
        // The application has run out of descriptors: the reserve makes room for this one.
        ::close(m_reserveFd);
        m_reserveFd = -1;
        m_releaseFd = ::open(path.constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    }
    if (m_releaseFd < 0)
        qCWarning(lcStatventRecorder).noquote()
            << "cannot wake the recorder's accept thread:" << errnoText();
    return m_releaseFd >= 0;
}

void PipeAcceptor::closeRelease()
{
    if (m_releaseFd >= 0)
        ::close(m_releaseFd);
    m_releaseFd = -1;
    if (m_reserveFd < 0)
        m_reserveFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

bool PipeAcceptor::openDirectory(QString *problem)
{
    const QByteArray path = QFile::encodeName(m_directory);
    if (::mkdir(path.constData(), 0755) < 0 && errno != EEXIST) {
        if (errno != ENOENT || !QDir().mkpath(m_directory)) {
            *problem = QStringLiteral("cannot create the pipe directory %1: %2")
                           .arg(m_directory, errnoText());
            return false;
        }
        ::chmod(path.constData(), 0755);
    }
    m_directoryFd = ::open(path.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat info;
    if (m_directoryFd < 0 || ::fstat(m_directoryFd, &info) < 0) {
        *problem =
            QStringLiteral("cannot open the pipe directory %1: %2").arg(m_directory, errnoText());
        closeDirectory();
        return false;
    }
    if (::faccessat(m_directoryFd, ".", W_OK | X_OK, AT_EACCESS) < 0) {
        *problem = QStringLiteral("the pipe directory %1 is not writable: %2")
                       .arg(m_directory, errnoText());
        closeDirectory();
        return false;
    }
    m_directoryDevice = info.st_dev;
    m_directoryInode = info.st_ino;
    if (m_inotifyFd >= 0)
        m_directoryWatch =
            inotify_add_watch(m_inotifyFd, procPath(m_directoryFd).constData(), DirectoryEvents);
    return true;
}

void PipeAcceptor::closeDirectory()
{
    if (m_directoryWatch >= 0 && m_inotifyFd >= 0)
        inotify_rm_watch(m_inotifyFd, m_directoryWatch);
    m_directoryWatch = -1;
    if (m_directoryFd >= 0)
        ::close(m_directoryFd);
    m_directoryFd = -1;
}

bool PipeAcceptor::directoryIsCurrent() const
{
    struct stat info;
    return m_directoryFd >= 0 && ::stat(QFile::encodeName(m_directory).constData(), &info) == 0
        && info.st_dev == m_directoryDevice && info.st_ino == m_directoryInode;
}

bool PipeAcceptor::pathIsCurrent() const
{
    struct stat info;
    return ::fstatat(m_directoryFd, m_name.constData(), &info, AT_SYMLINK_NOFOLLOW) == 0
        && info.st_dev == m_current.device && info.st_ino == m_current.inode;
}

bool PipeAcceptor::makeFifo(Fifo *fifo, QString *problem)
{
    if (!clearSpare(problem))
        return false;
    struct stat info;
    if (::mkfifoat(m_directoryFd, m_spareName.constData(), 0644) < 0) {
        *problem = QStringLiteral("cannot create the FIFO %1: %2")
                       .arg(describePath(m_spareName), errnoText());
        return false;
    }
    // O_PATH names the FIFO without opening either end; O_NOFOLLOW and the checks below make
    // sure it is the FIFO just made, not something swapped in meanwhile.
    fifo->pathFd =
        ::openat(m_directoryFd, m_spareName.constData(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fifo->pathFd < 0 || ::fstat(fifo->pathFd, &info) < 0 || !isOurFifo(info)) {
        *problem = QStringLiteral("cannot open the FIFO just made, %1: %2")
                       .arg(describePath(m_spareName), errnoText());
        ::unlinkat(m_directoryFd, m_spareName.constData(), 0);
        discard(*fifo);
        return false;
    }
    fifo->device = info.st_dev;
    fifo->inode = info.st_ino;
    fifo->readerKey = m_writer->readerCounter().watch(fifo->pathFd);
    return true;
}

bool PipeAcceptor::clearSpare(QString *problem)
{
    struct stat info;
    // A spare left by an earlier process that had our pid (and was killed) is ours to replace.
    if (::fstatat(m_directoryFd, m_spareName.constData(), &info, AT_SYMLINK_NOFOLLOW) == 0) {
        if (!isOurFifo(info) && !isOurSocket(info)) {
            *problem = QStringLiteral("refusing to replace %1: it is %2")
                           .arg(describePath(m_spareName), fileKind(info));
            return false;
        }
        ::unlinkat(m_directoryFd, m_spareName.constData(), 0);
    }
    return true;
}

void PipeAcceptor::discard(Fifo &fifo)
{
    if (fifo.watch >= 0 && m_inotifyFd >= 0)
        inotify_rm_watch(m_inotifyFd, fifo.watch);
    if (fifo.pathFd >= 0) {
        m_writer->readerCounter().unwatch(fifo.pathFd, fifo.readerKey);
        ::close(fifo.pathFd);
    }
    fifo = {};
}

void PipeAcceptor::unlinkIfOurs(const QByteArray &name, const Fifo &fifo)
{
    struct stat info;
    if (fifo.isOpen() && ::fstatat(m_directoryFd, name.constData(), &info, AT_SYMLINK_NOFOLLOW) == 0
        && info.st_dev == fifo.device && info.st_ino == fifo.inode)
        ::unlinkat(m_directoryFd, name.constData(), 0);
}

QString PipeAcceptor::describePath(const QByteArray &name) const
{
    return m_directory + u'/' + QFile::decodeName(name);
}

} // namespace Statvent::Detail

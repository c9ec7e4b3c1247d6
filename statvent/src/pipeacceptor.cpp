// SPDX-License-Identifier: MIT
#include "pipeacceptor.h"

#include "logging.h"
#include "snapshotwriter.h"
#include "statvent/pipedirectory.h"

#include <QDir>
#include <QFile>

#include <cerrno>
#include <cstdio>

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Statvent::Detail {

namespace {

constexpr uint32_t FifoEvents = IN_OPEN | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF;
constexpr uint32_t DirectoryEvents = IN_DELETE_SELF | IN_MOVE_SELF;
constexpr int RetryIntervalMs = 1000;

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
    // Only a FIFO of this user may be replaced, so a FIFO that is refused is another user's.
    const QString type = PipeDirectory::describeFileType(info.st_mode);
    return S_ISFIFO(info.st_mode) ? type + QStringLiteral(" of another user") : type;
}

} // namespace

PipeAcceptor::PipeAcceptor(const QString &directory, SnapshotWriter *writer)
    : m_directory(directory)
    , m_name(PipeDirectory::pipeName(::getpid()))
    , m_spareName(PipeDirectory::spareName(::getpid()))
    , m_writer(writer)
{
}

PipeAcceptor::~PipeAcceptor()
{
    stop();
}

bool PipeAcceptor::start(QString *problem)
{
    m_inotifyFd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (m_inotifyFd < 0) {
        *problem = QStringLiteral("cannot create an inotify descriptor: ") + errnoText();
        return false;
    }
    if (!openDirectory(problem) || !makeSpare(problem) || !publishSpare(problem) || !makeSpare(problem)
        || !m_thread.start(QStringLiteral("statvent-recorder"), [this] { run(); })) {
        if (problem->isEmpty())
            *problem = QStringLiteral("cannot create an eventfd descriptor: ") + errnoText();
        stop();
        return false;
    }
    return true;
}

void PipeAcceptor::stop()
{
    m_thread.stop();
    if (m_directoryFd >= 0) {
        unlinkIfOurs(m_name, m_current);
        unlinkIfOurs(m_spareName, m_spare);
    }
    discard(m_current);
    discard(m_spare);
    for (int *fd : {&m_directoryFd, &m_inotifyFd}) {
        if (*fd >= 0)
            ::close(*fd);
        *fd = -1;
    }
    m_directoryWatch = -1;
}

void PipeAcceptor::run()
{
    alignas(inotify_event) char events[4096];
    bool retrying = false;
    while (!m_thread.stopRequested()) {
        pollfd polled[2] = {{m_thread.wakeFd(), POLLIN, 0}, {m_inotifyFd, POLLIN, 0}};
        if (::poll(polled, 2, retrying ? RetryIntervalMs : -1) < 0 && errno != EINTR)
            break;
        if (m_thread.stopRequested())
            break;

        bool readerArrived = false;
        bool pathMayHaveChanged = retrying;
        ssize_t length;
        while ((length = ::read(m_inotifyFd, events, sizeof events)) > 0) {
            for (char *at = events; at < events + length;) {
                const auto *event = reinterpret_cast<const inotify_event *>(at);
                if (event->wd == m_current.watch) {
                    readerArrived |= (event->mask & IN_OPEN) != 0;
                    pathMayHaveChanged |= (event->mask & (IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF)) != 0;
                } else if (event->wd == m_directoryWatch) {
                    pathMayHaveChanged = true;
                }
                at += sizeof(inotify_event) + event->len;
            }
        }
        if (length < 0 && errno == EOVERFLOW)
            pathMayHaveChanged = true;

        if (readerArrived)
            handOffToWriter();
        if (pathMayHaveChanged || !m_current.isOpen()) {
            ensurePublished();
            retrying = !m_problem.isEmpty();
        }
        if (!m_spare.isOpen() && !retrying) {
            QString problem;
            if (!makeSpare(&problem))
                qCWarning(lcStatventRecorder).noquote() << "cannot prepare the next pipe:" << problem;
        }
    }
}

void PipeAcceptor::handOffToWriter()
{
    Fifo connected = m_current;
    m_current = {};
    // The swap comes first: until it is done, a second reader would share this reader's FIFO.
    if (m_spare.isOpen() && ::renameat(m_directoryFd, m_spareName.constData(), m_directoryFd, m_name.constData()) == 0) {
        m_current = m_spare;
        m_spare = {};
    }
    m_writer->serve(connected.fd, connected.readerKey);
    inotify_rm_watch(m_inotifyFd, connected.watch);
}

void PipeAcceptor::ensurePublished()
{
    if (m_current.isOpen() && directoryIsCurrent() && pathIsCurrent()) {
        m_problem.clear();
        return;
    }
    QString problem;
    if (!directoryIsCurrent()) {
        discard(m_spare);
        if (m_directoryWatch >= 0)
            inotify_rm_watch(m_inotifyFd, m_directoryWatch);
        ::close(m_directoryFd);
        m_directoryFd = -1;
        m_directoryWatch = -1;
    }
    const bool published = (m_directoryFd >= 0 || openDirectory(&problem))
        && (m_spare.isOpen() || makeSpare(&problem)) && publishSpare(&problem);
    if (published) {
        if (!m_problem.isEmpty())
            qCInfo(lcStatventRecorder).noquote() << "serving statistics through" << describePath(m_name) << "again";
        m_problem.clear();
        return;
    }
    if (problem != m_problem)
        qCWarning(lcStatventRecorder).noquote() << problem << "- retrying every second";
    m_problem = problem;
}

bool PipeAcceptor::openDirectory(QString *problem)
{
    const QByteArray path = QFile::encodeName(m_directory);
    if (::mkdir(path.constData(), 0755) < 0 && errno != EEXIST) {
        if (errno != ENOENT || !QDir().mkpath(m_directory)) {
            *problem = QStringLiteral("cannot create the pipe directory %1: %2").arg(m_directory, errnoText());
            return false;
        }
        ::chmod(path.constData(), 0755);
    }
    m_directoryFd = ::open(path.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat info;
    if (m_directoryFd < 0 || ::fstat(m_directoryFd, &info) < 0) {
        *problem = QStringLiteral("cannot open the pipe directory %1: %2").arg(m_directory, errnoText());
        return false;
    }
    if (::faccessat(m_directoryFd, ".", W_OK | X_OK, AT_EACCESS) < 0) {
        *problem = QStringLiteral("the pipe directory %1 is not writable: %2").arg(m_directory, errnoText());
        ::close(m_directoryFd);
        m_directoryFd = -1;
        return false;
    }
    m_directoryDevice = info.st_dev;
    m_directoryInode = info.st_ino;
    m_directoryWatch = inotify_add_watch(m_inotifyFd, procPath(m_directoryFd).constData(), DirectoryEvents);
    return true;
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

bool PipeAcceptor::makeSpare(QString *problem)
{
    struct stat info;
    // A spare left by an earlier process that had our pid (and was killed) is ours to replace.
    if (::fstatat(m_directoryFd, m_spareName.constData(), &info, AT_SYMLINK_NOFOLLOW) == 0) {
        if (!S_ISFIFO(info.st_mode) || info.st_uid != ::geteuid()) {
            *problem = QStringLiteral("refusing to replace %1: it is %2").arg(describePath(m_spareName), fileKind(info));
            return false;
        }
        ::unlinkat(m_directoryFd, m_spareName.constData(), 0);
    }
    if (::mkfifoat(m_directoryFd, m_spareName.constData(), 0644) < 0) {
        *problem = QStringLiteral("cannot create the FIFO %1: %2").arg(describePath(m_spareName), errnoText());
        return false;
    }
    // Read-write, so that this process counts as the FIFO's writer from the start (readers
    // never block in open()) without blocking itself. O_NOFOLLOW and the checks below make
    // sure it is the FIFO just made, not something swapped in meanwhile.
    Fifo fifo;
    fifo.fd = ::openat(m_directoryFd, m_spareName.constData(), O_RDWR | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (fifo.fd < 0 || ::fstat(fifo.fd, &info) < 0 || !S_ISFIFO(info.st_mode) || info.st_uid != ::geteuid()) {
        *problem = QStringLiteral("cannot open the FIFO just made, %1: %2").arg(describePath(m_spareName), errnoText());
        discard(fifo);
        return false;
    }
    fifo.device = info.st_dev;
    fifo.inode = info.st_ino;
    fifo.watch = inotify_add_watch(m_inotifyFd, procPath(fifo.fd).constData(), FifoEvents);
    if (fifo.watch < 0) {
        *problem = QStringLiteral("cannot watch %1 (is /proc mounted? are inotify watches exhausted?): %2").arg(describePath(m_spareName), errnoText());
        ::unlinkat(m_directoryFd, m_spareName.constData(), 0);
        discard(fifo);
        return false;
    }
    fifo.readerKey = m_writer->readerCounter().watch(fifo.fd);
    m_spare = fifo;
    return true;
}

bool PipeAcceptor::publishSpare(QString *problem)
{
    struct stat info;
    if (::fstatat(m_directoryFd, m_name.constData(), &info, AT_SYMLINK_NOFOLLOW) == 0
        && (!S_ISFIFO(info.st_mode) || info.st_uid != ::geteuid())) {
        *problem = QStringLiteral("refusing to replace %1: it is %2, not a FIFO made by this user")
                       .arg(describePath(m_name), fileKind(info));
        return false;
    }
    if (::renameat(m_directoryFd, m_spareName.constData(), m_directoryFd, m_name.constData()) < 0) {
        *problem = QStringLiteral("cannot publish %1: %2").arg(describePath(m_name), errnoText());
        return false;
    }
    discard(m_current);
    m_current = m_spare;
    m_spare = {};
    return true;
}

void PipeAcceptor::discard(Fifo &fifo)
{
    if (fifo.watch >= 0 && m_inotifyFd >= 0)
        inotify_rm_watch(m_inotifyFd, fifo.watch);
    if (fifo.fd >= 0) {
        m_writer->readerCounter().unwatch(fifo.fd, fifo.readerKey);
        ::close(fifo.fd);
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

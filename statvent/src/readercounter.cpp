// SPDX-License-Identifier: MIT
#include "readercounter.h"

#include "logging.h"

#include <QMutexLocker>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/fanotify.h>
#include <unistd.h>

namespace Statvent::Detail {

namespace {

// A file_handle with room for any handle a local filesystem makes.
struct alignas(file_handle) HandleBuffer
{
    char bytes[sizeof(file_handle) + MAX_HANDLE_SZ];
};

QByteArray handleKey(const file_handle *handle)
{
    // The type and the bytes; fanotify and name_to_handle_at() agree on both for local filesystems.
    QByteArray key(reinterpret_cast<const char *>(&handle->handle_type), sizeof handle->handle_type);
    key.append(reinterpret_cast<const char *>(handle->f_handle), qsizetype(handle->handle_bytes));
    return key;
}

} // namespace

ReaderCounter::ReaderCounter()
{
    m_fanotifyFd = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_FID | FAN_NONBLOCK | FAN_CLOEXEC, O_RDONLY);
    if (m_fanotifyFd < 0)
        qCDebug(lcStatventRecorder) << "readers opening the pipe at the same moment cannot be told apart (fanotify:" << std::strerror(errno) << ')';
}

ReaderCounter::~ReaderCounter()
{
    if (m_fanotifyFd >= 0)
        ::close(m_fanotifyFd);
}

QByteArray ReaderCounter::handleOf(int fd)
{
    HandleBuffer buffer;
    auto *handle = reinterpret_cast<file_handle *>(buffer.bytes);
    handle->handle_bytes = MAX_HANDLE_SZ;
    int mountId;
    if (::name_to_handle_at(fd, "", handle, &mountId, AT_EMPTY_PATH) < 0)
        return {};
    return handleKey(handle);
}

void ReaderCounter::watch(int fd)
{
    if (m_fanotifyFd < 0)
        return;
    const QByteArray handle = handleOf(fd);
    if (handle.isEmpty() || fanotify_mark(m_fanotifyFd, FAN_MARK_ADD, FAN_OPEN, fd, nullptr) < 0) {
        qCDebug(lcStatventRecorder) << "cannot count the readers of a pipe:" << std::strerror(errno);
        return;
    }
    QMutexLocker locker(&m_mutex);
    m_openers.insert(handle, 0);
}

void ReaderCounter::unwatch(int fd)
{
    if (m_fanotifyFd < 0)
        return;
    const QByteArray handle = handleOf(fd);
    QMutexLocker locker(&m_mutex);
    if (m_openers.remove(handle))
        fanotify_mark(m_fanotifyFd, FAN_MARK_REMOVE, FAN_OPEN, fd, nullptr);
}

int ReaderCounter::openers(int fd)
{
    if (m_fanotifyFd < 0)
        return -1;
    const QByteArray handle = handleOf(fd);
    QMutexLocker locker(&m_mutex);
    collectEvents();
    const auto found = m_openers.constFind(handle);
    // Zero would mean the event named the FIFO differently from name_to_handle_at(): unknown.
    return m_eventsLost || found == m_openers.cend() || *found == 0 ? -1 : *found;
}

void ReaderCounter::collectEvents()
{
    alignas(fanotify_event_metadata) char events[4096];
    ssize_t length;
    while ((length = ::read(m_fanotifyFd, events, sizeof events)) > 0) {
        for (auto *event = reinterpret_cast<const fanotify_event_metadata *>(events); FAN_EVENT_OK(event, length);
             event = FAN_EVENT_NEXT(event, length)) {
            if (event->mask & FAN_Q_OVERFLOW) {
                m_eventsLost = true;
                qCDebug(lcStatventRecorder) << "fanotify lost events: readers of the pipe are no longer counted";
                continue;
            }
            // fanotify keeps the opens of different processes apart; those of one are merged.
            const auto *info = reinterpret_cast<const fanotify_event_info_fid *>(event + 1);
            if (event->event_len < sizeof *event + sizeof *info || info->hdr.info_type != FAN_EVENT_INFO_TYPE_FID)
                continue;
            const auto found = m_openers.find(handleKey(reinterpret_cast<const file_handle *>(info->handle)));
            if (found != m_openers.end())
                ++*found;
        }
    }
}

} // namespace Statvent::Detail

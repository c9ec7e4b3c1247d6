// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "readercounter.h"

#include "logging.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
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

QByteArray handleKey(int type, const char *bytes, unsigned int size)
{
    // The type and the bytes; fanotify and name_to_handle_at() agree on both for local filesystems.
    QByteArray key(reinterpret_cast<const char *>(&type), sizeof type);
    key.append(bytes, qsizetype(size));
    return key;
}

QByteArray procPath(int fd)
{
    char path[32];
    std::snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return QByteArray(path);
}

} // namespace

ReaderCounter::ReaderCounter()
    : m_ownPid(::getpid())
{
    m_fanotifyFd =
        fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_FID | FAN_NONBLOCK | FAN_CLOEXEC, O_RDONLY);
    if (m_fanotifyFd >= 0)
        return;
    // Out of fanotify groups (a user has 128): say so once. A kernel or a sandbox without
    // fanotify for unprivileged users is how things are, not news.
    static std::atomic<bool> warned{false};
    if ((errno == EMFILE || errno == ENFILE) && !warned.exchange(true))
        qCWarning(lcStatventRecorder) << "no fanotify group left (" << std::strerror(errno)
                                      << "): readers opening the pipe at the same moment cannot be "
                                         "told apart, and may share one snapshot";
    else
        qCDebug(lcStatventRecorder)
            << "readers opening the pipe at the same moment cannot be told apart (fanotify:"
            << std::strerror(errno) << ')';
}

ReaderCounter::~ReaderCounter()
{
    if (m_fanotifyFd >= 0)
        ::close(m_fanotifyFd);
}

QByteArray ReaderCounter::watch(int fd)
{
    if (m_fanotifyFd < 0)
        return {};
    HandleBuffer buffer;
    auto *handle = reinterpret_cast<file_handle *>(buffer.bytes);
    handle->handle_bytes = MAX_HANDLE_SZ;
    int mountId;
    if (::name_to_handle_at(fd, "", handle, &mountId, AT_EMPTY_PATH) < 0
        || fanotify_mark(m_fanotifyFd, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, procPath(fd).constData())
            < 0) {
        qCDebug(lcStatventRecorder)
            << "cannot count the readers of a pipe:" << std::strerror(errno);
        return {};
    }
    const QByteArray key =
        handleKey(handle->handle_type, reinterpret_cast<const char *>(handle->f_handle),
                  handle->handle_bytes);
    std::unique_lock locker(m_mutex);
    m_openers.insert(key, 0);
    return key;
}

void ReaderCounter::unwatch(int fd, const QByteArray &key)
{
    if (key.isEmpty())
        return;
    std::unique_lock locker(m_mutex);
    if (m_openers.remove(key))
        fanotify_mark(m_fanotifyFd, FAN_MARK_REMOVE, FAN_OPEN, AT_FDCWD, procPath(fd).constData());
}

void ReaderCounter::forget(const QByteArray &key)
{
    if (key.isEmpty())
        return;
    std::unique_lock locker(m_mutex);
    m_openers.remove(key);
}

int ReaderCounter::openers(const QByteArray &key)
{
    if (key.isEmpty())
        return -1;
    std::unique_lock locker(m_mutex);
    collectEvents();
    const auto found = m_openers.constFind(key);
    // Zero would mean the event named the FIFO differently from name_to_handle_at(): unknown.
    return found == m_openers.cend() || *found <= 0 ? -1 : *found;
}

void ReaderCounter::collectEvents()
{
    char events[4096];
    ssize_t length;
    while ((length = ::read(m_fanotifyFd, events, sizeof events)) > 0) {
        // Records are packed: one with a file handle may leave the next one unaligned, so each
        // part is copied out rather than read in place.
        fanotify_event_metadata event;
        for (ssize_t at = 0; at + ssize_t(sizeof event) <= length; at += event.event_len) {
            std::memcpy(&event, events + at, sizeof event);
            if (event.event_len < sizeof event || at + ssize_t(event.event_len) > length)
                break;
            if (event.mask & FAN_Q_OVERFLOW) {
                // The FIFOs watched until now may have lost opens; those watched later have not.
                for (int &count : m_openers)
                    count = -1;
                qCDebug(lcStatventRecorder)
                    << "fanotify lost events: readers of the pipes made so far are not counted";
                continue;
            }
            // fanotify keeps the opens of different processes apart; those of one are merged.
            // This process's own opens (the recorder waiting for a reader, or waking itself)
            // are not readers.
            if (event.pid == m_ownPid)
                continue;
            fanotify_event_info_fid info;
            file_handle handle;
            const size_t handleAt = sizeof event + sizeof info;
            if (event.event_len < handleAt + sizeof handle)
                continue;
            std::memcpy(&info, events + at + sizeof event, sizeof info);
            std::memcpy(&handle, events + at + handleAt, sizeof handle);
            if (info.hdr.info_type != FAN_EVENT_INFO_TYPE_FID
                || event.event_len < handleAt + sizeof handle + handle.handle_bytes)
                continue;
            const auto found = m_openers.find(handleKey(
                handle.handle_type, events + at + handleAt + sizeof handle, handle.handle_bytes));
            if (found != m_openers.end() && *found >= 0)
                ++*found;
        }
    }
}

} // namespace Statvent::Detail

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_READERCOUNTER_H
#define STATVENT_READERCOUNTER_H

#include <QByteArray>
#include <QHash>

#include <mutex>

#include <sys/types.h>

namespace Statvent::Detail {

/*!
 * Counts the processes that open each of the recorder's FIFOs, so that a FIFO two readers opened
 * together is not served: a byte stream cannot be split per reader, and each would get a part of
 * the snapshot (or one all of it and the other nothing).
 *
 * inotify cannot count them: it folds an event into an identical one still queued, and two
 * readers opening one FIFO at once produce exactly that. fanotify keeps the events of different
 * processes apart. Unprivileged processes may use it since Linux 5.13, on filesystems that have
 * file handles (not overlayfs), and while the user has a fanotify group left (128 by default);
 * elsewhere counting is off and every FIFO counts as having one reader.
 */
class ReaderCounter
{
public:
    ReaderCounter();
    ~ReaderCounter();

    /*!
     * Starts counting the opens of the FIFO \a fd (any descriptor of it, O_PATH included), which
     * nobody else can have opened yet.
     * Returns the FIFO's key for openers(), unwatch() and forget(): its file handle, what
     * fanotify names it by; empty if its opens cannot be counted.
     */
    QByteArray watch(int fd);
    //! Stops counting for the FIFO \a fd (any descriptor of it), watched as \a key.
    void unwatch(int fd, const QByteArray &key);
    /*!
     * Stops counting for the FIFO watched as \a key without a system call, for a FIFO that has
     * lost its name (or is about to): the kernel drops the mark with the FIFO. Being served, it
     * would otherwise keep its reader waiting for that call.
     */
    void forget(const QByteArray &key);
    /*!
     * How many processes have opened the FIFO watched as \a key since watch(), or -1 when that
     * is not known: counting is off, or events were lost since.
     */
    int openers(const QByteArray &key);

private:
    Q_DISABLE_COPY_MOVE(ReaderCounter)

    //! Reads the queued events into m_openers. m_mutex must be held.
    void collectEvents();

    const pid_t m_ownPid;
    int m_fanotifyFd = -1;
    std::mutex m_mutex; // the acceptor thread watches FIFOs, the writer thread counts
    QHash<QByteArray, int> m_openers; // guarded by m_mutex; -1: events were lost
};

} // namespace Statvent::Detail

#endif

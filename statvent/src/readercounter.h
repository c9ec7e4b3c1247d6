// SPDX-License-Identifier: MIT
#ifndef STATVENT_READERCOUNTER_H
#define STATVENT_READERCOUNTER_H

#include <QByteArray>
#include <QHash>
#include <QMutex>

namespace Statvent::Detail {

/*!
 * Counts the processes that open each of the recorder's FIFOs, so that a FIFO two readers opened
 * together is not served: a byte stream cannot be split per reader, and each would get a part of
 * the snapshot (or one all of it and the other nothing).
 *
 * inotify cannot count them: it folds an event into an identical one still queued, and two
 * readers opening one FIFO at once produce exactly that. fanotify keeps the events of different
 * processes apart. Unprivileged processes may use it since Linux 5.13, on filesystems that have
 * file handles (not overlayfs); elsewhere counting is off and every FIFO counts as having one
 * reader, which is how the recorder behaved before.
 */
class ReaderCounter
{
public:
    ReaderCounter();
    ~ReaderCounter();
    ReaderCounter(const ReaderCounter &) = delete;
    ReaderCounter &operator=(const ReaderCounter &) = delete;

    //! Starts counting the opens of the FIFO \a fd, which nobody else can have opened yet.
    void watch(int fd);
    //! Stops counting for the FIFO \a fd; call before closing \a fd.
    void unwatch(int fd);
    /*!
     * How many processes have opened the FIFO \a fd since watch() (those since unwatch() are not
     * counted), or -1 when that is not known: counting is off, or events were lost.
     */
    int openers(int fd);

private:
    //! The FIFO's file handle: what fanotify names it by.
    static QByteArray handleOf(int fd);
    //! Reads the queued events into m_openers. m_mutex must be held.
    void collectEvents();

    int m_fanotifyFd = -1;
    QMutex m_mutex; // the acceptor thread watches FIFOs, the writer thread counts
    QHash<QByteArray, int> m_openers; // guarded by m_mutex
    bool m_eventsLost = false; // guarded by m_mutex
};

} // namespace Statvent::Detail

#endif

// SPDX-License-Identifier: MIT
#ifndef STATVENT_SNAPSHOTWRITER_H
#define STATVENT_SNAPSHOTWRITER_H

#include "readercounter.h"
#include "recorderthread.h"

#include <QByteArray>
#include <QDeadlineTimer>
#include <QMutex>

#include <vector>

namespace Statvent {

class StatRegistry;

namespace Detail {

/*!
 * The recorder's second thread: writes a snapshot into each FIFO a reader has connected to.
 *
 * PipeAcceptor hands over the FIFO (its read-write descriptor) the moment a reader opens it;
 * this thread takes one snapshot for every FIFO handed over together, reopens each FIFO
 * write-only through /proc/self/fd (so that a reader hanging up gives EPIPE instead of a
 * pipe that never drains), drops the read-write descriptor, and writes without blocking,
 * waiting in poll() for slow readers. Large snapshots are streamed as the reader drains them.
 *
 * A FIFO that more than one process opened before the snapshot was written gets nothing: its
 * readers all see end-of-file at once and read again, rather than each taking a part of the
 * snapshot (ReaderCounter).
 *
 * SIGPIPE is blocked in this thread only and a pending one is consumed after EPIPE, so a
 * reader that hangs up early never reaches the application's SIGPIPE disposition.
 */
class SnapshotWriter
{
public:
    //! A reader that takes nothing for this long is dropped (e.g. a stopped `cat`).
    static constexpr int StallTimeoutMs = 10000;

    explicit SnapshotWriter(const StatRegistry *registry);
    ~SnapshotWriter();
    SnapshotWriter(const SnapshotWriter &) = delete;
    SnapshotWriter &operator=(const SnapshotWriter &) = delete;

    bool start();
    //! Stops the thread; deliveries still in progress are cut short.
    void stop();

    /*!
     * Takes ownership of \a readWriteFd, a FIFO a reader has just opened, which readerCounter()
     * watches as \a readerKey (empty if it does not). Thread-safe.
     */
    void serve(int readWriteFd, const QByteArray &readerKey);
    //! Counts who opens the FIFOs to be served: PipeAcceptor watches each before publishing it.
    ReaderCounter &readerCounter() { return m_readerCounter; }

private:
    struct Connection
    {
        int readWriteFd;
        QByteArray readerKey;
    };

    struct Delivery
    {
        int fd;
        QByteArray text;
        qsizetype written;
        QDeadlineTimer stall;
    };

    void run();
    void startDelivery(const Connection &connection, const QByteArray &text);
    //! Writes what the pipe takes now; false once the delivery is over (complete or failed).
    bool continueDelivery(Delivery &delivery);

    const StatRegistry *const m_registry;
    ReaderCounter m_readerCounter;
    RecorderThread m_thread;
    QMutex m_queueMutex;
    std::vector<Connection> m_queue; // guarded by m_queueMutex
    std::vector<Delivery> m_deliveries; // used by the writer thread only
};

} // namespace Detail
} // namespace Statvent

#endif

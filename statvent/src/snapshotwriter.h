// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_SNAPSHOTWRITER_H
#define STATVENT_SNAPSHOTWRITER_H

#include "readercounter.h"
#include "recorderthread.h"

#include <QByteArray>
#include <QDeadlineTimer>

#include <mutex>
#include <optional>
#include <vector>

namespace Statvent {

class StatRegistry;

namespace Detail {

/*!
 * The recorder's delivery thread: writes a snapshot to each reader that has connected.
 *
 * PipeAcceptor hands over the write end of a FIFO the moment a reader opens it; this thread
 * takes one snapshot for every reader handed over together, reopens each FIFO write-only and
 * non-blocking through /proc/self/fd (an open that comes after the reader's, so that a reader
 * that polls sees the hang-up when the snapshot is complete), and writes without blocking,
 * waiting in poll() for slow readers. Large snapshots are streamed as the reader drains them.
 *
 * What readers can make it hold is bounded whatever they do: at most MaxDeliveries readers are
 * served at once (the oldest is dropped for a newcomer, so a reader that opens the pipe
 * thousands of times without reading costs as much as MaxDeliveries readers), and at most
 * MaxSnapshotsInFlight distinct snapshots are kept (a newcomer shares the newest one instead of
 * taking another while that many are still being delivered).
 *
 * A FIFO that more than one process was seen to open before the snapshot was written gets
 * nothing: its readers all see end-of-file at once and read again, rather than each taking a part
 * of the snapshot (ReaderCounter; a reader still inside open() when they are counted is not seen,
 * docs/ARCHITECTURE.md "Known limits"). They are counted again when the delivery ends, and a
 * reader that came late is reported: its readers got parts of the snapshot.
 *
 * SIGPIPE is blocked in this thread only and a pending one is consumed after EPIPE, so a
 * reader that hangs up early never reaches the application's SIGPIPE disposition.
 */
class SnapshotWriter
{
public:
    //! A reader that takes nothing for this long is dropped (e.g. a stopped `cat`).
    static constexpr int StallTimeoutMs = 10000;
    //! Readers served at once, queued ones included; the oldest is dropped for a newcomer.
    static constexpr qsizetype MaxDeliveries = 16;
    //! Distinct snapshots held for readers; past that, newcomers share the newest.
    static constexpr qsizetype MaxSnapshotsInFlight = 2;

    explicit SnapshotWriter(const StatRegistry *registry);
    ~SnapshotWriter();
    Q_DISABLE_COPY_MOVE(SnapshotWriter)

    bool start();
    //! Stops the thread; deliveries still in progress are cut short.
    void stop();

    /*!
     * Takes ownership of \a writeFd, the write end of a FIFO a reader has just opened, which
     * readerCounter() watches as \a readerKey (empty if it does not). Thread-safe.
     */
    void serve(int writeFd, QByteArray readerKey);
    /*!
     * Serves each connection to \a listeningFd (a listening, non-blocking Unix stream socket)
     * its own snapshot, rendered by render(), then end-of-file. Takes ownership; closes
     * the socket it replaces. -1 stops serving a socket. Thread-safe.
     */
    void setListeningSocket(int listeningFd);
    //! Counts who opens the FIFOs to be served: PipeAcceptor watches each before publishing it.
    ReaderCounter &readerCounter() { return m_readerCounter; }

private:
    struct Connection
    {
        int writeFd;
        QByteArray readerKey;
    };

    //! Who opened a FIFO being served: counted again when its delivery ends.
    struct FifoReaders
    {
        QByteArray key; //!< ReaderCounter's; empty for a socket, or if they cannot be counted
        int openers = -1; //!< when the delivery began
    };

    struct Delivery
    {
        int fd;
        bool toSocket;
        QByteArray text;
        qsizetype written;
        QDeadlineTimer stall;
        FifoReaders readers;
    };

    //! One snapshot for the readers that arrive together, through either door.
    struct Batch
    {
        std::optional<QByteArray> pipeText;
        std::optional<QByteArray> socketText;
    };

    void run();
    /*!
     * What a reader of the socket (\a toSocket: SnapshotFormat) or of a FIFO (PipeFormat) gets
     * from \a batch: the one place where a snapshot is rendered. Each text is rendered at most
     * once per batch and only when a reader needs it, straight from the registry's cells: a
     * FIFO's text with no histograms (StatRegistry::snapshotText()), the socket's with them
     * (StatRegistry::typedSnapshotText()).
     */
    QByteArray render(Batch &batch, bool toSocket) const;
    /*!
     * The text for readers that have just arrived through the socket (\a toSocket) or a FIFO:
     * \a batch's, or, when MaxSnapshotsInFlight texts are held and \a batch has rendered nothing yet,
     * the newest one held for the same door.
     */
    QByteArray snapshotForNewcomers(Batch &batch, bool toSocket);
    void startDelivery(const Connection &connection, const QByteArray &text);
    void acceptSocketReaders(Batch &batch);
    //! Adds a delivery, dropping the oldest one if MaxDeliveries are in progress.
    void addDelivery(int fd, bool toSocket, const QByteArray &text, const FifoReaders &readers);
    void endDelivery(const Delivery &delivery);
    //! Writes what the pipe takes now; false once the delivery is over (complete or failed).
    bool continueDelivery(Delivery &delivery);

    const StatRegistry *const m_registry;
    ReaderCounter m_readerCounter;
    RecorderThread m_thread;
    std::mutex m_queueMutex;
    std::vector<Connection> m_queue; // guarded by m_queueMutex
    int m_newListeningFd = -1; // guarded by m_queueMutex, with m_listeningChanged
    bool m_listeningChanged = false; // guarded by m_queueMutex
    int m_listeningFd = -1; // used by the writer thread only
    std::vector<Delivery> m_deliveries; // used by the writer thread only, oldest first
    bool m_droppingReported = false; // used by the writer thread only
};

} // namespace Detail
} // namespace Statvent

#endif

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "snapshotwriter.h"

#include "logging.h"
#include "statvent/statregistry.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Statvent::Detail {

namespace {

// Snapshots above the default 64 KiB pipe buffer get a larger one, so most are written in a
// single call; 1 MiB is the default limit an unprivileged process may ask for.
constexpr qsizetype DefaultPipeBuffer = 64 * 1024;
constexpr qsizetype LargestPipeBuffer = 1024 * 1024;

void consumePendingSigpipe()
{
    sigset_t sigpipe;
    sigemptyset(&sigpipe);
    sigaddset(&sigpipe, SIGPIPE);
    const timespec noWait = {0, 0};
    while (sigtimedwait(&sigpipe, nullptr, &noWait) == SIGPIPE) {
    }
}

} // namespace

SnapshotWriter::SnapshotWriter(const StatRegistry *registry)
    : m_registry(registry)
{
}

SnapshotWriter::~SnapshotWriter()
{
    stop();
}

bool SnapshotWriter::start()
{
    return m_thread.start(QStringLiteral("statvent-writer"), [this] { run(); });
}

void SnapshotWriter::stop()
{
    m_thread.stop();
    std::unique_lock locker(m_queueMutex);
    for (int *fd : {&m_listeningFd, &m_newListeningFd}) {
        if (*fd >= 0)
            ::close(*fd);
        *fd = -1;
    }
    for (const Connection &connection : m_queue) {
        m_readerCounter.forget(connection.readerKey);
        ::close(connection.writeFd);
    }
    m_queue.clear();
}

void SnapshotWriter::serve(int writeFd, QByteArray readerKey)
{
    {
        std::unique_lock locker(m_queueMutex);
        if (qsizetype(m_queue.size()) >= MaxDeliveries) {
            // Readers arrive faster than snapshots are taken: the oldest waiting one goes.
            m_readerCounter.forget(m_queue.front().readerKey);
            ::close(m_queue.front().writeFd);
            m_queue.erase(m_queue.begin());
        }
        m_queue.push_back({writeFd, std::move(readerKey)});
    }
    m_thread.wake();
}

void SnapshotWriter::setListeningSocket(int listeningFd)
{
    {
        std::unique_lock locker(m_queueMutex);
        if (m_newListeningFd >= 0)
            ::close(m_newListeningFd);
        m_newListeningFd = listeningFd;
        m_listeningChanged = true;
    }
    m_thread.wake();
}

void SnapshotWriter::run()
{
    sigset_t sigpipe;
    sigemptyset(&sigpipe);
    sigaddset(&sigpipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &sigpipe, nullptr);

    std::vector<pollfd> polled;
    while (!m_thread.stopRequested()) {
        polled.clear();
        polled.push_back({m_thread.wakeFd(), POLLIN, 0});
        polled.push_back({m_listeningFd, POLLIN, 0}); // a negative descriptor is passed over
        QDeadlineTimer nearestStall = QDeadlineTimer::Forever;
        for (const Delivery &delivery : m_deliveries) {
            polled.push_back({delivery.fd, POLLOUT, 0});
            nearestStall = std::min(nearestStall, delivery.stall);
        }
        const int timeout =
            nearestStall.isForever() ? -1 : int(std::max<qint64>(0, nearestStall.remainingTime()));
        if (::poll(polled.data(), polled.size(), timeout) < 0 && errno != EINTR)
            break;
        if (m_thread.stopRequested())
            break;

        Batch batch;
        // Deliveries first: the polled entries are in m_deliveries' order until it changes.
        constexpr size_t FirstDelivery = 2;
        for (size_t i = polled.size(); i-- > FirstDelivery;) {
            Delivery &delivery = m_deliveries[i - FirstDelivery];
            bool keep = true;
            if (polled[i].revents)
                keep = continueDelivery(delivery);
            else if (delivery.stall.hasExpired()) {
                qCDebug(lcStatventRecorder)
                    << "dropping a reader that took nothing for" << StallTimeoutMs << "ms";
                keep = false;
            }
            if (!keep) {
                endDelivery(delivery);
                m_deliveries.erase(m_deliveries.begin() + qsizetype(i - FirstDelivery));
            }
        }

        if (polled[0].revents & POLLIN) {
            m_thread.consumeWakeUps();
            std::vector<Connection> connected;
            {
                std::unique_lock locker(m_queueMutex);
                connected.swap(m_queue);
                if (m_listeningChanged) {
                    if (m_listeningFd >= 0)
                        ::close(m_listeningFd);
                    m_listeningFd = m_newListeningFd;
                    m_newListeningFd = -1;
                    m_listeningChanged = false;
                }
            }
            if (!connected.empty()) {
                // One snapshot for every reader that arrived together: each still gets a whole one.
                const QByteArray text = snapshotForNewcomers(batch, false);
                for (const Connection &connection : connected)
                    startDelivery(connection, text);
            }
        }
        if (polled[1].revents & POLLIN)
            acceptSocketReaders(batch);
        if (m_deliveries.empty())
            m_droppingReported = false;
    }
    for (const Delivery &delivery : m_deliveries) {
        m_readerCounter.forget(delivery.readers.key);
        ::close(delivery.fd);
    }
    m_deliveries.clear();
}

QByteArray SnapshotWriter::render(Batch &batch, bool toSocket) const
{
    std::optional<QByteArray> &text = toSocket ? batch.socketText : batch.pipeText;
    if (text)
        return *text;
    text = toSocket ? m_registry->typedSnapshotText() : m_registry->snapshotText();
    return *text;
}

void SnapshotWriter::acceptSocketReaders(Batch &batch)
{
    std::vector<int> accepted;
    // At most MaxDeliveries at a time: the rest wait in the listening queue, not here.
    while (qsizetype(accepted.size()) < MaxDeliveries) {
        const int fd = ::accept4(m_listeningFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                qCDebug(lcStatventRecorder)
                    << "cannot accept a reader of the socket:" << std::strerror(errno);
            break;
        }
        accepted.push_back(fd);
    }
    if (accepted.empty())
        return;
    // One snapshot for every reader that arrived together, as for the FIFO.
    const QByteArray text = snapshotForNewcomers(batch, true);
    for (int fd : accepted)
        addDelivery(fd, true, text, FifoReaders());
}

QByteArray SnapshotWriter::snapshotForNewcomers(Batch &batch, bool toSocket)
{
    qsizetype held = 0;
    const char *previous = nullptr;
    const Delivery *newestSameDoor = nullptr;
    for (const Delivery &delivery : m_deliveries) {
        // Deliveries that share a text are next to each other: they started together. A batch's
        // two texts count as two, so this bounds the texts held.
        if (delivery.text.constData() != previous)
            ++held;
        previous = delivery.text.constData();
        if (delivery.toSocket == toSocket)
            newestSameDoor = &delivery;
    }
    if (held >= MaxSnapshotsInFlight && newestSameDoor && !batch.pipeText && !batch.socketText)
        return newestSameDoor->text;
    return render(batch, toSocket);
}

void SnapshotWriter::startDelivery(const Connection &connection, const QByteArray &text)
{
    // Counted after the snapshot was taken, which gave a second reader's open time to be seen,
    // and before our own open below.
    const int openers = m_readerCounter.openers(connection.readerKey);
    // Reopen write-only and non-blocking. Linux reports a hang-up to a polling reader only if a
    // writer opened after it did, and the acceptor's open began before the reader's: this open
    // is what lets such a reader see the end of a snapshot, or of a pipe that is not served.
    char path[32];
    std::snprintf(path, sizeof path, "/proc/self/fd/%d", connection.writeFd);
    const int fd = ::open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    const int openError = errno;
    ::close(connection.writeFd);
    if (fd < 0) {
        // ENXIO: the reader has gone already (or it was this process, waking the acceptor).
        if (openError != ENXIO)
            qCWarning(lcStatventRecorder)
                << "cannot reopen a connected pipe for writing:" << std::strerror(openError);
        m_readerCounter.forget(connection.readerKey);
        return;
    }
    if (openers > 1) {
        qCDebug(lcStatventRecorder)
            << openers << "readers opened the pipe at once: none is served, each should read again";
        m_readerCounter.forget(connection.readerKey);
        ::close(fd);
        return;
    }
    if (text.size() > DefaultPipeBuffer)
        ::fcntl(fd, F_SETPIPE_SZ, int(std::min(text.size(), LargestPipeBuffer)));
    addDelivery(fd, false, text, {connection.readerKey, openers});
}

void SnapshotWriter::addDelivery(int fd, bool toSocket, const QByteArray &text,
                                 const FifoReaders &readers)
{
    if (qsizetype(m_deliveries.size()) >= MaxDeliveries) {
        if (!m_droppingReported) {
            qCWarning(lcStatventRecorder)
                << "more than" << MaxDeliveries
                << "readers at once: dropping the oldest, which get a cut snapshot (readers that "
                   "open the pipe without reading?)";
            m_droppingReported = true;
        }
        endDelivery(m_deliveries.front());
        m_deliveries.erase(m_deliveries.begin());
    }
    m_deliveries.push_back({fd, toSocket, text, 0, QDeadlineTimer(StallTimeoutMs), readers});
    if (!continueDelivery(m_deliveries.back())) {
        endDelivery(m_deliveries.back());
        m_deliveries.pop_back();
    }
}

void SnapshotWriter::endDelivery(const Delivery &delivery)
{
    if (delivery.toSocket) {
        // Whatever the reader sent is read and dropped first: closing a Unix socket with unread
        // data would make the reader's next read fail with ECONNRESET instead of ending.
        char discarded[512];
        for (int i = 0;
             i < 16 && ::recv(delivery.fd, discarded, sizeof discarded, MSG_DONTWAIT) > 0; ++i) {
        }
    }
    if (!delivery.readers.key.isEmpty()) {
        // Counted again before the end of file: a reader whose open was not seen when the
        // delivery began (held off the CPU inside open()) has shared it.
        const int openers = m_readerCounter.openers(delivery.readers.key);
        m_readerCounter.forget(delivery.readers.key);
        if (openers > std::max(delivery.readers.openers, 1))
            qCWarning(lcStatventRecorder)
                << openers
                << "readers opened the pipe before its snapshot ended: each got a part of it "
                   "(readers that could not be counted in time; the socket has no such limit)";
    }
    ::close(delivery.fd);
}

bool SnapshotWriter::continueDelivery(Delivery &delivery)
{
    while (delivery.written < delivery.text.size()) {
        const ssize_t n = ::write(delivery.fd, delivery.text.constData() + delivery.written,
                                  size_t(delivery.text.size() - delivery.written));
        if (n > 0) {
            delivery.written += n;
            delivery.stall.setRemainingTime(StallTimeoutMs);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return true; // the reader is slower than us: wait for POLLOUT
        if (n < 0 && errno == EPIPE) {
            consumePendingSigpipe();
            qCDebug(lcStatventRecorder) << "a reader hung up after" << delivery.written << "of"
                                        << delivery.text.size() << "bytes";
        } else {
            qCWarning(lcStatventRecorder) << "writing a snapshot failed:" << std::strerror(errno);
        }
        return false;
    }
    return false; // complete: closing the descriptor gives the reader its end-of-file
}

} // namespace Statvent::Detail

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventweb/guardedtcpserver.h>

#include <statventweb/weblogging.h>

#include <QElapsedTimer>
#include <QHash>
#include <QHttpServerRequest>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>

#include <sys/socket.h>
#include <unistd.h>

namespace StatventWeb {

namespace {

using namespace std::chrono_literals;

//! How long a refused client may go on sending after its answer before the connection is cut.
//! Closing at once, with its bytes unread, would send a reset that can destroy the answer.
constexpr auto LingerTime = 2s;
//! How long accepting pauses when accept() fails (out of descriptors).
constexpr auto AcceptRetryTime = 1s;
//! The last bytes of what a connection received that are kept: enough for " HTTP/1.0\r\n" at
//! the end of a request line and for the blank line that ends the head.
constexpr qsizetype TailBytes = 16;
constexpr std::chrono::milliseconds CapWarningInterval = 60s;
//! QTcpServer's own default.
constexpr int DefaultMaxPendingConnections = 30;

//! Whether the comma-separated list \a value holds \a token, case-insensitively (RFC 9110 5.6.1).
bool hasToken(const QByteArray &value, QByteArrayView token)
{
    const QList<QByteArray> parts = value.split(',');
    return std::any_of(parts.begin(), parts.end(), [token](const QByteArray &part) {
        return part.trimmed().compare(token, Qt::CaseInsensitive) == 0;
    });
}

QByteArray headerValue(const QHttpServerRequest &request, QByteArrayView name)
{
    QByteArray values;
    for (const auto &[key, value] : request.headers()) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            values += value + ',';
    }
    return values;
}

} // namespace

class GuardedTcpServerPrivate
{
public:
    //! What is known of one accepted connection.
    struct Connection
    {
        //! The idle timeout, the request deadline, then the lingering close of a refusal; a
        //! child of the socket.
        QTimer *timer = nullptr;
        qint64 requestBytes = 0; //!< received of the request in progress
        QByteArray tail; //!< its last TailBytes bytes
        bool requestLineSeen = false;
        bool http10 = false;
        bool headSeen = false;
        //! One entry per request handed to the HTTP server and not answered yet, in the order
        //! of the requests (and of their answers): whether its answer ends the connection.
        QList<bool> closeAfter;
        bool refused =
            false; //!< answered 408/431/413: draining what it still sends until it closes
        //! On the clock of `clock`: when the request in progress started (its first byte), or,
        //! with none in progress and none being answered, when the connection became idle.
        qint64 waitingSince = 0;

        bool busy() const { return !closeAfter.isEmpty(); }
        bool requestInProgress() const { return requestBytes > 0; }
    };

    void received(QTcpSocket *socket);
    void refuse(QTcpSocket *socket, Connection &connection, int status, const QString &message);
    void timedOut(QTcpSocket *socket);
    void closed(QTcpSocket *socket);
    //! Starts the connection's timer for what it is waiting for now (nothing if it is busy).
    void startWaiting(Connection &connection);
    //! Closes the connection that holds its place for the least: a refused one, else the one
    //! whose request has been in progress for the longest, else the one idle for the longest.
    //! False if every connection is being answered.
    bool evictOne();
    bool hasEvictable() const;
    void updateAccepting();

    GuardedTcpServer *q = nullptr;
    QHash<QTcpSocket *, Connection> connections;
    GuardedTcpServer::Limits limits;
    QElapsedTimer clock; //!< started with the server: Connection::waitingSince
    QElapsedTimer capWarning; //!< since the last warning that the cap was reached
    QElapsedTimer evictionWarning; //!< since the last warning that connections were evicted
    qint64 evictedSinceWarning = 0;
    bool outOfDescriptors = false;
    bool acceptErrorWarned = false;
    bool acceptedThisRound = false; //!< since the last acceptError()
    QTimer acceptRetry;
    QByteArray errorContentType = QByteArrayLiteral("text/plain; charset=utf-8");
    GuardedTcpServer::ErrorBodyWriter errorBody = [](QStringView message) {
        return message.toUtf8();
    };
};

void GuardedTcpServerPrivate::received(QTcpSocket *socket)
{
    const auto found = connections.find(socket);
    if (found == connections.end())
        return;
    Connection &connection = *found;
    const qint64 available = socket->bytesAvailable();
    if (connection.refused) {
        socket->skip(available);
        return;
    }
    if (available <= 0)
        return;
    if (!connection.requestInProgress()) {
        // The first bytes of a request: its deadline runs from now, whatever it sends later.
        connection.waitingSince = clock.elapsed();
        if (!connection.busy())
            connection.timer->start(limits.requestTimeout);
    }
    // This slot runs before the HTTP server's, which reads everything in a transaction: the
    // bytes available now are those that arrived since, at most the socket's buffer size.
    const QByteArray text = connection.tail + socket->peek(available);
    if (!connection.requestLineSeen) {
        const qsizetype lineEnd = text.indexOf('\n');
        if (lineEnd >= 0) {
            connection.requestLineSeen = true;
            connection.http10 = text.left(lineEnd).trimmed().endsWith("HTTP/1.0");
        }
    }
    if (!connection.headSeen)
        connection.headSeen = text.contains("\r\n\r\n") || text.contains("\n\n");
    connection.tail = text.right(TailBytes);
    connection.requestBytes += available;
    if (connection.requestBytes > GuardedTcpServer::MaxRequestBytes) {
        const bool head = !connection.headSeen;
        refuse(socket, connection, head ? 431 : 413,
               head ? QStringLiteral("Request line and headers exceed %1 bytes")
                          .arg(GuardedTcpServer::MaxRequestBytes)
                    : QStringLiteral("Request exceeds %1 bytes")
                          .arg(GuardedTcpServer::MaxRequestBytes));
    }
}

void GuardedTcpServerPrivate::refuse(QTcpSocket *socket, Connection &connection, int status,
                                     const QString &message)
{
    connection.refused = true;
    // The HTTP server reads no more of it, and what it holds is dropped.
    QObject::disconnect(socket, &QIODevice::readyRead, q->parent(), nullptr);
    if (socket->isTransactionStarted())
        socket->commitTransaction();
    socket->skip(socket->bytesAvailable());

    qCWarning(lcStatventWeb).noquote()
        << QStringLiteral("refused a request from %1: %2 (answered %3, connection closed)")
               .arg(socket->peerAddress().toString(), message)
               .arg(status);
    const QByteArray body = errorBody(message);
    const QByteArray reason = status == 408 ? QByteArrayLiteral("Request Timeout")
        : status == 431                     ? QByteArrayLiteral("Request Header Fields Too Large")
                                            : QByteArrayLiteral("Content Too Large");
    socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\n"
                  + "Content-Type: " + errorContentType
                  + "\r\nCache-Control: no-store\r\nConnection: close\r\nContent-Length: "
                  + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    socket->flush();
    if (socket->bytesToWrite() == 0)
        ::shutdown(int(socket->socketDescriptor()), SHUT_WR);
    // else when bytesWritten() says it is all out
    connection.timer->start(LingerTime);
}

void GuardedTcpServerPrivate::timedOut(QTcpSocket *socket)
{
    const auto found = connections.find(socket);
    if (found == connections.end())
        return;
    if (found->refused) {
        socket->abort();
    } else if (found->busy()) {
        // Its timer is stopped while it is answered; nothing to do.
    } else if (found->requestInProgress()) {
        refuse(socket, *found, 408,
               QStringLiteral("Request not complete within %1 ms of its first byte")
                   .arg(limits.requestTimeout.count()));
    } else {
        qCDebug(lcStatventWeb).noquote()
            << QStringLiteral("closing a connection from %1 idle for %2 ms")
                   .arg(socket->peerAddress().toString())
                   .arg(limits.idleTimeout.count());
        socket->disconnectFromHost();
    }
}

void GuardedTcpServerPrivate::closed(QTcpSocket *socket)
{
    if (connections.remove(socket)) {
        outOfDescriptors = false;
        updateAccepting();
    }
}

void GuardedTcpServerPrivate::startWaiting(Connection &connection)
{
    if (connection.refused || connection.busy())
        return;
    if (connection.requestInProgress()) {
        // What is left of the request's deadline: being answered meanwhile did not extend it.
        const qint64 left =
            limits.requestTimeout.count() - (clock.elapsed() - connection.waitingSince);
        connection.timer->start(std::chrono::milliseconds(std::max<qint64>(left, 0)));
    } else {
        connection.waitingSince = clock.elapsed();
        connection.timer->start(limits.idleTimeout);
    }
}

bool GuardedTcpServerPrivate::hasEvictable() const
{
    return std::any_of(connections.cbegin(), connections.cend(), [](const Connection &connection) {
        return connection.refused || !connection.busy();
    });
}

bool GuardedTcpServerPrivate::evictOne()
{
    // Ranked: a refused connection (its answer is out), then an incomplete request, then an idle
    // connection; among equals, the one waiting for the longest.
    const auto rank = [](const Connection &connection) {
        return connection.refused ? 0 : connection.requestInProgress() ? 1 : 2;
    };
    QTcpSocket *victim = nullptr;
    const Connection *chosen = nullptr;
    for (auto it = connections.cbegin(); it != connections.cend(); ++it) {
        const Connection &connection = it.value();
        if (!connection.refused && connection.busy())
            continue;
        if (!chosen || rank(connection) < rank(*chosen)
            || (rank(connection) == rank(*chosen)
                && connection.waitingSince < chosen->waitingSince)) {
            victim = it.key();
            chosen = &connection;
        }
    }
    if (!victim)
        return false;
    const qint64 waited = clock.elapsed() - chosen->waitingSince;
    const QString what = chosen->refused ? QStringLiteral("refused")
        : chosen->requestInProgress()
        ? QStringLiteral("with a request incomplete for %1 ms").arg(waited)
        : QStringLiteral("idle for %1 ms").arg(waited);
    qCDebug(lcStatventWeb).noquote()
        << QStringLiteral("evicting a connection from %1 %2: the connection table is full")
               .arg(victim->peerAddress().toString(), what);
    ++evictedSinceWarning;
    // Once a minute at most: under a flood of slow clients this happens for every new one.
    if (!evictionWarning.isValid() || evictionWarning.hasExpired(CapWarningInterval.count())) {
        qCWarning(lcStatventWeb).noquote()
            << QStringLiteral("%1 connections open, the maximum: closed %2 incomplete or idle "
                              "one(s), oldest first, "
                              "to make room for new clients")
                   .arg(connections.size())
                   .arg(evictedSinceWarning);
        evictionWarning.start();
        evictedSinceWarning = 0;
    }
    connections.remove(victim);
    // Closed after what is still to be written (an answer just given to an idle connection),
    // but within the linger time whatever its client does: its place is needed now.
    victim->disconnectFromHost();
    if (victim->state() != QAbstractSocket::UnconnectedState)
        QTimer::singleShot(LingerTime, victim, &QAbstractSocket::abort);
    return true;
}

void GuardedTcpServerPrivate::updateAccepting()
{
    const bool atCap = connections.size() >= limits.maxConnections;
    // At the cap, a new client makes room by evicting a connection that is not being answered;
    // only when every one is being answered does it have to wait.
    const bool full = atCap && !hasEvictable();
    // Once a minute at most: a busy service may touch the cap again and again.
    if (full && (!capWarning.isValid() || capWarning.hasExpired(CapWarningInterval.count()))) {
        qCWarning(lcStatventWeb).noquote()
            << QStringLiteral("%1 connections open, the maximum, all being answered: accepting no "
                              "more until one is answered")
                   .arg(connections.size());
        capWarning.start();
    }
    // Both use the listening socket without checking there is one.
    if (!q->isListening())
        return;
    if (full || outOfDescriptors) {
        // Pausing only takes effect after QTcpServer's accept loop, which goes on until the
        // kernel's queue is empty; that loop stops at the limit of pending connections.
        q->setMaxPendingConnections(0);
        q->pauseAccepting();
    } else {
        q->setMaxPendingConnections(DefaultMaxPendingConnections);
        q->resumeAccepting();
    }
}

GuardedTcpServer::GuardedTcpServer(QObject *parent)
    : QTcpServer(parent)
    , d(std::make_unique<GuardedTcpServerPrivate>())
{
    d->q = this;
    d->clock.start();
    d->acceptRetry.setSingleShot(true);
    d->acceptRetry.callOnTimeout(this, [this] {
        d->outOfDescriptors = false;
        d->updateAccepting();
    });
    // QTcpServer pauses itself when accept() fails for any reason but a transient one; without a
    // retry it would stay paused for good, and resuming at once would spin.
    connect(this, &QTcpServer::acceptError, this, [this](QAbstractSocket::SocketError) {
        // Qt 6.4 keeps the socket engine's last error when accept() finds the queue empty, so
        // once accept() has failed, every later round of accepting ends with this signal too.
        // After a round that accepted something it is that stale error: accept again at once
        // (which, if accept() really fails now, ends here again with nothing accepted).
        if (d->acceptedThisRound) {
            d->acceptedThisRound = false;
            d->updateAccepting();
            return;
        }
        if (!d->acceptErrorWarned) { // once, until a connection is accepted again
            qCWarning(lcStatventWeb).noquote()
                << QStringLiteral("cannot accept a connection (%1): trying again when one closes, "
                                  "and every second")
                       .arg(errorString());
            d->acceptErrorWarned = true;
        }
        d->outOfDescriptors = true;
        d->updateAccepting();
        d->acceptRetry.start(AcceptRetryTime);
    });
}

GuardedTcpServer::~GuardedTcpServer()
{
    // The sockets are children, destroyed after d: nothing of theirs may reach d any more.
    for (auto it = d->connections.keyBegin(); it != d->connections.keyEnd(); ++it)
        disconnect(*it, nullptr, this, nullptr);
}

GuardedTcpServer::Limits GuardedTcpServer::Limits::bounded() const
{
    constexpr std::chrono::milliseconds Shortest{1};
    return {std::max(1, maxConnections), std::max(idleTimeout, Shortest),
            std::max(requestTimeout, Shortest)};
}

GuardedTcpServer::Limits GuardedTcpServer::limits() const
{
    return d->limits;
}

void GuardedTcpServer::setLimits(const Limits &limits)
{
    d->limits = limits.bounded();
    d->updateAccepting();
}

int GuardedTcpServer::connectionCount() const
{
    return int(d->connections.size());
}

void GuardedTcpServer::setErrorBody(const QByteArray &contentType, ErrorBodyWriter writer)
{
    d->errorContentType = contentType;
    d->errorBody = std::move(writer);
}

GuardedTcpServer *GuardedTcpServer::of(const QTcpSocket *socket)
{
    // QTcpServer makes each socket its child, and the HTTP server does not reparent it.
    return socket ? qobject_cast<GuardedTcpServer *>(socket->parent()) : nullptr;
}

void GuardedTcpServer::requestReceived(QTcpSocket *socket, const QHttpServerRequest &request)
{
    const auto found = d->connections.find(socket);
    if (found == d->connections.end())
        return;
    GuardedTcpServerPrivate::Connection &connection = *found;
    const QByteArray connectionHeader = headerValue(request, "connection");
    const bool keepAlive = connection.http10 ? hasToken(connectionHeader, "keep-alive")
                                             : !hasToken(connectionHeader, "close");
    const bool wasBusy = connection.busy();
    connection.closeAfter.append(!keepAlive);
    connection.timer->stop();
    // The next request starts from nothing.
    connection.requestBytes = 0;
    connection.tail.clear();
    connection.requestLineSeen = false;
    connection.headSeen = false;
    if (!wasBusy)
        d->updateAccepting(); // one fewer connection to evict
}

void GuardedTcpServer::answered(QTcpSocket *socket)
{
    const auto found = d->connections.find(socket);
    if (found == d->connections.end() || found->refused || !found->busy())
        return;
    // Answers go out in the order of the requests: this one answers the oldest.
    if (found->closeAfter.takeFirst()) {
        socket->disconnectFromHost(); // after what is still to be written
        return;
    }
    d->startWaiting(*found);
    if (!found->busy())
        d->updateAccepting(); // one more connection that may be evicted
}

void GuardedTcpServer::incomingConnection(qintptr descriptor)
{
    auto *socket = new QTcpSocket(this);
    // A request beyond the limit is refused, so never read more than that (plus one byte, to
    // see it is beyond) into memory; the rest waits in the kernel.
    socket->setReadBufferSize(MaxRequestBytes + 1);
    if (!socket->setSocketDescriptor(descriptor)) {
        qCWarning(lcStatventWeb).noquote()
            << QStringLiteral("cannot use an accepted connection: %1").arg(socket->errorString());
        delete socket;
        ::close(int(descriptor)); // the socket did not take it
        return;
    }
    d->acceptErrorWarned = false;
    d->acceptedThisRound = true;
    if (d->connections.size() >= d->limits.maxConnections)
        d->evictOne();
    GuardedTcpServerPrivate::Connection connection;
    connection.timer = new QTimer(socket);
    connection.timer->setSingleShot(true);
    // A coarse timer may fire 5 % early: a stated timeout is kept.
    connection.timer->setTimerType(Qt::PreciseTimer);
    connection.timer->callOnTimeout(this, [this, socket] { d->timedOut(socket); });
    d->startWaiting(connection);
    d->connections.insert(socket, connection);
    // Connected before the HTTP server connects its own (on pendingConnectionAvailable), so
    // these run first.
    connect(socket, &QIODevice::readyRead, this, [this, socket] { d->received(socket); });
    connect(socket, &QIODevice::bytesWritten, this, [this, socket] {
        const auto found = d->connections.constFind(socket);
        if (found != d->connections.constEnd() && found->refused && socket->bytesToWrite() == 0)
            ::shutdown(int(socket->socketDescriptor()), SHUT_WR);
    });
    connect(socket, &QAbstractSocket::disconnected, this, [this, socket] { d->closed(socket); });
    connect(socket, &QObject::destroyed, this, [this, socket] { d->closed(socket); });
    d->updateAccepting();
    addPendingConnection(socket);
}

} // namespace StatventWeb

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTWEB_GUARDEDTCPSERVER_H
#define STATVENTWEB_GUARDEDTCPSERVER_H

#include <QByteArray>
#include <QStringView>
#include <QTcpServer>

#include <chrono>
#include <functional>
#include <memory>

class QHttpServerRequest;

namespace StatventWeb {

class GuardedTcpServerPrivate;

/*!
 * The listening socket of StatsServer (QAbstractHttpServer::bind()): a QTcpServer that guards
 * each connection it accepts against what Qt HttpServer 6.4 leaves unbounded
 * (docs/HTTP-API.md, "Limits"):
 *
 * - at most maxConnections() at once: at the cap, a new client makes room by evicting a
 *   connection that holds its place without use (one already refused; else the request that has
 *   been incomplete for the longest; else the connection idle for the longest), which is reset.
 *   Only while every connection is being answered does it stop accepting (new clients wait in
 *   the kernel's queue). It also stops, instead of spinning, when accept() fails for want of
 *   descriptors, and tries again when a connection closes or after a second;
 * - a connection that receives nothing for idleTimeout() between requests is closed;
 * - a request must be complete within requestTimeout() of its first byte, however slowly its
 *   bytes keep coming: else it is answered 408 and the connection closed;
 * - a request that grows beyond MaxRequestBytes before it is complete is answered 431 (the head
 *   is too large) or 413 (the body is), and the connection closed: the socket never buffers more;
 * - after the answer to a request that asked to close (`Connection: close`, or HTTP/1.0 without
 *   `Connection: keep-alive`), the connection is closed.
 *
 * The HTTP server's handlers report each request with requestReceived() and its answer with
 * answered(): the connection is not idle in between. The body of the guard's own answers (431,
 * 413) is written by the owner of the service's error format, given with setErrorBody().
 */
class GuardedTcpServer : public QTcpServer
{
    Q_OBJECT

public:
    static constexpr int DefaultMaxConnections = 512;
    static constexpr std::chrono::milliseconds DefaultIdleTimeout{30'000};
    static constexpr std::chrono::milliseconds DefaultRequestTimeout{10'000};
    //! Request line, headers and body of one request, at most.
    static constexpr qint64 MaxRequestBytes = 64 * 1024;
    //! Writes the body of an error answer from the sentence that says what happened.
    using ErrorBodyWriter = std::function<QByteArray(QStringView message)>;

    //! What the guard allows each connection, and how many of them.
    struct Limits
    {
        //! Connections open at once.
        int maxConnections = DefaultMaxConnections;
        //! How long a connection may receive nothing between requests before it is closed.
        std::chrono::milliseconds idleTimeout = DefaultIdleTimeout;
        //! How long a request may take to arrive whole (line, headers and body), from its
        //! first byte.
        std::chrono::milliseconds requestTimeout = DefaultRequestTimeout;

        //! These limits with each raised to at least one connection or one millisecond.
        Limits bounded() const;
    };

    explicit GuardedTcpServer(QObject *parent = nullptr);
    ~GuardedTcpServer() override;

    Limits limits() const;
    //! Takes \a limits, bounded().
    void setLimits(const Limits &limits);
    //! Connections open now.
    int connectionCount() const;
    //! The guard's own answers carry `writer(message)` as \a contentType. Default: the message
    //! itself as `text/plain; charset=utf-8`.
    void setErrorBody(const QByteArray &contentType, ErrorBodyWriter writer);

    //! The guard of \a socket, if a GuardedTcpServer accepted it.
    static GuardedTcpServer *of(const QTcpSocket *socket);
    //! \a request, complete, goes to a handler: \a socket is busy until it is answered(). A
    //! client may send requests before the earlier ones are answered (HTTP/1.1 pipelining).
    void requestReceived(QTcpSocket *socket, const QHttpServerRequest &request);
    //! The answer to \a socket's oldest unanswered request is written: closes it if that request
    //! asked to. Answers must be written in the order of the requests.
    void answered(QTcpSocket *socket);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    std::unique_ptr<GuardedTcpServerPrivate> d;
};

} // namespace StatventWeb

#endif

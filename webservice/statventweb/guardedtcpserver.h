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
 * - at most maxConnections() at once: at the cap it stops accepting (new clients wait in the
 *   kernel's queue) until one closes; it also stops, instead of spinning, when accept() fails for
 *   want of descriptors, and tries again when a connection closes or after a second;
 * - a connection that receives nothing for idleTimeout(), while no request of it is being
 *   answered, is closed;
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
    //! Request line, headers and body of one request, at most.
    static constexpr qint64 MaxRequestBytes = 64 * 1024;
    //! Writes the body of an error answer from the sentence that says what happened.
    using ErrorBodyWriter = std::function<QByteArray(QStringView message)>;

    explicit GuardedTcpServer(QObject *parent = nullptr);
    ~GuardedTcpServer() override;

    int maxConnections() const;
    //! At least 1.
    void setMaxConnections(int maximum);
    std::chrono::milliseconds idleTimeout() const;
    //! At least 1 ms.
    void setIdleTimeout(std::chrono::milliseconds timeout);
    //! Connections open now.
    int connectionCount() const;
    //! The guard's own answers carry `writer(message)` as \a contentType. Default: the message
    //! itself as `text/plain; charset=utf-8`.
    void setErrorBody(const QByteArray &contentType, ErrorBodyWriter writer);

    //! The guard of \a socket, if a GuardedTcpServer accepted it.
    static GuardedTcpServer *of(const QTcpSocket *socket);
    //! \a request, complete, goes to a handler: \a socket is busy until answered().
    void requestReceived(QTcpSocket *socket, const QHttpServerRequest &request);
    //! The answer to \a socket's request is written: closes it if its request asked to.
    void answered(QTcpSocket *socket);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    std::unique_ptr<GuardedTcpServerPrivate> d;
};

} // namespace StatventWeb

#endif

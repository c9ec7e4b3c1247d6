// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTWEB_STATSSERVER_H
#define STATVENTWEB_STATSSERVER_H

#include <statventweb/guardedtcpserver.h>

#include <QAbstractHttpServer>
#include <QHostAddress>
#include <QString>

#include <memory>

namespace StatventWeb {

class PipeCollector;
class StatsServerPrivate;

/*!
 * statvent-web's HTTP interface (docs/HTTP-API.md): `GET <statsPath>` (JSON, `?aggregate=`,
 * `?by=process`, `?histograms=1`), `GET /metrics` (Prometheus text, `?aggregate=`,
 * `?by=process`), `GET /healthz`; `HEAD` on each of them (the headers GET would get, no body);
 * 404 for any other path, 405 for another method on one of these, 400 for a bad query.
 *
 * Requests for statistics are answered when the collector's sweep finishes; requests that arrive
 * while a sweep is in flight share it, and /healthz is answered at once meanwhile (on another
 * connection: the answers of one connection go out in the order of its requests, as HTTP/1.1
 * pipelining requires). An answer is written only if its client is still connected
 * (QHttpServerResponder keeps a raw socket pointer that a disconnect leaves dangling), so a
 * client that gives up early costs nothing.
 *
 * Each address is listened on through a GuardedTcpServer with the same limits(): at most
 * `maxConnections` connections per address (a full table evicts the slowest incomplete
 * request), connections idle for `idleTimeout` closed, requests not complete within
 * `requestTimeout` of their first byte answered 408, requests beyond 64 KiB refused, and
 * `Connection: close` (or HTTP/1.0) honoured.
 */
class StatsServer : public QAbstractHttpServer
{
    Q_OBJECT

public:
    static constexpr QLatin1StringView DefaultStatsPath{"/stats"};
    static constexpr QLatin1StringView MetricsPath{"/metrics"};
    static constexpr QLatin1StringView HealthPath{"/healthz"};

    //! Serves what \a collector sweeps; the collector must outlive the server.
    explicit StatsServer(PipeCollector *collector, QObject *parent = nullptr);
    ~StatsServer() override;

    QString statsPath() const;
    //! Takes \a path if checkStatsPath() has nothing against it; returns whether it did.
    bool setStatsPath(const QString &path);
    //! Why \a path cannot serve the statistics, or an empty string if it can.
    static QString checkStatsPath(const QString &path);

    /*!
     * Listens on \a address and \a port (0: any free port); may be called again for more
     * addresses. False when that fails, with the reason in errorString().
     */
    bool startListening(const QHostAddress &address, quint16 port);
    //! The port of the last successful startListening().
    quint16 port() const;

    //! What each address's GuardedTcpServer allows (the connections count per address).
    GuardedTcpServer::Limits limits() const;
    //! Takes \a limits, bounded(), for the addresses listened on now and later.
    void setLimits(const GuardedTcpServer::Limits &limits);
    //! Connections open now, on every address.
    int connectionCount() const;
    QString errorString() const;

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    std::unique_ptr<StatsServerPrivate> d;
};

} // namespace StatventWeb

#endif

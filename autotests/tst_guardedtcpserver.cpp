// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// GuardedTcpServer used directly, without QHttpServer: raw loopback clients against the guard,
// with a stand-in for the HTTP server that takes the accepted sockets and reads what they receive.
// What needs QHttpServer (requestReceived(): a QHttpServerRequest cannot be made outside it) is
// tested through StatsServer in tst_statsserver.

#include "statventtest.h"
#include <statventweb/guardedtcpserver.h>
#include <statventweb/jsonwriter.h>

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTest>

#include <algorithm>
#include <chrono>
#include <limits>
#include <memory>
#include <vector>

using namespace StatventWeb;
using namespace std::chrono_literals;

namespace {

//! \a start, then \a fill up to \a size bytes in all.
QByteArray padded(const QByteArray &start, qint64 size, char fill)
{
    return start + QByteArray(qsizetype(size) - start.size(), fill);
}

/*!
 * Makes \a server listen on the loopback and connects \a client to it; returns the socket the
 * server accepted, nullptr if it accepted none within 5 s.
 */
QTcpSocket *acceptOne(QTcpServer &server, QTcpSocket &client)
{
    if (!server.listen(QHostAddress::LocalHost, 0))
        return nullptr;
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    return server.waitForNewConnection(5000) ? server.nextPendingConnection() : nullptr;
}

} // namespace

class tst_GuardedTcpServer : public QObject
{
    Q_OBJECT

public:
    //! What happens on a connection while its idle timeout runs.
    enum class Activity { Nothing, ClientSends, ServerSends, Answered };
    Q_ENUM(Activity)

private Q_SLOTS:
    void init();
    void cleanup();
    void defaults();
    void limitsMaxConnections_data();
    void limitsMaxConnections();
    void limitsIdleTimeout_data();
    void limitsIdleTimeout();
    void connectionCountFollowsClosedAndDestroyedSockets();
    void limitsRequestTimeout_data();
    void limitsRequestTimeout();
    void fullTableEvictsTheOldestIncompleteRequest();
    void requestDeadlineHoldsHoweverSlowlyBytesCome_data();
    void requestDeadlineHoldsHoweverSlowlyBytesCome();
    void idleConnectionsAreClosed_data();
    void idleConnectionsAreClosed();
    void ofFindsTheAcceptingServer();
    void acceptedSocketsBufferOneRequestAtMost();
    void requestSizeLimit_data();
    void requestSizeLimit();

private:
    std::unique_ptr<QTcpSocket> connectedClient() const;
    //! The accepted socket at the other end of \a client, if the server has accepted it yet.
    QTcpSocket *serverSide(const QTcpSocket &client) const;

    //! Stands in for QHttpServer: the guard's parent, which takes each socket the guard accepts
    //! and reads all it receives, after the guard has seen it (as QAbstractHttpServer does).
    QObject m_httpServer;
    GuardedTcpServer *m_server = nullptr;
    QList<QPointer<QTcpSocket>> m_accepted;
    qint64 m_bytesRead = 0; //!< by the stand-in, from all accepted sockets
};

void tst_GuardedTcpServer::init()
{
    m_server = new GuardedTcpServer(&m_httpServer);
    // As StatsServer does: the service's error documents are JSON.
    m_server->setErrorBody("application/json",
                           [](QStringView message) { return JsonWriter::message(message, {}); });
    connect(m_server, &QTcpServer::newConnection, &m_httpServer, [this] {
        while (QTcpSocket *socket = m_server->nextPendingConnection()) {
            m_accepted.append(socket);
            connect(socket, &QIODevice::readyRead, &m_httpServer,
                    [this, socket] { m_bytesRead += socket->readAll().size(); });
        }
    });
    QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
}

void tst_GuardedTcpServer::cleanup()
{
    delete m_server;
    m_server = nullptr;
    m_accepted.clear();
    m_bytesRead = 0;
}

std::unique_ptr<QTcpSocket> tst_GuardedTcpServer::connectedClient() const
{
    // Connected by the kernel, whether or not the server has accepted it.
    auto client = std::make_unique<QTcpSocket>();
    client->connectToHost(QHostAddress::LocalHost, m_server->serverPort());
    return client->waitForConnected(5000) ? std::move(client) : nullptr;
}

QTcpSocket *tst_GuardedTcpServer::serverSide(const QTcpSocket &client) const
{
    const auto found = std::find_if(m_accepted.cbegin(), m_accepted.cend(),
                                    [&client](const QPointer<QTcpSocket> &socket) {
                                        return socket && socket->peerPort() == client.localPort();
                                    });
    return found == m_accepted.cend() ? nullptr : found->data();
}

void tst_GuardedTcpServer::defaults()
{
    const GuardedTcpServer server;
    QCOMPARE(server.limits().maxConnections, 512);
    QCOMPARE(server.limits().maxConnections, GuardedTcpServer::DefaultMaxConnections);
    QCOMPARE(server.limits().idleTimeout, 30s);
    QCOMPARE(server.limits().idleTimeout, GuardedTcpServer::DefaultIdleTimeout);
    QCOMPARE(server.limits().requestTimeout, 10s);
    QCOMPARE(server.limits().requestTimeout, GuardedTcpServer::DefaultRequestTimeout);
    QCOMPARE(server.connectionCount(), 0);
}

void tst_GuardedTcpServer::limitsMaxConnections_data()
{
    QTest::addColumn<int>("set");
    QTest::addColumn<int>("expected");
    QTest::newRow("1") << 1 << 1;
    QTest::newRow("2") << 2 << 2;
    QTest::newRow("a million") << 1'000'000 << 1'000'000;
    QTest::newRow("0 is 1") << 0 << 1;
    QTest::newRow("-1 is 1") << -1 << 1;
    QTest::newRow("INT_MIN is 1") << std::numeric_limits<int>::min() << 1;
}

void tst_GuardedTcpServer::limitsMaxConnections()
{
    QFETCH(int, set);
    QFETCH(int, expected);
    m_server->setLimits({.maxConnections = set});
    QCOMPARE(m_server->limits().maxConnections, expected);
}

void tst_GuardedTcpServer::limitsIdleTimeout_data()
{
    QTest::addColumn<qint64>("set"); // ms
    QTest::addColumn<qint64>("expected");
    QTest::newRow("1 ms") << qint64(1) << qint64(1);
    QTest::newRow("250 ms") << qint64(250) << qint64(250);
    QTest::newRow("a day") << qint64(86'400'000) << qint64(86'400'000);
    QTest::newRow("0 is 1 ms") << qint64(0) << qint64(1);
    QTest::newRow("-1 ms is 1 ms") << qint64(-1) << qint64(1);
    QTest::newRow("the minimum is 1 ms") << std::numeric_limits<qint64>::min() << qint64(1);
}

void tst_GuardedTcpServer::limitsIdleTimeout()
{
    QFETCH(qint64, set);
    QFETCH(qint64, expected);
    m_server->setLimits({.idleTimeout = std::chrono::milliseconds(set)});
    QCOMPARE(m_server->limits().idleTimeout, std::chrono::milliseconds(expected));
}

void tst_GuardedTcpServer::connectionCountFollowsClosedAndDestroyedSockets()
{
    std::vector<std::unique_ptr<QTcpSocket>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(connectedClient());
        QVERIFY(clients.back());
    }
    QTRY_COMPARE(m_accepted.size(), 3);
    QCOMPARE(m_server->connectionCount(), 3);

    // The client hangs up.
    clients[0]->disconnectFromHost();
    QTRY_COMPARE(m_server->connectionCount(), 2);
    // The server's side closes it (as the HTTP server or the guard itself does).
    QTcpSocket *const closing = serverSide(*clients[1]);
    QVERIFY(closing);
    closing->disconnectFromHost();
    QTRY_COMPARE(m_server->connectionCount(), 1);
    QTRY_COMPARE(clients[1]->state(), QAbstractSocket::UnconnectedState);
    // The server's side is destroyed while connected: counted out at once.
    QTcpSocket *const destroyed = serverSide(*clients[2]);
    QVERIFY(destroyed);
    delete destroyed;
    QCOMPARE(m_server->connectionCount(), 0);
    QTRY_COMPARE(clients[2]->state(), QAbstractSocket::UnconnectedState);
}

void tst_GuardedTcpServer::limitsRequestTimeout_data()
{
    QTest::addColumn<qint64>("set"); // ms
    QTest::addColumn<qint64>("expected");
    QTest::newRow("1 ms") << qint64(1) << qint64(1);
    QTest::newRow("2.5 s") << qint64(2500) << qint64(2500);
    QTest::newRow("0 is 1 ms") << qint64(0) << qint64(1);
    QTest::newRow("the minimum is 1 ms") << std::numeric_limits<qint64>::min() << qint64(1);
}

void tst_GuardedTcpServer::limitsRequestTimeout()
{
    QFETCH(qint64, set);
    QFETCH(qint64, expected);
    m_server->setLimits({.requestTimeout = std::chrono::milliseconds(set)});
    QCOMPARE(m_server->limits().requestTimeout, std::chrono::milliseconds(expected));
}

void tst_GuardedTcpServer::fullTableEvictsTheOldestIncompleteRequest()
{
    // The stand-in HTTP server never completes a request: whatever a client sent is a request
    // in progress. Said once, though connections are evicted twice.
    StatventTest::expectOnce(QRegularExpression(
        QStringLiteral("^3 connections open, the maximum: closed 1 incomplete or idle one\\(s\\), "
                       "oldest first, to make room for new clients$")));
    m_server->setLimits({.maxConnections = 3});
    const std::unique_ptr<QTcpSocket> idle = connectedClient(); // connected first, sends nothing
    QVERIFY(idle);
    QTRY_VERIFY(serverSide(*idle));
    std::vector<std::unique_ptr<QTcpSocket>> slow;
    for (int i = 0; i < 2; ++i) {
        slow.push_back(connectedClient());
        QVERIFY(slow.back());
        QTRY_VERIFY(serverSide(*slow.back()));
        slow.back()->write("GET /healthz HTTP/1.1\r\nHo");
        QTRY_COMPARE(m_bytesRead, qint64(25 * (i + 1)));
        QTest::qWait(20); // the next one starts later
    }
    QCOMPARE(m_server->connectionCount(), 3);

    // A newcomer gets in at once: the oldest incomplete request makes room, not the idle
    // connection (older still, but not a request that is late).
    const std::unique_ptr<QTcpSocket> newcomer = connectedClient();
    QVERIFY(newcomer);
    QTRY_VERIFY_WITH_TIMEOUT(serverSide(*newcomer), 1000);
    QTRY_COMPARE(slow[0]->state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(slow[1]->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(idle->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(m_server->connectionCount(), 3);

    // The next one: the other incomplete request.
    const std::unique_ptr<QTcpSocket> second = connectedClient();
    QVERIFY(second);
    QTRY_VERIFY_WITH_TIMEOUT(serverSide(*second), 1000);
    QTRY_COMPARE(slow[1]->state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(idle->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(newcomer->state(), QAbstractSocket::ConnectedState);

    // Then the connection idle for the longest: the first one.
    const std::unique_ptr<QTcpSocket> third = connectedClient();
    QVERIFY(third);
    QTRY_VERIFY_WITH_TIMEOUT(serverSide(*third), 1000);
    QTRY_COMPARE(idle->state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(newcomer->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(second->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(m_server->connectionCount(), 3);
}

void tst_GuardedTcpServer::requestDeadlineHoldsHoweverSlowlyBytesCome_data()
{
    QTest::addColumn<int>(
        "interval"); // ms between two bytes of the request, far below the idle timeout
    QTest::newRow("a byte every 50 ms") << 50;
    QTest::newRow("a byte every 150 ms") << 150;
}

void tst_GuardedTcpServer::requestDeadlineHoldsHoweverSlowlyBytesCome()
{
    QFETCH(int, interval);
    constexpr auto deadline = 400ms;
    StatventTest::expectOnce(QRegularExpression(
        QStringLiteral("^refused a request from 127\\.0\\.0\\.1: Request not complete within 400 "
                       "ms of its first byte \\(answered 408, connection closed\\)$")));
    m_server->setLimits({.idleTimeout = 10s, .requestTimeout = deadline});
    const std::unique_ptr<QTcpSocket> client = connectedClient();
    QVERIFY(client);
    QTRY_VERIFY(serverSide(*client));
    QByteArray answer;
    connect(client.get(), &QIODevice::readyRead, this,
            [&answer, &client] { answer += client->readAll(); });

    // Connected a while before its first byte: the deadline runs from that byte.
    QTest::qWait(200);
    QElapsedTimer clock;
    clock.start();
    const QByteArray request("GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: ");
    qsizetype sent = 0;
    while (client->state() == QAbstractSocket::ConnectedState && clock.elapsed() < 5000) {
        client->write(request.mid(sent % request.size(), 1));
        ++sent;
        QTest::qWait(interval);
    }
    const qint64 closedAt = clock.elapsed();
    QCOMPARE(client->state(), QAbstractSocket::UnconnectedState);
    QVERIFY2(closedAt >= deadline.count() && closedAt < deadline.count() + 1000,
             qPrintable(QString::number(closedAt)));
    answer += client->readAll();
    QVERIFY2(answer.startsWith("HTTP/1.1 408 Request Timeout\r\n"), answer.constData());
    QVERIFY2(answer.contains("\r\nConnection: close\r\n"), answer.constData());
    QTRY_COMPARE(m_server->connectionCount(), 0);
}

void tst_GuardedTcpServer::idleConnectionsAreClosed_data()
{
    QTest::addColumn<Activity>("activity"); // every 50 ms, for more than three timeouts
    QTest::addColumn<bool>("keepsOpen");
    QTest::newRow("nothing") << Activity::Nothing << false;
    // A request in progress: its own deadline closes it, not the idle timeout.
    QTest::newRow("the client sends a byte") << Activity::ClientSends << true;
    // Idle is receiving nothing: what the server sends does not count.
    QTest::newRow("the server sends a byte") << Activity::ServerSends << false;
    // Nor does an answer to no request (the HTTP server's answers are tested in tst_statsserver).
    QTest::newRow("answered(), with no request") << Activity::Answered << false;
}

void tst_GuardedTcpServer::idleConnectionsAreClosed()
{
    QFETCH(Activity, activity);
    QFETCH(bool, keepsOpen);
    constexpr auto timeout = 300ms;
    constexpr auto requestTimeout = 1500ms;
    m_server->setLimits({.idleTimeout = timeout, .requestTimeout = requestTimeout});
    if (activity == Activity::ClientSends)
        StatventTest::expectOnce(QRegularExpression(
            QStringLiteral("^refused a request from 127\\.0\\.0\\.1: Request not complete within "
                           "1500 ms of its first byte \\(answered 408, connection closed\\)$")));
    QElapsedTimer clock;
    clock.start();
    const std::unique_ptr<QTcpSocket> client = connectedClient();
    QVERIFY(client);
    QTRY_VERIFY(serverSide(*client));
    const QPointer<QTcpSocket> server = serverSide(*client);

    while (clock.elapsed() < 1000 && client->state() == QAbstractSocket::ConnectedState && server
           && server->state() == QAbstractSocket::ConnectedState) {
        switch (activity) {
        case Activity::Nothing:
            break;
        case Activity::ClientSends:
            client->write("x");
            break;
        case Activity::ServerSends:
            server->write("x");
            break;
        case Activity::Answered:
            m_server->answered(server);
            break;
        }
        QTest::qWait(50);
    }
    QCOMPARE(client->state() == QAbstractSocket::ConnectedState, keepsOpen);
    // Closed a whole timeout after the connection was made, or a whole request deadline after
    // the request's first byte.
    QTRY_COMPARE_WITH_TIMEOUT(client->state(), QAbstractSocket::UnconnectedState, 5000);
    const qint64 closedAt = clock.elapsed();
    const qint64 limit = keepsOpen ? requestTimeout.count() : timeout.count();
    QVERIFY2(closedAt >= limit, qPrintable(QStringLiteral("closed after %1 ms").arg(closedAt)));
    QTRY_COMPARE(m_server->connectionCount(), 0);
}

void tst_GuardedTcpServer::ofFindsTheAcceptingServer()
{
    const std::unique_ptr<QTcpSocket> client = connectedClient();
    QVERIFY(client);
    QTRY_VERIFY(serverSide(*client));
    QCOMPARE(GuardedTcpServer::of(serverSide(*client)), m_server);
    QCOMPARE(GuardedTcpServer::of(client.get()), nullptr);
    QCOMPARE(GuardedTcpServer::of(nullptr), nullptr);

    // Accepted by another guard: that one's.
    GuardedTcpServer otherGuard;
    QTcpSocket toOtherGuard;
    QTcpSocket *const otherGuards = acceptOne(otherGuard, toOtherGuard);
    QVERIFY(otherGuards);
    QCOMPARE(GuardedTcpServer::of(otherGuards), &otherGuard);

    // Accepted by a plain QTcpServer: no guard's, and this guard leaves it alone.
    QTcpServer plain;
    QTcpSocket toPlain;
    QTcpSocket *const foreign = acceptOne(plain, toPlain);
    QVERIFY(foreign);
    QCOMPARE(GuardedTcpServer::of(foreign), nullptr);
    m_server->answered(foreign);
    m_server->answered(otherGuards);
    QCOMPARE(foreign->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(otherGuards->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(m_server->connectionCount(), 1);
    QCOMPARE(otherGuard.connectionCount(), 1);
}

void tst_GuardedTcpServer::acceptedSocketsBufferOneRequestAtMost()
{
    // One byte beyond the limit, to see a request is beyond it; the rest waits in the kernel.
    const std::unique_ptr<QTcpSocket> client = connectedClient();
    QVERIFY(client);
    QTRY_VERIFY(serverSide(*client));
    QCOMPARE(serverSide(*client)->readBufferSize(), GuardedTcpServer::MaxRequestBytes + 1);
}

void tst_GuardedTcpServer::requestSizeLimit_data()
{
    // Each part is sent once the server has read the one before: a read of its own.
    QTest::addColumn<QList<QByteArray>>("parts");
    QTest::addColumn<int>("status"); // answered, or 0: within the limit, nothing answered
    constexpr qint64 limit = GuardedTcpServer::MaxRequestBytes;
    const QByteArray head("GET / HTTP/1.1\r\nHost: a\r\nX-Big: ");
    const QByteArray post("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n");
    QTest::newRow("head of the limit") << QList<QByteArray>{padded(head, limit, 'h')} << 0;
    QTest::newRow("head one byte beyond") << QList<QByteArray>{padded(head, limit + 1, 'h')} << 431;
    QTest::newRow("head one byte beyond, in two reads")
        << QList<QByteArray>{padded(head, limit / 2, 'h'), QByteArray(limit / 2 + 1, 'h')} << 431;
    QTest::newRow("head and body of the limit") << QList<QByteArray>{padded(post, limit, 'b')} << 0;
    QTest::newRow("body one byte beyond") << QList<QByteArray>{padded(post, limit + 1, 'b')} << 413;
    QTest::newRow("head ended by bare line feeds") << QList<QByteArray>{padded(
        "POST / HTTP/1.1\nHost: a\nContent-Length: 100000\n\n", limit + 1, 'b')}
                                                   << 413;
    QTest::newRow("blank line split between two reads")
        << QList<QByteArray>{post.chopped(1),
                             padded(post.right(1), limit + 1 - post.size() + 1, 'b')}
        << 413;
    // The client goes on sending after its answer: the server drains it instead of resetting
    // the connection, which could destroy the answer.
    QTest::newRow("head of 512 KiB, at once")
        << QList<QByteArray>{padded(head, 512 * 1024, 'h')} << 431;
}

void tst_GuardedTcpServer::requestSizeLimit()
{
    QFETCH(QList<QByteArray>, parts);
    QFETCH(int, status);
    const QRegularExpression refusal(
        QStringLiteral(
            "^refused a request from 127\\.0\\.0\\.1: (Request line and headers exceed|Request "
            "exceeds) 65536 bytes \\(answered %1, connection closed\\)$")
            .arg(status));
    if (status != 0)
        StatventTest::expectOnce(refusal);
    else
        QTest::failOnWarning(QRegularExpression(QStringLiteral("^refused")));
    const std::unique_ptr<QTcpSocket> client = connectedClient();
    QVERIFY(client);
    QByteArray answer;
    connect(client.get(), &QIODevice::readyRead, this,
            [&answer, &client] { answer += client->readAll(); });
    qint64 sent = 0;
    for (qsizetype i = 0; i + 1 < parts.size(); ++i) {
        client->write(parts[i]);
        sent += parts[i].size();
        QTRY_COMPARE(m_bytesRead, sent);
    }
    client->write(parts.back());
    sent += parts.back().size();

    if (status == 0) {
        // All of it reached the HTTP server, which a refusal would have cut short.
        QTRY_COMPARE(m_bytesRead, sent);
        QCOMPARE(client->state(), QAbstractSocket::ConnectedState);
        QCOMPARE(answer, QByteArray());
        QCOMPARE(m_server->connectionCount(), 1);
        return;
    }
    // The answer, then end-of-file.
    QTRY_COMPARE_WITH_TIMEOUT(client->state(), QAbstractSocket::UnconnectedState, 5000);
    answer += client->readAll();
    QVERIFY2(m_bytesRead <= GuardedTcpServer::MaxRequestBytes,
             "the HTTP server got more than the limit");
    const qsizetype headEnd = answer.indexOf("\r\n\r\n");
    QVERIFY2(headEnd > 0, answer.constData());
    const QByteArray answerHead = answer.left(headEnd + 2);
    const QByteArray body = answer.mid(headEnd + 4);
    QVERIFY2(answerHead.startsWith(QByteArray("HTTP/1.1 " + QByteArray::number(status) + ' ')),
             answerHead.constData());
    QVERIFY2(answerHead.contains("\r\nConnection: close\r\n"), answerHead.constData());
    QVERIFY2(answerHead.contains(
                 QByteArray("\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n")),
             answer.constData());
    const QString message = QJsonDocument::fromJson(body).object().value(u"message").toString();
    QVERIFY2(message.contains(u"65536 bytes"), body.constData());
    QTRY_COMPARE(m_server->connectionCount(), 0);
}

QTEST_GUILESS_MAIN(tst_GuardedTcpServer)
#include "tst_guardedtcpserver.moc"

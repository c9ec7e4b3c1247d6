// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// StatsServer: statvent-web's HTTP routes on a real loopback port, with real writer processes.

#include "webservice-writers/writerprocess.h"
#include <statventweb/pipecollector.h>
#include <statventweb/statsserver.h>

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <limits>
#include <memory>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

using namespace StatventWeb;

namespace {

struct Answer
{
    int status = 0;
    QByteArray contentType;
    QByteArray allow;
    QByteArray body;
};

/*!
 * One request on a connection of its own, read in the test's thread: a client with no thread of
 * its own (QNetworkAccessManager has one), so that under ThreadSanitizer the threads are the
 * service's.
 */
class Exchange
{
public:
    Exchange(quint16 port, const QByteArray &method, const QString &pathAndQuery)
        : m_head(method == "HEAD")
    {
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        m_socket.write(method + ' ' + pathAndQuery.toUtf8()
                       + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    }

    //! Reads what arrived; true once the whole answer is in, or the connection is gone.
    bool isFinished()
    {
        static const QRegularExpression contentLength(QStringLiteral("\r\ncontent-length: *(\\d+)"),
                                                      QRegularExpression::CaseInsensitiveOption);
        m_received += m_socket.readAll();
        const qsizetype headEnd = m_received.indexOf("\r\n\r\n");
        if (headEnd >= 0) {
            const QRegularExpressionMatch match =
                contentLength.match(QString::fromLatin1(m_received.left(headEnd)));
            const qint64 length = m_head || !match.hasMatch() ? 0 : match.captured(1).toLongLong();
            if (m_received.size() >= headEnd + 4 + length)
                return true;
        }
        return m_socket.state() == QAbstractSocket::UnconnectedState;
    }

    //! The answer; status 0 if none came whole.
    Answer answer() const
    {
        Answer answer;
        const qsizetype headEnd = m_received.indexOf("\r\n\r\n");
        if (headEnd < 0 || !m_received.startsWith("HTTP/1.1 "))
            return answer;
        answer.status = m_received.mid(9, 3).toInt();
        for (const QByteArray &line : m_received.left(headEnd).split('\n')) {
            const qsizetype colon = line.indexOf(':');
            const QByteArray name = line.left(colon).trimmed().toLower();
            if (name == "content-type")
                answer.contentType = line.mid(colon + 1).trimmed();
            else if (name == "allow")
                answer.allow = line.mid(colon + 1).trimmed();
        }
        answer.body = m_received.mid(headEnd + 4);
        return answer;
    }

private:
    QTcpSocket m_socket;
    QByteArray m_received;
    bool m_head = false;
};

QJsonObject jsonOf(const Answer &answer)
{
    return QJsonDocument::fromJson(answer.body).object();
}

//! A raw client of the server on \a port (connected by the kernel, whether or not accepted yet).
std::unique_ptr<QTcpSocket> rawClient(quint16 port)
{
    auto client = std::make_unique<QTcpSocket>();
    client->connectToHost(QHostAddress::LocalHost, port);
    if (!client->waitForConnected(5000))
        return {};
    return client;
}

/*!
 * Waits for one whole answer on \a client (its head and the Content-Length bytes of its body),
 * with the server's events processed meanwhile; returns its status, 0 if none came within 10 s.
 * \a head gets the status line and the headers.
 */
int readAnswer(QTcpSocket &client, QByteArray *head = nullptr)
{
    static const QRegularExpression contentLength(QStringLiteral("\r\ncontent-length: *(\\d+)"),
                                                  QRegularExpression::CaseInsensitiveOption);
    QByteArray received;
    qsizetype headEnd = -1;
    const bool complete = QTest::qWaitFor(
        [&] {
            received += client.readAll();
            headEnd = received.indexOf("\r\n\r\n");
            if (headEnd < 0)
                return false;
            const QRegularExpressionMatch match =
                contentLength.match(QString::fromLatin1(received.left(headEnd)));
            return received.size()
                >= headEnd + 4 + (match.hasMatch() ? match.captured(1).toLongLong() : 0);
        },
        10000);
    if (!complete || !received.startsWith("HTTP/1.1 "))
        return 0;
    if (head)
        *head = received.left(headEnd);
    return received.mid(9, 3).toInt();
}

//! One answer read off a raw connection.
struct RawAnswer
{
    int status = 0;
    QByteArray head; //!< status line and headers
    QByteArray body;
};

/*!
 * Reads the answers to \a requests, each a whole HTTP request sent on \a client, in order:
 * a HEAD answer has no body whatever its Content-Length says, any other has Content-Length bytes.
 * Fewer answers than requests if the rest did not come within 10 s; \a rest gets what follows
 * the last answer.
 */
QList<RawAnswer> readAnswers(QTcpSocket &client, const QList<QByteArray> &requests,
                             QByteArray *rest = nullptr)
{
    static const QRegularExpression contentLength(QStringLiteral("\r\ncontent-length: *(\\d+)"),
                                                  QRegularExpression::CaseInsensitiveOption);
    QList<RawAnswer> answers;
    QByteArray received;
    const bool complete = QTest::qWaitFor(
        [&] {
            received += client.readAll();
            while (answers.size() < requests.size()) {
                const qsizetype headEnd = received.indexOf("\r\n\r\n");
                if (headEnd < 0)
                    return false;
                const QByteArray head = received.left(headEnd);
                const QRegularExpressionMatch match =
                    contentLength.match(QString::fromLatin1(head));
                const qsizetype bodySize =
                    requests.at(answers.size()).startsWith("HEAD ") || !match.hasMatch()
                    ? 0
                    : match.captured(1).toLongLong();
                if (received.size() < headEnd + 4 + bodySize)
                    return false;
                answers.append(RawAnswer{head.startsWith("HTTP/1.1 ") ? head.mid(9, 3).toInt() : -1,
                                         head, received.mid(headEnd + 4, bodySize)});
                received.remove(0, headEnd + 4 + bodySize);
            }
            return true;
        },
        10000);
    // Anything more, such as a body a HEAD answer must not have, would have arrived with it.
    if (complete)
        QTest::qWait(50);
    received += client.readAll();
    if (rest)
        *rest = received;
    return answers;
}

} // namespace

class tst_StatsServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void routes_data();
    void routes();
    void customStatsPath();
    void statsPathChecks_data();
    void statsPathChecks();
    void sumsIntegersExactlyAndOverflowsToReal();
    void aggregates_data();
    void aggregates();
    void byProcessReportsUnansweredAndRemoved();
    void histogramsOnlyWhenAsked();
    void metricsServesTheSameData();
    void healthzAnswersWhileASweepWaits();
    void concurrentRequestsShareOneSweep();
    void clientsThatHangUpMidSweepAreDropped();
    void requestsWhileWritersChurn();
    void portInUse();
    void idleConnectionsAreClosed_data();
    void idleConnectionsAreClosed();
    void requestInProgressIsNotIdle();
    void oversizedRequestIsRefused_data();
    void oversizedRequestIsRefused();
    void requestJustWithinTheLimitIsServed();
    void connectionCapMakesNewClientsWait();
    void closeWhenAsked_data();
    void closeWhenAsked();
    void outOfDescriptorsPausesAndRetries();
    void pipelinedRequestsAreAnsweredInOrder_data();
    void pipelinedRequestsAreAnsweredInOrder();
    void headGetsTheHeadersOfGetWithoutABody_data();
    void headGetsTheHeadersOfGetWithoutABody();

private:
    //! Sends a request to the server under test and waits for the answer.
    Answer request(const QString &pathAndQuery, const QByteArray &method = "GET");
    std::unique_ptr<Exchange> send(const QString &pathAndQuery, const QByteArray &method = "GET");

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<PipeCollector> m_collector;
    std::unique_ptr<StatsServer> m_server;
};

void tst_StatsServer::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_collector = std::make_unique<PipeCollector>();
    m_collector->setPipeDir(m_dir->path());
    m_collector->setTimeout(300);
    m_server = std::make_unique<StatsServer>(m_collector.get());
    QVERIFY(m_server->startListening(QHostAddress::LocalHost, 0));
    QVERIFY(m_server->port() != 0);
}

void tst_StatsServer::cleanup()
{
    m_server.reset();
    m_collector.reset();
    m_dir.reset();
}

std::unique_ptr<Exchange> tst_StatsServer::send(const QString &pathAndQuery,
                                                const QByteArray &method)
{
    return std::make_unique<Exchange>(m_server->port(), method, pathAndQuery);
}

Answer tst_StatsServer::request(const QString &pathAndQuery, const QByteArray &method)
{
    const std::unique_ptr<Exchange> exchange = send(pathAndQuery, method);
    if (!QTest::qWaitFor([&exchange] { return exchange->isFinished(); }, 15000))
        return {};
    return exchange->answer();
}

void tst_StatsServer::routes_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body"); // empty: not checked

    const QByteArray json("application/json");
    QTest::newRow("stats") << QStringLiteral("/stats") << QByteArray("GET") << 200 << json
                           << QByteArray();
    QTest::newRow("stats max") << QStringLiteral("/stats?aggregate=max") << QByteArray("GET") << 200
                               << json << QByteArray();
    QTest::newRow("stats by process")
        << QStringLiteral("/stats?by=process") << QByteArray("GET") << 200 << json << QByteArray();
    QTest::newRow("metrics") << QStringLiteral("/metrics") << QByteArray("GET") << 200
                             << QByteArray("text/plain; version=0.0.4; charset=utf-8")
                             << QByteArray();
    QTest::newRow("metrics by process")
        << QStringLiteral("/metrics?by=process") << QByteArray("GET") << 200
        << QByteArray("text/plain; version=0.0.4; charset=utf-8") << QByteArray();
    QTest::newRow("healthz") << QStringLiteral("/healthz") << QByteArray("GET") << 200 << json
                             << QByteArray("{\"status\":\"ok\"}");
    QTest::newRow("unknown path")
        << QStringLiteral("/nope") << QByteArray("GET") << 404 << json
        << QByteArray("{\"message\":\"The requested resource was not found\",\"path\":\"/nope\"}");
    QTest::newRow("trailing slash")
        << QStringLiteral("/stats/") << QByteArray("GET") << 404 << json
        << QByteArray(
               "{\"message\":\"The requested resource was not found\",\"path\":\"/stats/\"}");
    QTest::newRow("root")
        << QStringLiteral("/") << QByteArray("GET") << 404 << json
        << QByteArray("{\"message\":\"The requested resource was not found\",\"path\":\"/\"}");
    QTest::newRow("POST stats") << QStringLiteral("/stats") << QByteArray("POST") << 405 << json
                                << QByteArray(
                                       "{\"message\":\"Method not allowed\",\"path\":\"/stats\"}");
    QTest::newRow("DELETE metrics")
        << QStringLiteral("/metrics") << QByteArray("DELETE") << 405 << json
        << QByteArray("{\"message\":\"Method not allowed\",\"path\":\"/metrics\"}");
    QTest::newRow("PUT healthz")
        << QStringLiteral("/healthz") << QByteArray("PUT") << 405 << json
        << QByteArray("{\"message\":\"Method not allowed\",\"path\":\"/healthz\"}");
    QTest::newRow("POST unknown path")
        << QStringLiteral("/nope") << QByteArray("POST") << 404 << json << QByteArray();
    QTest::newRow("unknown aggregate")
        << QStringLiteral("/stats?aggregate=median") << QByteArray("GET") << 400 << json
        << QByteArray("{\"message\":\"unknown aggregate \\\"median\\\": use sum, max, min or "
                      "avg\",\"path\":\"/stats\"}");
    QTest::newRow("unknown view") << QStringLiteral("/stats?by=host") << QByteArray("GET") << 400
                                  << json
                                  << QByteArray("{\"message\":\"unknown view by=\\\"host\\\": the "
                                                "only one is by=process\",\"path\":\"/stats\"}");
    QTest::newRow("unknown parameter")
        << QStringLiteral("/metrics?agregate=max") << QByteArray("GET") << 400 << json
        << QByteArray("{\"message\":\"unknown query parameter \\\"agregate\\\": use "
                      "aggregate=sum|max|min|avg or "
                      "by=process\",\"path\":\"/metrics\"}");
    QTest::newRow("unknown parameter of the JSON view")
        << QStringLiteral("/stats?histogram=1") << QByteArray("GET") << 400 << json
        << QByteArray("{\"message\":\"unknown query parameter \\\"histogram\\\": use "
                      "aggregate=sum|max|min|avg, by=process or "
                      "histograms=1\",\"path\":\"/stats\"}");
    QTest::newRow("stats with histograms") << QStringLiteral("/stats?histograms=1")
                                           << QByteArray("GET") << 200 << json << QByteArray();
    QTest::newRow("stats max with histograms")
        << QStringLiteral("/stats?aggregate=max&histograms=1") << QByteArray("GET") << 200 << json
        << QByteArray();
    QTest::newRow("stats by process with histograms")
        << QStringLiteral("/stats?histograms=1&by=process") << QByteArray("GET") << 200 << json
        << QByteArray();
    QTest::newRow("stats without histograms") << QStringLiteral("/stats?histograms=0")
                                              << QByteArray("GET") << 200 << json << QByteArray();
    QTest::newRow("malformed histograms")
        << QStringLiteral("/stats?histograms=yes") << QByteArray("GET") << 400 << json
        << QByteArray("{\"message\":\"unknown histograms=\\\"yes\\\": use histograms=1 or "
                      "histograms=0\",\"path\":\"/stats\"}");
    QTest::newRow("empty histograms")
        << QStringLiteral("/stats?histograms") << QByteArray("GET") << 400 << json
        << QByteArray("{\"message\":\"unknown histograms=\\\"\\\": use histograms=1 or "
                      "histograms=0\",\"path\":\"/stats\"}");
    QTest::newRow("histograms twice")
        << QStringLiteral("/stats?histograms=1&histograms=1") << QByteArray("GET") << 400 << json
        << QByteArray("{\"message\":\"histograms is given more than once\",\"path\":\"/stats\"}");
    // /metrics has no JSON histograms to give.
    QTest::newRow("histograms on metrics")
        << QStringLiteral("/metrics?histograms=1") << QByteArray("GET") << 400 << json
        << QByteArray("{\"message\":\"unknown query parameter \\\"histograms\\\": use "
                      "aggregate=sum|max|min|avg or by=process\",\"path\":\"/metrics\"}");
    QTest::newRow("aggregate twice")
        << QStringLiteral("/stats?aggregate=max&aggregate=min") << QByteArray("GET") << 400 << json
        << QByteArray("{\"message\":\"aggregate is given more than once\",\"path\":\"/stats\"}");
    QTest::newRow("by twice") << QStringLiteral("/metrics?by=process&by=process")
                              << QByteArray("GET") << 400 << json
                              << QByteArray("{\"message\":\"by is given more than "
                                            "once\",\"path\":\"/metrics\"}");
    QTest::newRow("by process with an aggregate")
        << QStringLiteral("/stats?by=process&aggregate=max") << QByteArray("GET") << 400 << json
        << QByteArray("{\"message\":\"by=process shows each process's own values: it takes no "
                      "aggregate\",\"path\":\"/stats\"}");
}

void tst_StatsServer::routes()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, method);
    QFETCH(int, status);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);

    const Answer answer = request(path, method);
    QCOMPARE(answer.status, status);
    QCOMPARE(answer.contentType, contentType);
    if (!body.isEmpty())
        QCOMPARE(answer.body, body);
    QCOMPARE(answer.allow, status == 405 ? QByteArray("GET, HEAD") : QByteArray());
    if (contentType == "application/json") {
        QJsonParseError error;
        QJsonDocument::fromJson(answer.body, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
    }
}

void tst_StatsServer::customStatsPath()
{
    QVERIFY(m_server->setStatsPath(QStringLiteral("/custom/stats")));
    QCOMPARE(m_server->statsPath(), QStringLiteral("/custom/stats"));
    QCOMPARE(request(QStringLiteral("/custom/stats")).status, 200);
    QCOMPARE(request(QStringLiteral("/stats")).status, 404);
}

void tst_StatsServer::statsPathChecks_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("problem");
    QTest::newRow("fine") << QStringLiteral("/api/stats") << QString();
    QTest::newRow("relative") << QStringLiteral("stats")
                              << QStringLiteral("the path must start with '/'");
    QTest::newRow("query") << QStringLiteral("/stats?x")
                           << QStringLiteral("the path must not contain '?' or '#'");
    QTest::newRow("metrics") << QStringLiteral("/metrics")
                             << QStringLiteral("/metrics is taken by another route");
    QTest::newRow("healthz") << QStringLiteral("/healthz")
                             << QStringLiteral("/healthz is taken by another route");
}

void tst_StatsServer::statsPathChecks()
{
    QFETCH(QString, path);
    QFETCH(QString, problem);
    QCOMPARE(StatsServer::checkStatsPath(path), problem);
    QCOMPARE(m_server->setStatsPath(path), problem.isEmpty());
    QCOMPARE(m_server->statsPath(), problem.isEmpty() ? path : QStringLiteral("/stats"));
}

void tst_StatsServer::sumsIntegersExactlyAndOverflowsToReal()
{
    WriterProcess first;
    WriterProcess second;
    QVERIFY(first.start(m_dir->path(),
                        {QStringLiteral("--stat"), QStringLiteral("big=9223372036854775807"),
                         QStringLiteral("--stat"), QStringLiteral("exact=9223372036854775806"),
                         QStringLiteral("--stat"), QStringLiteral("ratio=0.25")}));
    QVERIFY(second.start(m_dir->path(),
                         {QStringLiteral("--stat"), QStringLiteral("big=1"),
                          QStringLiteral("--stat"), QStringLiteral("exact=1"),
                          QStringLiteral("--stat"), QStringLiteral("ratio=0.75")}));

    const Answer answer = request(QStringLiteral("/stats"));
    QCOMPARE(answer.status, 200);
    QVERIFY2(answer.body.contains("\"exact\":9223372036854775807,"), answer.body.constData());
    QVERIFY2(answer.body.contains("\"big\":9223372036854775808.0,"), answer.body.constData());
    QVERIFY2(answer.body.contains("\"ratio\":1.0}"), answer.body.constData());
    const QJsonObject document = jsonOf(answer);
    QCOMPARE(document.value(u"stats").toObject().value(u"exact").toInteger(),
             std::numeric_limits<qint64>::max());
    QCOMPARE(document.value(u"processes").toInteger(), 2);
    QCOMPARE(document.value(u"unanswered").toInteger(), 0);
    QCOMPARE(document.value(u"aggregate").toString(), QStringLiteral("sum"));
    const double now = double(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
    QVERIFY(qAbs(document.value(u"timestamp").toDouble() - now) < 60);
}

void tst_StatsServer::aggregates_data()
{
    QTest::addColumn<QString>("aggregate");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("sum") << QStringLiteral("sum") << QByteArray("\"latency.100th\":130.0");
    QTest::newRow("max") << QStringLiteral("max") << QByteArray("\"latency.100th\":90.0");
    QTest::newRow("min") << QStringLiteral("min") << QByteArray("\"latency.100th\":40.0");
    QTest::newRow("avg") << QStringLiteral("avg") << QByteArray("\"latency.100th\":65.0");
}

void tst_StatsServer::aggregates()
{
    QFETCH(QString, aggregate);
    QFETCH(QByteArray, expected);
    WriterProcess first;
    WriterProcess second;
    QVERIFY(first.start(m_dir->path(),
                        {QStringLiteral("--stat"), QStringLiteral("latency.100th=40.0")}));
    QVERIFY(second.start(m_dir->path(),
                         {QStringLiteral("--stat"), QStringLiteral("latency.100th=90.0")}));

    const Answer answer = request(QStringLiteral("/stats?aggregate=") + aggregate);
    QCOMPARE(answer.status, 200);
    QVERIFY2(answer.body.contains(expected), answer.body.constData());
    QCOMPARE(jsonOf(answer).value(u"aggregate").toString(), aggregate);
}

void tst_StatsServer::byProcessReportsUnansweredAndRemoved()
{
    WriterProcess answering;
    QVERIFY(answering.start(m_dir->path(), {QStringLiteral("--stat"), QStringLiteral("x=1")}));
    WriterProcess silent;
    QVERIFY(silent.start(m_dir->path(), {QStringLiteral("--mode"), QStringLiteral("silent")}));
    WriterProcess killed;
    QVERIFY(killed.start(m_dir->path(), {QStringLiteral("--stat"), QStringLiteral("x=2")}));
    killed.kill();

    QTest::ignoreMessage(
        QtInfoMsg,
        QRegularExpression(QStringLiteral("removed stale pipe .*/%1.stats").arg(killed.pid())));
    const Answer answer = request(QStringLiteral("/stats?by=process"));
    QCOMPARE(answer.status, 200);
    const QJsonObject document = jsonOf(answer);
    const QJsonObject processes = document.value(u"processes").toObject();
    QCOMPARE(processes.keys(), QStringList{QString::number(answering.pid())});
    const QJsonObject own = processes.value(QString::number(answering.pid())).toObject();
    QCOMPARE(own.value(u"stats").toObject().value(u"x").toInteger(), 1);
    QCOMPARE(own.value(u"rejectedLines").toInteger(), 0);
    QCOMPARE(document.value(u"unanswered").toArray(), QJsonArray{silent.pid()});
    QCOMPARE(document.value(u"removed").toArray(), QJsonArray{killed.pid()});
    QVERIFY(document.value(u"timestamp").toDouble() > 0);

    // The silent process's pipe stays and is tried again; the dead one is gone for good.
    const QJsonObject again = jsonOf(request(QStringLiteral("/stats?by=process")));
    QCOMPARE(again.value(u"unanswered").toArray(), QJsonArray{silent.pid()});
    QCOMPARE(again.value(u"removed").toArray(), QJsonArray());
}

void tst_StatsServer::histogramsOnlyWhenAsked()
{
    WriterProcess writer;
    QVERIFY(writer.start(m_dir->path(),
                         {QStringLiteral("--record"), QStringLiteral("latency.{0}=1,2,3,4")}));
    // Both views of one sweep come from one request each: the cache keeps them apart.
    const QList<std::pair<QString, bool>> views = {{QStringLiteral("/stats"), false},
                                                   {QStringLiteral("/stats?histograms=1"), true},
                                                   {QStringLiteral("/stats?histograms=0"), false}};
    for (const auto &[path, withHistogram] : views) {
        const QJsonObject window =
            jsonOf(request(path)).value(u"windows").toObject().value(u"latency.{0}").toObject();
        QCOMPARE(window.value(u"count").toInteger(), 4);
        QCOMPARE(window.value(u"merged").toBool(), true);
        QCOMPARE(window.contains(u"histogram"), withHistogram);
        const QJsonObject process = jsonOf(request(path + (path.contains(u'?') ? u'&' : u'?')
                                                   + QStringLiteral("by=process")))
                                        .value(u"processes")
                                        .toObject()
                                        .value(QString::number(writer.pid()))
                                        .toObject();
        const QJsonObject own =
            process.value(u"windows").toObject().value(u"latency.{0}").toObject();
        QCOMPARE(own.value(u"sum").toDouble(), 10.0);
        QCOMPARE(own.contains(u"histogram"), withHistogram);
    }
}

void tst_StatsServer::metricsServesTheSameData()
{
    WriterProcess writer;
    QVERIFY(writer.start(m_dir->path(),
                         {QStringLiteral("--stat"), QStringLiteral("requests=42"),
                          QStringLiteral("--stat-hex"),
                          QStringLiteral("636166e9=7")})); // "caf\xe9": not UTF-8
    // The writer's statistics are gauges (set()): untyped when read from its FIFO, in the gauge
    // family when read over its socket.
    const auto hasSeries = [](const QByteArray &text, const QByteArray &labelsAndValue) {
        return text.contains(QByteArray("\nstatvent_stat" + labelsAndValue + '\n'))
            || text.contains(QByteArray("\nstatvent_value" + labelsAndValue + '\n'));
    };
    const Answer combined = request(QStringLiteral("/metrics?aggregate=max"));
    QCOMPARE(combined.status, 200);
    QVERIFY(hasSeries(combined.body, "{name=\"requests\",aggregate=\"max\"} 42"));
    QVERIFY(hasSeries(combined.body,
                      "{name=\"caf\xef\xbf\xbd\",name_hex=\"636166e9\",aggregate=\"max\"} 7"));
    QVERIFY(combined.body.contains("statvent_processes 1\n"));
    const Answer perProcess = request(QStringLiteral("/metrics?by=process"));
    QVERIFY(
        hasSeries(perProcess.body,
                  QStringLiteral("{name=\"requests\",pid=\"%1\"} 42").arg(writer.pid()).toUtf8()));

    // And JSON carries the same name losslessly.
    QVERIFY(request(QStringLiteral("/stats")).body.contains("\"caf\\udce9\":7"));
}

void tst_StatsServer::healthzAnswersWhileASweepWaits()
{
    WriterProcess silent;
    QVERIFY(silent.start(m_dir->path(), {QStringLiteral("--mode"), QStringLiteral("silent")}));
    m_collector->setTimeout(3000);

    const std::unique_ptr<Exchange> stats = send(QStringLiteral("/stats"));
    QTRY_VERIFY(m_collector->isSweeping());
    const Answer health = request(QStringLiteral("/healthz"));
    QCOMPARE(health.status, 200);
    // Answered while the statistics still wait for the silent writer.
    QVERIFY(m_collector->isSweeping());
    QVERIFY(!stats->isFinished());
    QTRY_VERIFY_WITH_TIMEOUT(stats->isFinished(), 10000);
    const Answer answer = stats->answer();
    QCOMPARE(answer.status, 200);
    QCOMPARE(jsonOf(answer).value(u"unanswered").toInteger(), 1);
}

void tst_StatsServer::concurrentRequestsShareOneSweep()
{
    WriterProcess writer;
    QVERIFY(writer.start(m_dir->path(), {QStringLiteral("--stat"), QStringLiteral("x=1")}));
    WriterProcess silent; // keeps the sweep in flight for the whole timeout
    QVERIFY(silent.start(m_dir->path(), {QStringLiteral("--mode"), QStringLiteral("silent")}));
    QSignalSpy sweeps(m_collector.get(), &PipeCollector::sweepFinished);

    std::vector<std::unique_ptr<Exchange>> replies;
    const QStringList paths{QStringLiteral("/stats"), QStringLiteral("/stats?aggregate=max"),
                            QStringLiteral("/stats?by=process"), QStringLiteral("/metrics"),
                            QStringLiteral("/stats")};
    for (const QString &path : paths)
        replies.emplace_back(send(path));
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(replies.begin(), replies.end(),
                                         [](const auto &reply) { return reply->isFinished(); }),
                             10000);
    QCOMPARE(sweeps.size(), 1);
    for (const auto &reply : replies)
        QCOMPARE(reply->answer().status, 200);
    // The two identical requests got the same document, rendered once from the one sweep.
    QCOMPARE(replies.front()->answer().body, replies.back()->answer().body);
}

void tst_StatsServer::requestsWhileWritersChurn()
{
    // Sweeps run on the collector's thread while writers come and go and requests of every
    // kind share them (run under ThreadSanitizer in CI: label concurrency).
    WriterProcess steady;
    QVERIFY(steady.start(m_dir->path(), {QStringLiteral("--stat"), QStringLiteral("steady=1")}));
    std::vector<std::unique_ptr<WriterProcess>> churning;
    std::vector<std::unique_ptr<Exchange>> replies;
    const QStringList paths{QStringLiteral("/stats"), QStringLiteral("/stats?by=process"),
                            QStringLiteral("/metrics"), QStringLiteral("/metrics?by=process"),
                            QStringLiteral("/stats?aggregate=avg")};
    QElapsedTimer clock;
    clock.start();
    for (int round = 0; clock.elapsed() < 2000 || round < 10; ++round) {
        if (churning.size() >= 3) {
            churning.front()->kill();
            churning.erase(churning.begin());
        }
        churning.push_back(std::make_unique<WriterProcess>());
        QVERIFY(churning.back()->start(m_dir->path(),
                                       {QStringLiteral("--stat"), QStringLiteral("churn=1")}));
        for (const QString &path : paths)
            replies.emplace_back(send(path));
        QTest::qWait(20);
    }
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(replies.begin(), replies.end(),
                                         [](const auto &reply) { return reply->isFinished(); }),
                             30000);
    for (const auto &reply : replies) {
        QCOMPARE(reply->answer().status, 200);
        QVERIFY(reply->answer().body.contains("steady"));
    }
}

void tst_StatsServer::clientsThatHangUpMidSweepAreDropped()
{
    WriterProcess silent;
    QVERIFY(silent.start(m_dir->path(), {QStringLiteral("--mode"), QStringLiteral("silent")}));
    QSignalSpy sweeps(m_collector.get(), &PipeCollector::sweepFinished);

    // Clients that ask, then go away before the sweep ends: some abort, some close politely.
    std::vector<std::unique_ptr<QTcpSocket>> clients;
    for (int i = 0; i < 6; ++i) {
        auto client = std::make_unique<QTcpSocket>();
        client->connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(client->waitForConnected(5000));
        client->write("GET /stats HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QVERIFY(client->waitForBytesWritten(5000));
        clients.push_back(std::move(client));
    }
    QTRY_VERIFY(m_collector->isSweeping());
    QTest::qWait(50); // let the server read the requests
    for (size_t i = 0; i < clients.size(); ++i) {
        if (i % 2)
            clients[i]->abort();
        else
            clients[i]->disconnectFromHost();
    }
    clients.clear();
    QTRY_COMPARE_WITH_TIMEOUT(sweeps.size(), 1, 5000);
    QTest::qWait(50);

    // Still serving, statistics included.
    QCOMPARE(request(QStringLiteral("/healthz")).status, 200);
    QCOMPARE(request(QStringLiteral("/stats")).status, 200);
}

void tst_StatsServer::portInUse()
{
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress::LocalHost, 0));
    StatsServer second(m_collector.get());
    QVERIFY(!second.startListening(QHostAddress::LocalHost, occupant.serverPort()));
    QCOMPARE(second.errorString(), QStringLiteral("The bound address is already in use"));
}

void tst_StatsServer::idleConnectionsAreClosed_data()
{
    QTest::addColumn<QByteArray>("said"); // what the idle client sent before falling silent
    QTest::newRow("nothing") << QByteArray();
    QTest::newRow("a request cut short") << QByteArray("GET /healthz HTT");
    QTest::newRow("headers never ended") << QByteArray("GET /healthz HTTP/1.1\r\nHost: a\r\n");
    QTest::newRow("a whole request, answered")
        << QByteArray("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n");
}

void tst_StatsServer::idleConnectionsAreClosed()
{
    QFETCH(QByteArray, said);
    using namespace std::chrono_literals;
    // A request cut short is late by its own deadline, answered 408; a silent connection idle.
    m_server->setLimits({.idleTimeout = 300ms, .requestTimeout = 300ms});
    QCOMPARE(m_server->limits().idleTimeout, 300ms);
    QCOMPARE(m_server->limits().requestTimeout, 300ms);
    const bool cutShort = !said.isEmpty() && !said.endsWith("\r\n\r\n");
    if (cutShort)
        QTest::ignoreMessage(
            QtWarningMsg,
            "refused a request from 127.0.0.1: Request not complete within 300 ms of its "
            "first byte (answered 408, connection closed)");

    QElapsedTimer clock;
    clock.start();
    const std::unique_ptr<QTcpSocket> idle = rawClient(m_server->port());
    QVERIFY(idle);
    idle->write(said);
    if (said.endsWith("\r\n\r\n"))
        QCOMPARE(readAnswer(*idle), 200);
    // Another client asks every 50 ms on one kept-alive connection, and is served every time:
    // it is never idle, while the silent one is closed after the timeout.
    const std::unique_ptr<QTcpSocket> active = rawClient(m_server->port());
    QVERIFY(active);
    int answers = 0;
    while (idle->state() == QAbstractSocket::ConnectedState && clock.elapsed() < 5000) {
        active->write("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n");
        QCOMPARE(readAnswer(*active), 200);
        ++answers;
        QTest::qWait(50);
    }
    QCOMPARE(idle->state(), QAbstractSocket::UnconnectedState);
    QVERIFY2(clock.elapsed() >= 300, qPrintable(QString::number(clock.elapsed())));
    if (cutShort)
        QVERIFY(idle->readAll().startsWith("HTTP/1.1 408 "));
    QVERIFY(answers >= 2);
    QCOMPARE(active->state(), QAbstractSocket::ConnectedState);
    QTRY_COMPARE(m_server->connectionCount(), 1);
    active->write("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n");
    QCOMPARE(readAnswer(*active), 200);
}

void tst_StatsServer::requestInProgressIsNotIdle()
{
    using namespace std::chrono_literals;
    m_server->setLimits({.idleTimeout = 200ms});
    WriterProcess silent; // the sweep waits for it for the collector's whole timeout
    QVERIFY(silent.start(m_dir->path(), {QStringLiteral("--mode"), QStringLiteral("silent")}));
    m_collector->setTimeout(1000);

    const std::unique_ptr<QTcpSocket> client = rawClient(m_server->port());
    QVERIFY(client);
    QElapsedTimer clock;
    clock.start();
    client->write("GET /stats HTTP/1.1\r\nHost: a\r\n\r\n");
    QCOMPARE(readAnswer(*client), 200);
    QVERIFY(clock.elapsed() >= 900); // answered after the sweep, long after the idle timeout
    // Idle from now on.
    QTRY_COMPARE_WITH_TIMEOUT(client->state(), QAbstractSocket::UnconnectedState, 5000);
}

void tst_StatsServer::oversizedRequestIsRefused_data()
{
    QTest::addColumn<QByteArray>("start");
    QTest::addColumn<QByteArray>("filler"); // repeated until the server hangs up
    QTest::addColumn<int>("status");
    QTest::newRow("request line") << QByteArray("GET /") << QByteArray(1024, 'a') << 431;
    QTest::newRow("one header") << QByteArray("GET /stats HTTP/1.1\r\nHost: a\r\nX-Big: ")
                                << QByteArray(1024, 'b') << 431;
    QTest::newRow("many headers") << QByteArray("GET /stats HTTP/1.1\r\nHost: a\r\n")
                                  << QByteArray("X: y\r\n").repeated(200) << 431;
    QTest::newRow("body") << QByteArray(
        "POST /stats HTTP/1.1\r\nHost: a\r\nContent-Length: 10000000\r\n\r\n")
                          << QByteArray(1024, 'c') << 413;
}

void tst_StatsServer::oversizedRequestIsRefused()
{
    QFETCH(QByteArray, start);
    QFETCH(QByteArray, filler);
    QFETCH(int, status);
    QTest::ignoreMessage(
        QtWarningMsg,
        QRegularExpression(
            QStringLiteral("refused a request from 127\\.0\\.0\\.1: .*exceed.* 65536 bytes "
                           "\\(answered %1, connection closed\\)")
                .arg(status)));
    const std::unique_ptr<QTcpSocket> client = rawClient(m_server->port());
    QVERIFY(client);
    client->write(start);
    // Sent piece by piece, each one handed to the kernel (and the server given its turn)
    // before the next: the server must hang up long before a megabyte.
    qint64 sent = start.size();
    while (sent < 1024 * 1024 && client->state() == QAbstractSocket::ConnectedState
           && client->bytesAvailable() == 0) {
        client->write(filler);
        sent += filler.size();
        QVERIFY(QTest::qWaitFor(
            [&] {
                return client->bytesToWrite() == 0
                    || client->state() != QAbstractSocket::ConnectedState;
            },
            5000));
        QCoreApplication::processEvents();
    }
    QVERIFY2(sent < 1024 * 1024, "the server kept reading");
    QByteArray head;
    QCOMPARE(readAnswer(*client, &head), status);
    QVERIFY2(head.contains("\r\nConnection: close"), head.constData());
    // Written by the guard, in the service's own error format.
    QVERIFY2(head.contains("\r\nContent-Type: application/json\r\n"), head.constData());
    // Then end-of-file: the server closed the connection.
    QTRY_COMPARE_WITH_TIMEOUT(client->state(), QAbstractSocket::UnconnectedState, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, 5000);
    QCOMPARE(request(QStringLiteral("/healthz")).status, 200);
}

void tst_StatsServer::requestJustWithinTheLimitIsServed()
{
    const std::unique_ptr<QTcpSocket> client = rawClient(m_server->port());
    QVERIFY(client);
    const QByteArray start("GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: ");
    client->write(start + QByteArray(60 * 1024, 'b') + "\r\n\r\n");
    QCOMPARE(readAnswer(*client), 200);
    QCOMPARE(client->state(), QAbstractSocket::ConnectedState);
}

void tst_StatsServer::connectionCapMakesNewClientsWait()
{
    // Only while every connection is being answered; else a newcomer evicts one
    // (tst_GuardedTcpServer::fullTableEvictsTheOldestIncompleteRequest).
    WriterProcess silent; // the sweep waits for it for the collector's whole timeout
    QVERIFY(silent.start(m_dir->path(), {QStringLiteral("--mode"), QStringLiteral("silent")}));
    m_collector->setTimeout(1500);
    m_server->setLimits({.maxConnections = 2});
    QCOMPARE(m_server->limits().maxConnections, 2);
    QTest::ignoreMessage(QtWarningMsg,
                         "2 connections open, the maximum, all being answered: accepting no more "
                         "until one is answered");
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(QStringLiteral(
                             "^2 connections open, the maximum: closed 1 incomplete or idle")));
    const std::unique_ptr<QTcpSocket> first = rawClient(m_server->port());
    const std::unique_ptr<QTcpSocket> second = rawClient(m_server->port());
    QVERIFY(first && second);
    QTRY_COMPARE(m_server->connectionCount(), 2);
    const QByteArray stats("GET /stats HTTP/1.1\r\nHost: a\r\n\r\n");
    first->write(stats);
    second->write(stats);
    QTRY_VERIFY(m_collector->isSweeping());
    // Both requests read before the third client connects: nothing outside tells when the
    // second one is, so this waits (well within the sweep's 1.5 s).
    QTest::qWait(100);

    // A third client is connected by the kernel but not accepted: its request waits.
    const std::unique_ptr<QTcpSocket> third = rawClient(m_server->port());
    QVERIFY(third);
    third->write("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n");
    QVERIFY(third->waitForBytesWritten(5000));
    QTest::qWait(300); // the absence of an answer can only be seen by waiting
    QCOMPARE(third->bytesAvailable(), 0);
    QCOMPARE(m_server->connectionCount(), 2);

    // Once the sweep has answered the two, the waiting client is accepted and answered.
    QCOMPARE(readAnswer(*first), 200);
    QCOMPARE(readAnswer(*third), 200);
    QCOMPARE(m_server->connectionCount(), 2);
}

void tst_StatsServer::closeWhenAsked_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("closes");
    QTest::newRow("HTTP/1.1") << QByteArray("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n") << 200
                              << false;
    QTest::newRow("Connection: close")
        << QByteArray("GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n") << 200
        << true;
    QTest::newRow("connection: Keep-Alive, CLOSE")
        << QByteArray("GET /healthz HTTP/1.1\r\nHost: a\r\nconnection: Keep-Alive, CLOSE\r\n\r\n")
        << 200 << true;
    QTest::newRow("HTTP/1.0") << QByteArray("GET /healthz HTTP/1.0\r\n\r\n") << 200 << true;
    QTest::newRow("HTTP/1.0 keep-alive")
        << QByteArray("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") << 200 << false;
    QTest::newRow("close, answered after a sweep")
        << QByteArray("GET /stats HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n") << 200 << true;
    QTest::newRow("close, metrics")
        << QByteArray("GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n") << 200
        << true;
    QTest::newRow("close, 404") << QByteArray(
        "GET /nope HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                                << 404 << true;
    QTest::newRow("close, 405") << QByteArray(
        "POST /stats HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                                << 405 << true;
    QTest::newRow("close, 400") << QByteArray(
        "GET /stats?by=host HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                                << 400 << true;
}

void tst_StatsServer::closeWhenAsked()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(bool, closes);
    const std::unique_ptr<QTcpSocket> client = rawClient(m_server->port());
    QVERIFY(client);
    client->write(request);
    QCOMPARE(readAnswer(*client), status);
    if (closes) {
        // The answer, then end-of-file, well before any idle timeout.
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), QAbstractSocket::UnconnectedState, 2000);
        QTRY_COMPARE(m_server->connectionCount(), 0);
    } else {
        // Still open: a second request on it is answered.
        client->write(request);
        QCOMPARE(readAnswer(*client), status);
        QCOMPARE(client->state(), QAbstractSocket::ConnectedState);
        QCOMPARE(m_server->connectionCount(), 1);
    }
}

void tst_StatsServer::outOfDescriptorsPausesAndRetries()
{
    // Clients the kernel has connected; the server has not accepted them yet (no event was
    // processed since).
    std::vector<std::unique_ptr<QTcpSocket>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(rawClient(m_server->port()));
        QVERIFY(clients.back());
        clients.back()->write("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n");
        QVERIFY(clients.back()->waitForBytesWritten(5000));
    }
    // No descriptor left: a new one would be the lowest free number, now beyond the limit.
    rlimit saved;
    QCOMPARE(::getrlimit(RLIMIT_NOFILE, &saved), 0);
    const int lowestFree = ::dup(0);
    QVERIFY(lowestFree >= 0);
    ::close(lowestFree);
    rlimit lowered = saved;
    lowered.rlim_cur = rlim_t(lowestFree);
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(QStringLiteral(
                             "cannot accept a connection \\(.+\\): trying again when one "
                             "closes, and every second")));
    QCOMPARE(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
    QTest::qWait(200); // the server tries, fails, and pauses (and says so once)
    QCOMPARE(m_server->connectionCount(), 0);
    QCOMPARE(::setrlimit(RLIMIT_NOFILE, &saved), 0);
    // Accepting resumes by itself, and every waiting client is answered, with no other warning
    // (Qt's stale accept error after each later round of accepting is not one).
    QTest::failOnWarning(QRegularExpression(QStringLiteral("cannot accept")));
    for (const auto &client : clients)
        QCOMPARE(readAnswer(*client), 200);
    QCOMPARE(m_server->connectionCount(), 3);
    const std::unique_ptr<QTcpSocket> later = rawClient(m_server->port());
    QVERIFY(later);
    later->write("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n");
    QCOMPARE(readAnswer(*later), 200);
}

void tst_StatsServer::pipelinedRequestsAreAnsweredInOrder_data()
{
    QTest::addColumn<bool>("oneWrite"); // all requests in one segment, or one after the other
    QTest::newRow("in one write") << true;
    QTest::newRow("one write each") << false;
}

void tst_StatsServer::pipelinedRequestsAreAnsweredInOrder()
{
    QFETCH(bool, oneWrite);
    // The statistics wait for the silent writer (the whole sweep timeout); /healthz and the 404
    // are ready at once, yet must follow the statistics' answer (RFC 9112 9.3.2).
    WriterProcess silent;
    QVERIFY(silent.start(m_dir->path(), {QStringLiteral("--mode"), QStringLiteral("silent")}));
    WriterProcess counter;
    QVERIFY(
        counter.start(m_dir->path(), {QStringLiteral("--stat"), QStringLiteral("pipelined=7")}));
    const QList<QByteArray> requests = {
        "GET /stats HTTP/1.1\r\nHost: a\r\n\r\n",   "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /nope HTTP/1.1\r\nHost: a\r\n\r\n",    "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n",
    };
    const std::unique_ptr<QTcpSocket> client = rawClient(m_server->port());
    QVERIFY(client);
    if (oneWrite) {
        client->write(requests.join());
    } else {
        for (const QByteArray &request : requests) {
            client->write(request);
            QVERIFY(client->waitForBytesWritten(5000));
            QTest::qWait(20); // each its own segment, read by the server on its own
        }
    }
    QByteArray rest;
    const QList<RawAnswer> answers = readAnswers(*client, requests, &rest);
    QCOMPARE(answers.size(), requests.size());
    QCOMPARE(answers.at(0).status, 200);
    QVERIFY2(answers.at(0).body.contains("\"pipelined\":7"), answers.at(0).body.constData());
    QCOMPARE(answers.at(1).status, 200);
    QCOMPARE(answers.at(1).body, QByteArray("{\"status\":\"ok\"}"));
    QCOMPARE(answers.at(2).status, 404);
    QCOMPARE(answers.at(3).status, 200);
    QVERIFY2(answers.at(3).body.contains("{name=\"pipelined\""), answers.at(3).body.constData());
    QCOMPARE(answers.at(4).status, 200);
    QCOMPARE(answers.at(4).body, QByteArray("{\"status\":\"ok\"}"));
    QCOMPARE(rest, QByteArray());
    // Still open, and serves the next request.
    client->write(requests.at(1));
    QCOMPARE(readAnswers(*client, {requests.at(1)}).value(0).status, 200);
}

void tst_StatsServer::headGetsTheHeadersOfGetWithoutABody_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("status");
    QTest::newRow("healthz") << QByteArray("/healthz") << 200;
    QTest::newRow("stats") << QByteArray("/stats") << 200;
    QTest::newRow("stats by process") << QByteArray("/stats?by=process") << 200;
    QTest::newRow("metrics") << QByteArray("/metrics") << 200;
    QTest::newRow("bad query") << QByteArray("/stats?by=host") << 400;
    QTest::newRow("unknown path") << QByteArray("/nope") << 404;
}

void tst_StatsServer::headGetsTheHeadersOfGetWithoutABody()
{
    QFETCH(QByteArray, target);
    QFETCH(int, status);
    WriterProcess writer;
    QVERIFY(
        writer.start(m_dir->path(), {QStringLiteral("--stat"), QStringLiteral("head.marker=1")}));
    const std::unique_ptr<QTcpSocket> client = rawClient(m_server->port());
    QVERIFY(client);
    // HEAD, then GET on the same connection: a body after the HEAD answer would be read as the
    // start of the GET answer.
    const QList<QByteArray> requests = {"HEAD " + target + " HTTP/1.1\r\nHost: a\r\n\r\n",
                                        "GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n"};
    client->write(requests.join());
    QByteArray rest;
    const QList<RawAnswer> answers = readAnswers(*client, requests, &rest);
    QCOMPARE(answers.size(), 2);
    const RawAnswer &head = answers.at(0);
    const RawAnswer &get = answers.at(1);
    QCOMPARE(head.status, status);
    QCOMPARE(get.status, status);
    QCOMPARE(rest, QByteArray());
    // The same headers; the length is the GET body's (the statistics' documents differ by their
    // timestamps, which all have the same length only by chance: compare those of /healthz and
    // the error documents exactly).
    const auto headerLines = [](const QByteArray &text) {
        QList<QByteArray> lines = text.split('\n');
        lines.removeFirst();
        for (QByteArray &line : lines)
            line = line.trimmed().toLower();
        std::sort(lines.begin(), lines.end());
        return lines;
    };
    const auto withoutLength = [&](const QByteArray &text) {
        QList<QByteArray> lines = headerLines(text);
        lines.removeIf([](const QByteArray &line) { return line.startsWith("content-length:"); });
        return lines;
    };
    QCOMPARE(withoutLength(head.head), withoutLength(get.head));
    QVERIFY2(head.head.toLower().contains("\r\ncontent-length: "), head.head.constData());
    if (target == "/healthz" || status != 200)
        QCOMPARE(headerLines(head.head), headerLines(get.head));
    QVERIFY(!get.body.isEmpty());
}

QTEST_GUILESS_MAIN(tst_StatsServer)
#include "tst_statsserver.moc"

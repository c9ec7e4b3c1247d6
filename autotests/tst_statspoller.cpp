// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "dashboardtest.h"
#include "scriptedstatsserver.h"
#include <statventdashboard/statspoller.h>

#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using namespace StatventDashboard;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using Answer = ScriptedStatsServer::Answer;
Q_DECLARE_METATYPE(ScriptedStatsServer::Answer)

namespace {

constexpr double T0 = 1'764'057'600.0;

Answer document(double timestamp, qint64 requests = 1)
{
    return {
        ScriptedStatsServer::perProcessDocument({{100, {{u"requests"_s, requests}}}}, timestamp)};
}

} // namespace

class tst_StatsPoller : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void requestUrlAddsByProcess_data();
    void requestUrlAddsByProcess();
    void pollsRepeatedly();
    void serviceWithoutHistograms();
    void failures_data();
    void failures();
    void slowServiceTimesOut();
    void tricklingServiceHitsTheDeadline();
    void refusedConnection();
    void largeAnswerIsReadOffTheGuiThread();
    void backoffDoublesUpToTheCap_data();
    void backoffDoublesUpToTheCap();
    void backsOffAndRecovers();
    void stopAbandonsTheRequestInFlight();
    void stopFromAReceiverReallyStops();

private:
    std::unique_ptr<ScriptedStatsServer> m_server;
    std::unique_ptr<StatsPoller> m_poller;
};

void tst_StatsPoller::init()
{
    m_server = std::make_unique<ScriptedStatsServer>();
    QVERIFY(m_server->listen());
    m_poller = std::make_unique<StatsPoller>();
    m_poller->setUrl(m_server->url());
    m_poller->setInterval(20ms);
    m_poller->setTimeout(2000ms);
}

void tst_StatsPoller::cleanup()
{
    m_poller.reset();
    m_server.reset();
}

void tst_StatsPoller::requestUrlAddsByProcess_data()
{
    QTest::addColumn<QUrl>("url");
    QTest::addColumn<QUrl>("requested");
    QTest::newRow("plain") << QUrl(u"http://127.0.0.1:7828/stats"_s)
                           << QUrl(u"http://127.0.0.1:7828/stats?by=process&histograms=1"_s);
    QTest::newRow("other query kept")
        << QUrl(u"http://h/stats?aggregate=max"_s)
        << QUrl(u"http://h/stats?aggregate=max&by=process&histograms=1"_s);
    QTest::newRow("by and histograms replaced") << QUrl(u"http://h/s?by=host&histograms=0"_s)
                                                << QUrl(u"http://h/s?by=process&histograms=1"_s);
}

void tst_StatsPoller::requestUrlAddsByProcess()
{
    QFETCH(QUrl, url);
    QFETCH(QUrl, requested);
    QCOMPARE(StatsPoller::requestUrl(url), requested);
}

void tst_StatsPoller::pollsRepeatedly()
{
    for (int poll = 0; poll < 3; ++poll)
        m_server->enqueue(document(T0 + poll, 10 * poll));
    QSignalSpy received(m_poller.get(), &StatsPoller::documentReceived);
    QSignalSpy running(m_poller.get(), &StatsPoller::runningChanged);
    m_poller->start();
    QVERIFY(m_poller->isRunning());
    QCOMPARE(running.size(), 1);
    QTRY_VERIFY(received.size() >= 3);
    QCOMPARE(m_server->lastQuery(), u"by=process&histograms=1"_s);
    const auto third = received.at(2).at(0).value<StatsDocument>();
    QCOMPARE(third.timestamp(), T0 + 2);
    QCOMPARE(third.totals().value(u"requests"_s), Statvent::StatValue(20));
    QCOMPARE(m_poller->consecutiveFailures(), 0);
}

void tst_StatsPoller::serviceWithoutHistograms()
{
    // statvent-web before histograms refuses a query item it does not know.
    m_server->enqueue(
        {R"({"message": "unknown query parameter \"histograms\"", "path": "/stats"})", 400});
    m_server->enqueue(document(T0, 7));
    QSignalSpy received(m_poller.get(), &StatsPoller::documentReceived);
    QSignalSpy failed(m_poller.get(), &StatsPoller::pollFailed);
    QVERIFY(m_poller->asksForHistograms());
    m_poller->start();
    QTRY_VERIFY(received.size() >= 1);
    QCOMPARE(m_server->lastQuery(), u"by=process"_s);
    QVERIFY(!m_poller->asksForHistograms());
    QCOMPARE(failed.size(), 0);
    QCOMPARE(m_poller->consecutiveFailures(), 0);
    // Another service may know them.
    m_poller->setUrl(m_server->url(u"/other"_s));
    QVERIFY(m_poller->asksForHistograms());
}

void tst_StatsPoller::failures_data()
{
    QTest::addColumn<Answer>("answer");
    QTest::addColumn<qint64>("maxSize");
    QTest::addColumn<QString>("reason");

    QTest::newRow("not JSON") << Answer{"<html>oops</html>", 200, "text/html"} << qint64(0)
                              << u"unusable answer: not JSON: "_s;
    QTest::newRow("wrong shape")
        << Answer{R"({"hello": "world", "timestamp": 5})"} << qint64(0)
        << u"unusable answer: the document has neither \"stats\" nor \"processes\""_s;
    QTest::newRow("empty body") << Answer{""} << qint64(0) << u"unusable answer: not JSON: "_s;
    QTest::newRow("404 with message")
        << Answer{R"({"message": "The requested resource was not found", "path": "/x"})", 404}
        << qint64(0) << u"HTTP 404 Not Found: The requested resource was not found"_s;
    QTest::newRow("500 without body")
        << Answer{"", 500, "text/plain"} << qint64(0) << u"HTTP 500 Internal Server Error"_s;
    QTest::newRow("too big") << Answer{QByteArray(200'000, ' ')
                                       + ScriptedStatsServer::perProcessDocument({}, T0)}
                             << qint64(100'000) << u"the answer is larger than 100000 bytes"_s;
}

void tst_StatsPoller::failures()
{
    QFETCH(Answer, answer);
    QFETCH(qint64, maxSize);
    QFETCH(QString, reason);
    if (maxSize > 0)
        m_poller->setMaxResponseSize(maxSize);
    m_server->answerAlways(answer);
    QSignalSpy failed(m_poller.get(), &StatsPoller::pollFailed);
    QSignalSpy received(m_poller.get(), &StatsPoller::documentReceived);
    m_poller->start();
    QTRY_COMPARE(failed.size(), 1);
    const QString reported = failed.at(0).at(0).toString();
    QVERIFY2(reported.startsWith(reason), qPrintable(reported));
    QCOMPARE(received.size(), 0);
    QCOMPARE(m_poller->consecutiveFailures(), 1);
    QCOMPARE(failed.at(0).at(1).value<milliseconds>(), 40ms); // twice the interval
}

void tst_StatsPoller::slowServiceTimesOut()
{
    m_server->answerAlways(Answer{{}, 200, "application/json", 0ms, true});
    m_poller->setTimeout(200ms);
    QSignalSpy failed(m_poller.get(), &StatsPoller::pollFailed);
    m_poller->start();
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 5000);
    QCOMPARE(failed.at(0).at(0).toString(), u"no complete answer within 0.2 s"_s);
}

void tst_StatsPoller::tricklingServiceHitsTheDeadline()
{
    // A byte every 20 ms never leaves the connection idle for long: only a deadline on the whole
    // transfer ends this poll (the answer would take about 20 s to arrive).
    Answer trickled = document(T0);
    trickled.body += QByteArray(1000, ' ');
    trickled.trickle = 20ms;
    m_server->answerAlways(trickled);
    m_poller->setTimeout(300ms);
    QSignalSpy failed(m_poller.get(), &StatsPoller::pollFailed);
    QSignalSpy received(m_poller.get(), &StatsPoller::documentReceived);
    m_poller->start();
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 5000);
    QVERIFY2(failed.at(0).at(0).toString().startsWith(u"no complete answer within 0.3 s"_s),
             qPrintable(failed.at(0).at(0).toString()));
    QCOMPARE(received.size(), 0);
}

void tst_StatsPoller::largeAnswerIsReadOffTheGuiThread()
{
    // 300,000 stats, about 6 MB: the poller keeps StatsDocument::MaxStats and counts the rest,
    // and the event loop of this thread keeps running while the answer is read.
    QByteArray body = "{\"stats\": {";
    constexpr int Stats = 300'000;
    for (int i = 0; i < Stats; ++i)
        body += "\"stat." + QByteArray::number(i) + "\": " + QByteArray::number(i)
            + (i + 1 < Stats ? "," : "");
    body += "}, \"timestamp\": " + QByteArray::number(qint64(T0)) + "}";
    m_server->answerAlways({body});
    m_poller->setInterval(60'000ms); // one poll
    m_poller->setTimeout(30'000ms);
    int ticks = 0;
    QTimer ticker;
    connect(&ticker, &QTimer::timeout, this, [&ticks] { ++ticks; });
    ticker.start(5ms);
    int ticksWhenComplete = -1;
    int ticksWhenRead = -1;
    StatsDocument document;
    connect(m_poller.get(), &StatsPoller::answerReceived, this, [&](qint64 bytes) {
        QCOMPARE(bytes, qint64(body.size()));
        QVERIFY(m_poller->isReadingAnswer());
        ticksWhenComplete = ticks;
    });
    connect(m_poller.get(), &StatsPoller::documentReceived, this,
            [&](const StatsDocument &received) {
                ticksWhenRead = ticks;
                document = received;
            });
    m_poller->start();
    QTRY_VERIFY_WITH_TIMEOUT(ticksWhenRead >= 0, 30'000);
    QVERIFY(ticksWhenComplete >= 0);
    QVERIFY2(ticksWhenRead - ticksWhenComplete >= 2,
             qPrintable(u"the timer fired %1 times while the answer was read"_s.arg(
                 ticksWhenRead - ticksWhenComplete)));
    QVERIFY(!m_poller->isReadingAnswer());
    QVERIFY(document.isValid());
    QCOMPARE(document.totals().size(), StatsDocument::MaxStats);
    QCOMPARE(document.leftOutCount(), qint64(Stats - StatsDocument::MaxStats));
}

void tst_StatsPoller::refusedConnection()
{
    const quint16 port = DashboardTest::closedLoopbackPort();
    QVERIFY(port != 0);
    m_poller->setUrl(QUrl(u"http://127.0.0.1:%1/stats"_s.arg(port)));
    QSignalSpy failed(m_poller.get(), &StatsPoller::pollFailed);
    m_poller->start();
    QTRY_COMPARE(failed.size(), 1);
    QVERIFY2(failed.at(0).at(0).toString().contains(u"refused"_s, Qt::CaseInsensitive),
             qPrintable(failed.at(0).at(0).toString()));
}

void tst_StatsPoller::backoffDoublesUpToTheCap_data()
{
    QTest::addColumn<int>("failures");
    QTest::addColumn<int>("delay");
    QTest::newRow("none: the interval") << 0 << 1000;
    QTest::newRow("1") << 1 << 2000;
    QTest::newRow("2") << 2 << 4000;
    QTest::newRow("4") << 4 << 16000;
    QTest::newRow("5: capped") << 5 << 30000;
    QTest::newRow("1000: capped, no overflow") << 1000 << 30000;
}

void tst_StatsPoller::backoffDoublesUpToTheCap()
{
    QFETCH(int, failures);
    QFETCH(int, delay);
    StatsPoller poller;
    QCOMPARE(poller.interval(), 1000ms);
    QCOMPARE(poller.maxBackoff(), 30000ms);
    QCOMPARE(poller.delayAfter(failures), milliseconds(delay));
}

void tst_StatsPoller::backsOffAndRecovers()
{
    m_poller->setMaxBackoff(120ms);
    for (int failure = 0; failure < 4; ++failure)
        m_server->enqueue(Answer{"garbage"});
    m_server->enqueue(document(T0));
    QSignalSpy failed(m_poller.get(), &StatsPoller::pollFailed);
    QSignalSpy received(m_poller.get(), &StatsPoller::documentReceived);
    connect(m_poller.get(), &StatsPoller::documentReceived, m_poller.get(), &StatsPoller::stop);
    m_poller->start();
    QTRY_VERIFY(!m_poller->isRunning());
    QCOMPARE(received.size(), 1);
    QCOMPARE(failed.size(), 4);
    QList<milliseconds> delays;
    for (const QList<QVariant> &failure : std::as_const(failed))
        delays.append(failure.at(1).value<milliseconds>());
    QCOMPARE(delays, (QList<milliseconds>{40ms, 80ms, 120ms, 120ms}));
    QCOMPARE(m_poller->consecutiveFailures(), 0);
    QCOMPARE(m_server->requestCount(), 5);
}

void tst_StatsPoller::stopAbandonsTheRequestInFlight()
{
    m_server->answerAlways(Answer{document(T0).body, 200, "application/json", 300ms});
    QSignalSpy received(m_poller.get(), &StatsPoller::documentReceived);
    QSignalSpy failed(m_poller.get(), &StatsPoller::pollFailed);
    m_poller->start();
    QTRY_COMPARE(m_server->requestCount(), 1);
    m_poller->stop();
    QVERIFY(!m_poller->isRunning());
    // Long enough for the delayed answer to have arrived, had the request stayed alive.
    QTest::qWait(500);
    QCOMPARE(received.size(), 0);
    QCOMPARE(failed.size(), 0);
    QCOMPARE(m_server->requestCount(), 1);
}

void tst_StatsPoller::stopFromAReceiverReallyStops()
{
    m_server->answerAlways(document(T0));
    connect(m_poller.get(), &StatsPoller::documentReceived, m_poller.get(), &StatsPoller::stop);
    QSignalSpy stopped(m_poller.get(), &StatsPoller::runningChanged);
    m_poller->start();
    QTRY_COMPARE(stopped.size(), 2);
    QTest::qWait(100); // five intervals: a poll scheduled behind stop()'s back would show
    QCOMPARE(m_server->requestCount(), 1);
}

QTEST_GUILESS_MAIN(tst_StatsPoller)
#include "tst_statspoller.moc"

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "dashboardtest.h"
#include "scriptedstatsserver.h"

#include <statventdashboard/dashboardcontroller.h>
#include <statventdashboard/dashboardoptions.h>
#include <statventdashboard/percentilegroups.h>
#include <statventdashboard/stathistory.h>
#include <statventdashboard/statspoller.h>
#include <statventdashboard/windowdistribution.h>

#include <QDateTime>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace StatventDashboard;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using Answer = ScriptedStatsServer::Answer;
using Connection = DashboardController::Connection;
Q_DECLARE_METATYPE(ScriptedStatsServer::Answer)

namespace {

constexpr double T0 = 1'764'057'600.0;

QVariantMap processStats(qint64 pid, int poll)
{
    return {{u"http.latency_ms.median"_s, int(pid) + poll},
            {u"http.latency_ms.99th"_s, 5 * int(pid) + poll},
            {u"http.requests"_s, 10 * poll},
            {u"queue.depth"_s, 1}};
}

Answer sweep(int poll, const QList<qint64> &pids = {101, 102})
{
    QMap<qint64, QVariantMap> processes;
    for (qint64 pid : pids)
        processes.insert(pid, processStats(pid, poll));
    return {ScriptedStatsServer::perProcessDocument(processes, T0 + poll)};
}

Answer windowSweep(int poll, bool fifoProcess, bool fifoRpc = false)
{
    return {DashboardTest::windowDocument(T0 + poll, fifoProcess, fifoRpc)};
}

} // namespace

// The dashboard's state and logic, without a widget: no QApplication, no window.
class tst_DashboardController : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void defaults();
    void settersSignalOnlyChanges_data();
    void settersSignalOnlyChanges();
    void settingsWriteEachKeyOnce();
    void connectionStates_data();
    void connectionStates();
    void pauseStopsPolling();
    void offeredProcessesAndTheGoneOne();
    void viewNote_data();
    void viewNote();
    void ratesAreCountersOutsideGroups();
    void kindsDecideRates();
    void anotherUrlStartsAfresh();
    void windowsGroupByTheServicesWindows();
    void viewNoteOfMergedWindows_data();
    void viewNoteOfMergedWindows();
    void distributionOfTheHostOrOneProcess();
    void noDistributionWithoutEveryHistogram();
    void statusSaysWhileAnAnswerIsLate();
    void historySurvivesAClockStep();
    void answerBeyondTheCap();

private:
    std::unique_ptr<ScriptedStatsServer> m_server;
    std::unique_ptr<DashboardController> m_controller;
};

void tst_DashboardController::init()
{
    m_server = std::make_unique<ScriptedStatsServer>();
    QVERIFY(m_server->listen());
    m_controller = std::make_unique<DashboardController>();
    m_controller->setUrl(m_server->url());
    m_controller->setInterval(20ms);
    m_controller->poller()->setMaxBackoff(80ms);
}

void tst_DashboardController::cleanup()
{
    m_controller.reset();
    m_server.reset();
}

void tst_DashboardController::defaults()
{
    const DashboardController controller;
    QCOMPARE(controller.url(), DashboardOptions::defaultUrl());
    QCOMPARE(controller.interval(), StatsPoller::DefaultInterval);
    QCOMPARE(controller.windowMinutes(), DashboardOptions::DefaultWindowMinutes);
    QCOMPARE(controller.shownProcess(), 0);
    QVERIFY(!controller.isPaused());
    QVERIFY(controller.selectedStats().isEmpty());
    QCOMPARE(controller.connection(), Connection::NotConnected);
    QCOMPARE(controller.connectionStatus(), u"Not connected"_s);
    QCOMPARE(controller.lastUpdate(), u"No update yet"_s);
    QVERIFY(controller.viewNote().startsWith(u"Waiting for the first answer of "_s));
    QVERIFY(!controller.canChooseProcess());
}

void tst_DashboardController::settersSignalOnlyChanges_data()
{
    QTest::addColumn<QString>("property");
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<bool>("changes");
    QTest::newRow("window 15") << u"window"_s << QVariant(15) << true;
    QTest::newRow("window unchanged")
        << u"window"_s << QVariant(DashboardOptions::DefaultWindowMinutes) << false;
    QTest::newRow("window not a choice") << u"window"_s << QVariant(7) << false;
    QTest::newRow("interval") << u"interval"_s << QVariant(500) << true;
    QTest::newRow("interval unchanged") << u"interval"_s << QVariant(20) << false;
    QTest::newRow("paused") << u"paused"_s << QVariant(true) << true;
    QTest::newRow("not paused") << u"paused"_s << QVariant(false) << false;
    QTest::newRow("selection") << u"selection"_s << QVariant(QStringList{u"a"_s}) << true;
    QTest::newRow("empty selection") << u"selection"_s << QVariant(QStringList()) << false;
}

void tst_DashboardController::settersSignalOnlyChanges()
{
    QFETCH(QString, property);
    QFETCH(QVariant, value);
    QFETCH(bool, changes);
    DashboardController &c = *m_controller;
    QSignalSpy window(&c, &DashboardController::windowMinutesChanged);
    QSignalSpy interval(&c, &DashboardController::intervalChanged);
    QSignalSpy paused(&c, &DashboardController::pausedChanged);
    QSignalSpy selection(&c, &DashboardController::selectedStatsChanged);
    QSignalSpy *spy = nullptr;
    if (property == u"window") {
        c.setWindowMinutes(value.toInt());
        QCOMPARE(c.windowMinutes(),
                 changes ? value.toInt() : DashboardOptions::DefaultWindowMinutes);
        spy = &window;
    } else if (property == u"interval") {
        c.setInterval(std::chrono::milliseconds(value.toInt()));
        QCOMPARE(c.interval().count(), value.toInt());
        spy = &interval;
    } else if (property == u"paused") {
        c.setPaused(value.toBool());
        QCOMPARE(c.isPaused(), value.toBool());
        spy = &paused;
    } else {
        c.setSelectedStats(value.toStringList());
        QCOMPARE(c.selectedStats(), value.toStringList());
        spy = &selection;
    }
    QCOMPARE(spy->size(), changes ? 1 : 0);
    QCOMPARE(window.size() + interval.size() + paused.size() + selection.size(), changes ? 1 : 0);
}

void tst_DashboardController::settingsWriteEachKeyOnce()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QSettings settings(dir.filePath(u"dashboard.ini"_s), QSettings::IniFormat);
    m_controller->setInterval(750ms);
    m_controller->setWindowMinutes(15);
    m_controller->setSelectedStats({u"http.requests"_s, u"queue.depth"_s});
    m_controller->saveSettings(settings);
    QCOMPARE(settings.allKeys(),
             (QStringList{u"intervalMs"_s, u"selectedStats"_s, u"url"_s, u"windowMinutes"_s}));

    DashboardController restored;
    QSignalSpy urlChanged(&restored, &DashboardController::urlChanged);
    restored.loadSettings(settings);
    QCOMPARE(restored.url(), m_server->url());
    QCOMPARE(urlChanged.size(), 1);
    QCOMPARE(restored.interval(), 750ms);
    QCOMPARE(restored.windowMinutes(), 15);
    QCOMPARE(restored.selectedStats(), (QStringList{u"http.requests"_s, u"queue.depth"_s}));

    // Unusable values are ignored, not applied.
    settings.setValue(u"url"_s, u"ftp://example.org/"_s);
    settings.setValue(u"intervalMs"_s, -5);
    settings.setValue(u"windowMinutes"_s, 7);
    DashboardController defaults;
    defaults.loadSettings(settings);
    QCOMPARE(defaults.url(), DashboardOptions::defaultUrl());
    QCOMPARE(defaults.interval(), StatsPoller::DefaultInterval);
    QCOMPARE(defaults.windowMinutes(), DashboardOptions::DefaultWindowMinutes);
}

void tst_DashboardController::connectionStates_data()
{
    QTest::addColumn<Answer>("answer");
    QTest::addColumn<Connection>("connection");
    QTest::addColumn<QString>("status");
    QTest::newRow("answer") << sweep(0) << Connection::Connected << u"Connected to 127.0.0.1:"_s;
    QTest::newRow("HTTP error") << Answer{R"({"message": "boom"})", 503} << Connection::Failing
                                << u"HTTP 503 Service Unavailable: boom — retrying in "_s;
    QTest::newRow("not JSON") << Answer{"nope", 200, "text/plain"} << Connection::Failing
                              << u"unusable answer: not JSON"_s;
}

void tst_DashboardController::connectionStates()
{
    QFETCH(Answer, answer);
    QFETCH(Connection, connection);
    QFETCH(QString, status);
    m_server->answerAlways(answer);
    QSignalSpy changed(m_controller.get(), &DashboardController::connectionChanged);
    QSignalSpy refreshed(m_controller.get(), &DashboardController::refreshed);
    m_controller->start();
    QCOMPARE(m_controller->connection(), Connection::Connecting);
    QCOMPARE(m_controller->connectionStatus(), u"Connecting to "_s + m_server->url().toString());
    QTRY_VERIFY(refreshed.size() >= 1);
    QCOMPARE(m_controller->connection(), connection);
    QVERIFY2(m_controller->connectionStatus().startsWith(status),
             qPrintable(m_controller->connectionStatus()));
    QCOMPARE(changed.at(0).at(0).value<Connection>(), Connection::Connecting);
    QCOMPARE(changed.at(1).at(0).value<Connection>(), connection);
    if (connection == Connection::Failing)
        QVERIFY(m_controller->connectionDetail().contains(u"failed polls in a row of "_s));
}

void tst_DashboardController::pauseStopsPolling()
{
    m_server->answerAlways(sweep(0));
    m_controller->start();
    QTRY_COMPARE(m_controller->connection(), Connection::Connected);
    m_controller->setPaused(true);
    QCOMPARE(m_controller->connection(), Connection::Paused);
    QVERIFY(!m_controller->poller()->isRunning());
    m_controller->start(); // paused: nothing starts
    QVERIFY(!m_controller->poller()->isRunning());
    m_controller->setPaused(false);
    QVERIFY(m_controller->poller()->isRunning());
    QTRY_COMPARE(m_controller->connection(), Connection::Connected);
}

void tst_DashboardController::offeredProcessesAndTheGoneOne()
{
    m_server->enqueue(sweep(0));
    m_server->enqueue(sweep(1));
    QSignalSpy offered(m_controller.get(), &DashboardController::offeredProcessesChanged);
    m_controller->start();
    QTRY_COMPARE(m_controller->offeredProcesses(), (QList<qint64>{101, 102}));
    QCOMPARE(offered.size(), 1);
    QVERIFY(m_controller->canChooseProcess());
    QSignalSpy shown(m_controller.get(), &DashboardController::shownProcessChanged);
    m_controller->showProcess(102);
    QCOMPARE(shown.size(), 1);
    QCOMPARE(m_controller->viewName(), u"process 102"_s);
    QCOMPARE(m_controller->shownHistory().pollCount(), 1); // starts with the last sweep
    m_server->answerAlways(sweep(2, {101}));
    QTRY_VERIFY(m_controller->isShownProcessGone());
    QCOMPARE(m_controller->offeredProcesses(), (QList<qint64>{101, 102}));
    QVERIFY(m_controller->viewNoteIsWarning());
    m_controller->showProcess(0);
    QCOMPARE(m_controller->offeredProcesses(), QList<qint64>{101});
    QVERIFY(!m_controller->isShownProcessGone());
}

void tst_DashboardController::viewNote_data()
{
    QTest::addColumn<Answer>("answer");
    QTest::addColumn<QString>("note");
    QTest::addColumn<bool>("warning");
    QTest::newRow("summed service")
        << Answer{ScriptedStatsServer::summedDocument({{u"a"_s, 1}}, T0)}
        << u"This service offers no per-process view (?by=process): showing its sums."_s << false;
    QTest::newRow("one process") << sweep(0, {101}) << u"All processes, summed (1 answered)."_s
                                 << false;
    QTest::newRow("percentiles summed")
        << sweep(0)
        << u"All 2 processes, summed. A sum of percentiles is not a percentile: choose one "
           u"process under \"show\" to read true percentiles."_s
        << true;
}

void tst_DashboardController::viewNote()
{
    QFETCH(Answer, answer);
    QFETCH(QString, note);
    QFETCH(bool, warning);
    m_server->answerAlways(answer);
    QSignalSpy viewChanged(m_controller.get(), &DashboardController::viewChanged);
    m_controller->start();
    QTRY_VERIFY(viewChanged.size() >= 1);
    QCOMPARE(m_controller->viewNote(), note);
    QCOMPARE(m_controller->viewNoteIsWarning(), warning);
}

void tst_DashboardController::ratesAreCountersOutsideGroups()
{
    for (int poll = 0; poll < 3; ++poll)
        m_server->enqueue(sweep(poll));
    m_controller->start();
    QTRY_COMPARE(m_controller->shownHistory().pollCount(), 3);
    QVERIFY(m_controller->isRate(u"http.requests"_s));
    QVERIFY(!m_controller->isRate(u"queue.depth"_s)); // a gauge
    QVERIFY(!m_controller->isRate(u"http.latency_ms.median"_s)); // grows, but a percentile
    QVERIFY(!m_controller->isRate(u"no.such.stat"_s));
    QCOMPARE(m_controller->groups().groups().size(), 1);
}

void tst_DashboardController::kindsDecideRates()
{
    // A socket process that says what its stats are, and a FIFO process that does not.
    const auto document = [](int poll) {
        return Answer{QByteArray(R"({"processes": {
            "101": {"stats": {"jobs.done": 7, "temperature": )"
                                 + QByteArray::number(20 + poll) + R"(},
                    "kinds": {"jobs.done": "counter", "temperature": "gauge"}, "channel": "socket"},
            "102": {"stats": {"fifo.count": )"
                                 + QByteArray::number(10 * poll) + R"(}, "channel": "fifo"}},
            "timestamp": )" + QByteArray::number(T0 + poll, 'f', 0)
                                 + '}')};
    };
    m_server->enqueue(document(0));
    m_controller->start();
    QTRY_COMPARE(m_controller->shownHistory().pollCount(), 1);
    QVERIFY(m_controller->isRate(u"jobs.done"_s)); // a counter from its first poll, standing still
    QVERIFY(!m_controller->isRate(u"temperature"_s));
    QVERIFY(!m_controller->isRate(u"fifo.count"_s)); // no kind: not grown yet
    m_server->answerAlways(document(1));
    QTRY_COMPARE(m_controller->shownHistory().pollCount(), 2);
    QVERIFY(m_controller->isRate(u"jobs.done"_s));
    QVERIFY(!m_controller->isRate(u"temperature"_s)); // a gauge that only grew
    QVERIFY(m_controller->isRate(u"fifo.count"_s)); // no kind: grew, never fell
    m_controller->showProcess(101);
    QVERIFY(m_controller->isRate(u"jobs.done"_s));
    QVERIFY(!m_controller->isRate(u"temperature"_s));
}

void tst_DashboardController::windowsGroupByTheServicesWindows()
{
    m_server->answerAlways(windowSweep(0, true));
    m_controller->start();
    QTRY_COMPARE(m_controller->shownHistory().pollCount(), 1);
    const QList<PercentileGroups::Group> &groups = m_controller->groups().groups();
    QCOMPARE(groups.size(), 2);
    // The FIFO process's rows, by their labels; the socket processes' window, as it says.
    QCOMPARE(groups[0].pattern, u"disk.{0}"_s);
    QCOMPARE(groups[1].pattern, u"rpc"_s);
    QCOMPARE(groups[1].members.size(), 2);
    QCOMPARE(groups[1].members[0].name, u"rpc_p50"_s);
    QCOMPARE(groups[1].members[1].label, u"99th"_s);
    // The summed view holds the host's true 99th percentile (about 1000, from the merged
    // histogram), not 2 + 991 summed.
    const double p99 = m_controller->shownStats().value(u"rpc_p99"_s).toReal();
    QVERIFY2(std::abs(p99 - 990.9) < 0.025 * 990.9, qPrintable(QString::number(p99)));
    QVERIFY(!m_controller->isRate(u"rpc_p50"_s));
    m_controller->showProcess(102);
    QCOMPARE(m_controller->groups().groups().size(), 1);
    QCOMPARE(m_controller->groups().groups()[0].pattern, u"rpc"_s);
}

void tst_DashboardController::viewNoteOfMergedWindows_data()
{
    QTest::addColumn<Answer>("answer");
    QTest::addColumn<QString>("note");
    QTest::addColumn<bool>("warning");
    QTest::newRow("every window merged")
        << windowSweep(0, false)
        << u"All 2 processes, summed; each window's percentiles are the host's, merged from the "
           u"processes' histograms."_s
        << false;
    QTest::newRow("a FIFO process's window")
        << windowSweep(0, true)
        << u"All 3 processes, summed. A sum of percentiles is not a percentile: choose one process "
           u"under \"show\" to read true percentiles. Windows every process sends with a "
           u"histogram are the host's true percentiles."_s
        << true;
}

void tst_DashboardController::viewNoteOfMergedWindows()
{
    QFETCH(Answer, answer);
    QFETCH(QString, note);
    QFETCH(bool, warning);
    m_server->answerAlways(answer);
    m_controller->start();
    QTRY_COMPARE(m_controller->shownHistory().pollCount(), 1);
    QCOMPARE(m_controller->viewNote(), note);
    QCOMPARE(m_controller->viewNoteIsWarning(), warning);
}

void tst_DashboardController::distributionOfTheHostOrOneProcess()
{
    m_server->answerAlways(windowSweep(0, true));
    QSignalSpy chosen(m_controller.get(), &DashboardController::distributionWindowChanged);
    m_controller->start();
    QTRY_COMPARE(m_controller->shownHistory().pollCount(), 1);
    QCOMPARE(m_controller->distributionWindows(), QStringList{u"rpc"_s});
    QCOMPARE(m_controller->distributionWindow(), u"rpc"_s); // the first, until one is chosen
    QCOMPARE(chosen.size(), 1);
    WindowDistribution host = m_controller->distribution();
    QVERIFY(host.isValid());
    QCOMPARE(host.count(), 200);
    QCOMPARE(host.marks().size(), 2);
    QCOMPARE(host.marks()[1].value, m_controller->shownStats().value(u"rpc_p99"_s).toReal());
    QVERIFY(
        m_controller->distributionNote().startsWith(u"200 samples of all processes, merged."_s));

    m_controller->showProcess(101);
    const WindowDistribution one = m_controller->distribution();
    QCOMPARE(one.count(), 100);
    QCOMPARE(one.valueRange().second, 2.0);
    QVERIFY(m_controller->distributionNote().startsWith(u"100 samples of process 101."_s));
    m_controller->showProcess(103); // a FIFO process: no windows named
    QVERIFY(m_controller->distributionWindows().isEmpty());
    QVERIFY(!m_controller->distribution().isValid());
    QVERIFY(m_controller->distributionNote().startsWith(u"No process of this view sends"_s));
    m_controller->setDistributionWindow(u"rpc"_s);
    QCOMPARE(chosen.size(), 1);
}

void tst_DashboardController::noDistributionWithoutEveryHistogram()
{
    // The FIFO process reports rpc's rows too: no host-wide histogram, and summed rows.
    m_server->answerAlways(windowSweep(0, true, true));
    m_controller->start();
    QTRY_COMPARE(m_controller->shownHistory().pollCount(), 1);
    QCOMPARE(m_controller->distributionWindow(), u"rpc"_s);
    QVERIFY(!m_controller->distribution().isValid());
    QVERIFY(m_controller->distributionNote().startsWith(
        u"Some process reports this window without a histogram"_s));
    QVERIFY(m_controller->viewNoteIsWarning());
    const double summed = m_controller->shownStats().value(u"rpc_p99"_s).toReal();
    double sum = 0;
    for (qint64 pid : {101, 102, 103}) {
        m_controller->showProcess(pid);
        sum += m_controller->shownStats().value(u"rpc_p99"_s).toReal();
    }
    QCOMPARE(summed, sum);
}

void tst_DashboardController::anotherUrlStartsAfresh()
{
    m_server->answerAlways(sweep(0));
    m_controller->start();
    QTRY_COMPARE(m_controller->shownHistory().pollCount(), 1);
    ScriptedStatsServer other;
    QVERIFY(other.listen());
    other.answerAlways({ScriptedStatsServer::summedDocument({{u"other.stat"_s, 7}}, T0 - 1000)});
    QSignalSpy urlChanged(m_controller.get(), &DashboardController::urlChanged);
    m_controller->setUrl(other.url());
    QCOMPARE(urlChanged.size(), 1);
    QCOMPARE(m_controller->shownHistory().pollCount(), 0);
    QVERIFY(m_controller->offeredProcesses().isEmpty());
    QTRY_VERIFY(m_controller->shownHistory().contains(u"other.stat"_s));
    m_controller->setUrl(other.url());
    QCOMPARE(urlChanged.size(), 1);
}

QTEST_GUILESS_MAIN(tst_DashboardController)
#include "tst_dashboardcontroller.moc"

void tst_DashboardController::statusSaysWhileAnAnswerIsLate()
{
    // One good sweep, then a service that sends a byte every 10 ms: about 30 s for the answer.
    Answer trickled = sweep(1);
    trickled.body += QByteArray(3000, ' ');
    trickled.trickle = 10ms;
    m_server->enqueue(sweep(0));
    m_server->enqueue(trickled);
    m_controller->poller()->setTimeout(3000ms);
    m_controller->start();
    QTRY_COMPARE(m_controller->shownHistory().pollCount(), 1);
    QTRY_VERIFY2_WITH_TIMEOUT(m_controller->connectionStatus().startsWith(
                                  u"Waiting for the service: no complete answer for "_s),
                              qPrintable(m_controller->connectionStatus()), 3000);
    QVERIFY(m_controller->connection() != Connection::Connected);
    QTRY_VERIFY2_WITH_TIMEOUT(
        m_controller->connectionStatus().startsWith(u"no complete answer within 3 s"_s),
        qPrintable(m_controller->connectionStatus()), 6000);
    QCOMPARE(m_controller->connection(), Connection::Failing);
    QCOMPARE(m_controller->shownHistory().pollCount(), 1); // the history stays
}

void tst_DashboardController::answerBeyondTheCap()
{
    // 25,000 stats in one summed answer: 20,000 are kept, and the view says so.
    QVariantMap stats;
    for (int i = 0; i < 25'000; ++i)
        stats.insert(u"stat.%1"_s.arg(i, 5, 10, QChar(u'0')), i);
    m_server->answerAlways({ScriptedStatsServer::summedDocument(stats, T0)});
    m_controller->start();
    QTRY_COMPARE_WITH_TIMEOUT(m_controller->shownHistory().pollCount(), 1, 10000);
    QCOMPARE(m_controller->statsLeftOut(), qint64(5'000));
    QCOMPARE(m_controller->shownStats().size(), StatsDocument::MaxStats);
    QVERIFY(m_controller->shownStats().contains(u"stat.00000"_s));
    QVERIFY(!m_controller->shownStats().contains(u"stat.24999"_s));
    QVERIFY2(m_controller->viewNote().contains(u"5,000 stats left out"_s),
             qPrintable(m_controller->viewNote()));
    QVERIFY(m_controller->viewNoteIsWarning());
}

void tst_DashboardController::historySurvivesAClockStep()
{
    // One sweep stamped an hour ahead (the service's clock stepped, then was put right), then
    // normal ones: all of them are recorded, in the order they arrived.
    m_server->enqueue(sweep(3600));
    for (int poll = 1; poll <= 3; ++poll)
        m_server->enqueue(sweep(poll));
    m_controller->start();
    QTRY_COMPARE(m_controller->shownHistory().pollCount(), 4);
    QCOMPARE(m_controller->shownHistory().latestValue(u"http.requests"_s), 60.0); // 2 x 10 x 3
    // Recorded at arrival: the history's times grow, whatever the service's clock said.
    const QList<QPointF> points = m_controller->shownHistory().values(u"http.requests"_s, 0);
    QCOMPARE(points.size(), 4);
    for (qsizetype i = 1; i < points.size(); ++i)
        QVERIFY(points[i].x() > points[i - 1].x());
    // The service's own stamp is shown next to the time of arrival.
    const QString stamped =
        QDateTime::fromMSecsSinceEpoch(qint64((T0 + 3) * 1000)).toString(u"HH:mm:ss"_s);
    QVERIFY2(m_controller->lastUpdate().contains(stamped), qPrintable(m_controller->lastUpdate()));
}

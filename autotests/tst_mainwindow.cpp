// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "dashboardtest.h"
#include "scriptedstatsserver.h"
#include <statventdashboard/chartgrid.h>
#include <statventdashboard/chartpanel.h>
#include <statventdashboard/dashboardcontroller.h>
#include <statventdashboard/distributionpanel.h>
#include <statventdashboard/mainwindow.h>
#include <statventdashboard/percentilegroups.h>
#include <statventdashboard/stathistory.h>
#include <statventdashboard/statspoller.h>
#include <statventdashboard/stattablemodel.h>

#include <QChart>
#include <QComboBox>
#include <QDateTime>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace StatventDashboard;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using Answer = ScriptedStatsServer::Answer;
using DashboardTest::distinctColours;
using DashboardTest::ys;
Q_DECLARE_METATYPE(ScriptedStatsServer::Answer)

namespace {

constexpr double T0 = 1'764'057'600.0;

// Two processes of one service at poll `poll`: a latency window, a counter and a gauge each.
QVariantMap processStats(qint64 pid, int poll)
{
    const int base = pid == 101 ? 10 : 20;
    return {{u"http.latency_ms.median"_s, base + poll},
            {u"http.latency_ms.99th"_s, 5 * base + poll},
            {u"http.requests"_s, (pid == 101 ? 100 : 10) * poll},
            {u"queue.depth"_s, pid == 101 ? 5 - poll % 2 : 1},
            {u"median.requests"_s, 1}};
}

Answer sweep(int poll, const QList<qint64> &pids = {101, 102})
{
    QMap<qint64, QVariantMap> processes;
    for (qint64 pid : pids)
        processes.insert(pid, processStats(pid, poll));
    return {ScriptedStatsServer::perProcessDocument(processes, T0 + poll)};
}

QList<ChartPanel *> chartsOf(const MainWindow &window)
{
    return window.findChild<ChartGrid *>()->charts();
}

ChartPanel *chartTitled(MainWindow &window, const QString &start)
{
    for (ChartPanel *chart : chartsOf(window)) {
        if (chart->title().startsWith(start))
            return chart;
    }
    return nullptr;
}

} // namespace

class tst_MainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void percentileGroupsBecomeCharts();
    void seriesValuesAfterSeveralPolls();
    void tableShowsRatesAndValues();
    void filterBox();
    void statusBar();
    void badUrlInTheWindow();
    void summedViewWarnsAboutPercentiles();
    void distributionTab();
    void perProcessView();
    void processThatGoesAway();
    void errorsKeepTheHistoryAndRecover_data();
    void errorsKeepTheHistoryAndRecover();
    void pauseAndResume();
    void selectedStatsArePlotted();
    void invalidUtf8NamesInCharts();
    void statsLeftOutAreShown();
    void exportCharts();
    void screenshotIsNotBlank();
    void settingsAreRemembered();
    void anotherServiceStartsAfresh();

private:
    void startWindow();
    void waitForPolls(int polls);

    std::unique_ptr<ScriptedStatsServer> m_server;
    std::unique_ptr<DashboardController> m_controller;
    std::unique_ptr<MainWindow> m_window;
    QTemporaryDir m_dir;
};

void tst_MainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
}

void tst_MainWindow::init()
{
    m_server = std::make_unique<ScriptedStatsServer>();
    QVERIFY(m_server->listen());
    m_controller = std::make_unique<DashboardController>();
    m_window = std::make_unique<MainWindow>(m_controller.get());
    m_controller->setUrl(m_server->url());
    m_controller->setInterval(20ms);
    m_controller->poller()->setMaxBackoff(80ms);
}

void tst_MainWindow::cleanup()
{
    m_window.reset();
    m_controller.reset();
    m_server.reset();
}

void tst_MainWindow::startWindow()
{
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_controller->start();
}

void tst_MainWindow::waitForPolls(int polls)
{
    QTRY_COMPARE(m_controller->shownHistory().pollCount(), polls);
}

void tst_MainWindow::percentileGroupsBecomeCharts()
{
    for (int poll = 0; poll < 3; ++poll)
        m_server->enqueue(sweep(poll));
    startWindow();
    waitForPolls(3);
    QCOMPARE(m_controller->groups().groups().size(), 1);
    QCOMPARE(m_controller->groups().groups().constFirst().pattern, u"http.latency_ms.{0}"_s);
    QCOMPARE(chartsOf(*m_window).size(), 1);
    ChartPanel *chart = chartsOf(*m_window).constFirst();
    QCOMPARE(chart->title(), u"http.latency_ms.{0} — all processes, summed"_s);
    QCOMPARE(chart->unit(), u"milliseconds"_s);
    QCOMPARE(chart->lines().size(), 2);
    QCOMPARE(chart->lines()[0].label, u"median"_s);
    QCOMPARE(chart->lines()[1].label, u"99th"_s);
    QVERIFY(chart->lines()[0].color != chart->lines()[1].color);
    QVERIFY(m_controller->connectionStatus().startsWith(u"Connected to 127.0.0.1:"_s));
}

void tst_MainWindow::seriesValuesAfterSeveralPolls()
{
    for (int poll = 0; poll < 4; ++poll)
        m_server->enqueue(sweep(poll));
    startWindow();
    waitForPolls(4);
    ChartPanel *chart = chartsOf(*m_window).constFirst();
    // Summed over both processes: (10 + poll) + (20 + poll) and (50 + poll) + (100 + poll).
    QTRY_COMPARE(ys(chart->plottedPoints(0)), (QList<double>{30, 32, 34, 36}));
    QCOMPARE(ys(chart->plottedPoints(1)), (QList<double>{150, 152, 154, 156}));
    // Plotted at arrival: the service's stamps (T0 + poll) only give the rates.
    QCOMPARE(chart->plottedPoints(0).constLast().x(),
             m_controller->shownHistory().latestTime() * 1000);
}

void tst_MainWindow::tableShowsRatesAndValues()
{
    for (int poll = 0; poll < 3; ++poll)
        m_server->enqueue(sweep(poll));
    startWindow();
    waitForPolls(3);
    StatTableModel *model = m_window->findChild<StatTableModel *>();
    QCOMPARE(model->rowCount(), 5);
    const int requests = model->rowOf(u"http.requests"_s);
    QCOMPARE(model->index(requests, StatTableModel::ValueColumn).data().toString(), u"220"_s);
    QCOMPARE(model->index(requests, StatTableModel::RateColumn).data().toString(), u"110/s"_s);
    const int queue = model->rowOf(u"queue.depth"_s);
    QCOMPARE(model->index(queue, StatTableModel::RateColumn).data().toString(), QString());
    QVERIFY(
        !model->isCounter(u"median.requests"_s)); // a label word in a name, no group, no counter
    QVERIFY(!m_controller->groups().contains(u"median.requests"_s));
}

void tst_MainWindow::filterBox()
{
    m_server->answerAlways(sweep(0));
    startWindow();
    waitForPolls(1);
    auto *filter = m_window->findChild<QLineEdit *>(u"statFilter"_s);
    auto *table = m_window->findChild<QTableView *>(u"statTable"_s);
    QVERIFY(filter && table);
    QCOMPARE(table->model()->rowCount(), 5);
    filter->setText(u"LATENCY"_s); // case does not matter
    QCOMPARE(table->model()->rowCount(), 2);
    QCOMPARE(table->model()->index(0, 0).data().toString(), u"http.latency_ms.99th"_s);
    filter->clear();
    QCOMPARE(table->model()->rowCount(), 5);
}

void tst_MainWindow::statusBar()
{
    m_server->answerAlways({ScriptedStatsServer::perProcessDocument(
        {{101, processStats(101, 0)}, {102, processStats(102, 0)}}, T0, {103})});
    auto *processes = m_window->findChild<QLabel *>(u"processCount"_s);
    auto *updated = m_window->findChild<QLabel *>(u"lastUpdate"_s);
    QVERIFY(processes && updated);
    QCOMPARE(updated->text(), u"No update yet"_s);
    startWindow();
    waitForPolls(1);
    QCOMPARE(processes->text(), u"2 processes, 1 not answering"_s);
    // T0 is long past: the service's stamp is shown beside the time of arrival.
    QVERIFY2(
        QRegularExpression(
            u"^Last update \\d\\d:\\d\\d:\\d\\d, sweep stamped 2025-11-2\\d \\d\\d:\\d\\d:00 by the service \\(\\d+ days behind this clock\\)$"_s)
            .match(updated->text())
            .hasMatch(),
        qPrintable(updated->text()));
}

void tst_MainWindow::badUrlInTheWindow()
{
    auto *edit = m_window->findChild<QLineEdit *>(u"urlEdit"_s);
    QVERIFY(edit);
    edit->setText(u"ftp://example.org/stats"_s);
    QTest::keyClick(edit, Qt::Key_Return);
    QCOMPARE(m_window->statusBar()->currentMessage(),
             u"\"ftp://example.org/stats\" is not an http:// or https:// URL"_s);
    QCOMPARE(m_controller->url(), m_server->url()); // still the service it had
    edit->setText(u"127.0.0.1:%1/other"_s.arg(m_server->url().port()));
    QTest::keyClick(edit, Qt::Key_Return);
    QCOMPARE(m_controller->url(), QUrl(u"http://127.0.0.1:%1/other"_s.arg(m_server->url().port())));
}

void tst_MainWindow::summedViewWarnsAboutPercentiles()
{
    m_server->answerAlways(sweep(0));
    startWindow();
    waitForPolls(1);
    QCOMPARE(m_controller->shownProcess(), 0);
    QVERIFY2(m_controller->viewNote().contains(u"A sum of percentiles is not a percentile"_s),
             qPrintable(m_controller->viewNote()));
    QVERIFY(m_controller->viewNote().contains(u"All 2 processes, summed"_s));
}

void tst_MainWindow::distributionTab()
{
    m_server->answerAlways({DashboardTest::windowDocument(T0, false)});
    startWindow();
    waitForPolls(1);
    auto *panel = m_window->findChild<DistributionPanel *>();
    QVERIFY(panel);
    QVERIFY(!panel->isVisible()); // the charts' tab first
    QCOMPARE(chartsOf(*m_window).size(), 1); // the window "rpc", as the service names it
    QCOMPARE(chartsOf(*m_window).constFirst()->title(), u"rpc — all processes, summed"_s);
    m_window->showDistribution(u"rpc"_s);
    QVERIFY(panel->isVisible());
    QTRY_COMPARE(panel->chart()->series().size(), 3); // bars, median, 99th
    QCOMPARE(panel->note()->text(), m_controller->distributionNote());
    QVERIFY(distinctColours(m_window->grab().toImage()) > 50);
}

void tst_MainWindow::perProcessView()
{
    for (int poll = 0; poll < 6; ++poll)
        m_server->enqueue(sweep(poll));
    startWindow();
    QTRY_COMPARE(m_controller->offeredProcesses(), (QList<qint64>{101, 102}));
    const int pollsBefore = m_controller->shownHistory().pollCount();
    const double switchedAt = m_controller->shownHistory().latestTime();
    m_controller->showProcess(101);
    QCOMPARE(m_controller->shownProcess(), 101);
    // Its history starts with the last sweep seen.
    QCOMPARE(m_controller->shownHistory().oldestTime(), switchedAt);
    const QString since = QDateTime::fromSecsSinceEpoch(qint64(switchedAt)).toString(u"HH:mm:ss"_s);
    QCOMPARE(
        m_controller->viewNote(),
        u"Process 101 only: its own values and true percentiles (history since %1)."_s.arg(since));
    QTRY_VERIFY(m_controller->shownHistory().pollCount() >= 2);
    ChartPanel *chart = chartsOf(*m_window).constFirst();
    QCOMPARE(chart->title(), u"http.latency_ms.{0} — process 101"_s);
    // Process 101's own median: 10 + poll, never the sum of both processes.
    const QList<double> median = ys(chart->plottedPoints(0));
    QVERIFY(!median.isEmpty());
    for (double value : median)
        QVERIFY2(value >= 10 && value <= 15, qPrintable(QString::number(value)));
    m_controller->showProcess(0);
    QCOMPARE(chartsOf(*m_window).constFirst()->title(),
             u"http.latency_ms.{0} — all processes, summed"_s);
    QVERIFY(m_controller->shownHistory().pollCount() >= pollsBefore); // the summed history went on
}

void tst_MainWindow::processThatGoesAway()
{
    m_server->enqueue(sweep(0));
    m_server->enqueue(sweep(1));
    startWindow();
    QTRY_COMPARE(m_controller->offeredProcesses(), (QList<qint64>{101, 102}));
    m_controller->showProcess(102);
    for (int poll = 2; poll < 5; ++poll)
        m_server->enqueue(sweep(poll, {101}));
    QTRY_VERIFY2(m_controller->viewNote().contains(u"Process 102 is not in the last sweep"_s),
                 qPrintable(m_controller->viewNote()));
    // It stays offered, marked, so the operator sees what happened to the process they watched.
    QCOMPARE(m_controller->offeredProcesses(), (QList<qint64>{101, 102}));
    auto *chooser = m_window->findChild<QComboBox *>(u"processChooser"_s);
    QVERIFY(chooser);
    QCOMPARE(chooser->currentText(), u"Process 102 (gone)"_s);
    QVERIFY(!m_controller->shownHistory().latestValue(u"http.requests"_s));
}

void tst_MainWindow::errorsKeepTheHistoryAndRecover_data()
{
    QTest::addColumn<Answer>("garbage");
    QTest::addColumn<QString>("status");
    QTest::newRow("not JSON") << Answer{"Service Unavailable", 200, "text/plain"}
                              << u"unusable answer: not JSON"_s;
    QTest::newRow("wrong shape") << Answer{R"({"stats": [1, 2], "timestamp": 5})"}
                                 << u"unusable answer: \"stats\" is an array"_s;
    QTest::newRow("huge") << Answer{QByteArray(300'000, '[')}
                          << u"the answer is larger than 100000 bytes"_s;
    QTest::newRow("HTTP error") << Answer{R"({"message": "boom"})", 503}
                                << u"HTTP 503 Service Unavailable: boom"_s;
}

void tst_MainWindow::errorsKeepTheHistoryAndRecover()
{
    QFETCH(Answer, garbage);
    QFETCH(QString, status);
    m_controller->poller()->setMaxResponseSize(100'000);
    m_server->enqueue(sweep(0));
    m_server->enqueue(sweep(1));
    for (int failure = 0; failure < 3; ++failure)
        m_server->enqueue(garbage);
    m_server->enqueue(sweep(2));
    QSignalSpy refreshed(m_controller.get(), &DashboardController::refreshed);
    startWindow();
    QTRY_VERIFY(m_controller->connectionStatus().startsWith(status));
    QVERIFY2(m_controller->connectionStatus().contains(u" — retrying in "_s),
             qPrintable(m_controller->connectionStatus()));
    // The charts still show what came before the errors.
    QCOMPARE(m_controller->shownHistory().pollCount(), 2);
    QCOMPARE(ys(chartsOf(*m_window).constFirst()->plottedPoints(0)), (QList<double>{30, 32}));
    waitForPolls(3);
    QVERIFY(m_controller->connectionStatus().startsWith(u"Connected to"_s));
    QCOMPARE(m_controller->poller()->consecutiveFailures(), 0);
    QTRY_COMPARE(ys(chartsOf(*m_window).constFirst()->plottedPoints(0)),
                 (QList<double>{30, 32, 34}));
    QVERIFY(refreshed.size() >= 6);
}

void tst_MainWindow::pauseAndResume()
{
    for (int poll = 0; poll < 100; ++poll)
        m_server->enqueue(sweep(poll));
    startWindow();
    QTRY_VERIFY(m_controller->shownHistory().pollCount() >= 2);
    m_controller->setPaused(true);
    QVERIFY(m_controller->isPaused());
    QVERIFY(!m_controller->poller()->isRunning());
    QVERIFY(m_controller->connectionStatus().startsWith(u"Paused"_s));
    const int polls = m_controller->shownHistory().pollCount();
    // A request already sent when pausing may still reach the server; none may follow it.
    QTest::qWait(100);
    const int requests = m_server->requestCount();
    QTest::qWait(200); // ten intervals
    QCOMPARE(m_server->requestCount(), requests);
    QCOMPARE(m_controller->shownHistory().pollCount(),
             polls); // the abandoned answer is never shown
    m_controller->setPaused(false);
    QTRY_VERIFY(m_controller->shownHistory().pollCount() > polls);
    QVERIFY(m_controller->connectionStatus().startsWith(u"Connected"_s));
}

void tst_MainWindow::selectedStatsArePlotted()
{
    for (int poll = 0; poll < 3; ++poll)
        m_server->enqueue(sweep(poll));
    startWindow();
    waitForPolls(3);
    m_controller->setSelectedStats({u"http.requests"_s, u"queue.depth"_s});
    QCOMPARE(m_controller->selectedStats(), (QStringList{u"http.requests"_s, u"queue.depth"_s}));
    ChartPanel *counters = chartTitled(*m_window, u"Selected counters"_s);
    ChartPanel *gauges = chartTitled(*m_window, u"Selected gauges"_s);
    QVERIFY(counters && gauges);
    QCOMPARE(counters->unit(), u"per second"_s);
    QCOMPARE(counters->lines().constFirst().plot, ChartPanel::Plot::Rates);
    QTRY_COMPARE(ys(counters->plottedPoints(0)),
                 (QList<double>{110, 110})); // (100 + 10) per second
    QCOMPARE(gauges->lines().constFirst().name, u"queue.depth"_s);
    QCOMPARE(ys(gauges->plottedPoints(0)), (QList<double>{6, 5, 6}));
    QCOMPARE(chartsOf(*m_window).size(), 3);
    m_controller->setSelectedStats({});
    QCOMPARE(chartsOf(*m_window).size(), 1);
}

void tst_MainWindow::invalidUtf8NamesInCharts()
{
    // Names that are not UTF-8, as statvent-web sends them (docs/HTTP-API.md): caf\xe9 and
    // caf\xe8 in Latin-1, and a group whose pattern holds such a byte.
    const QByteArray body = R"({"processes": {"101": {"stats": {"caf\udce9": 1, "caf\udce8": 2,
        "lat\udcff.median": 3, "lat\udcff.99th": 4}, "rejectedLines": 0}}, "unanswered": [],
        "timestamp": 1764057600})";
    m_server->answerAlways({body});
    startWindow();
    waitForPolls(1);
    const QString latin1 = u"caf"_s + QChar(0xdce9);
    const QString other = u"caf"_s + QChar(0xdce8);
    m_controller->setSelectedStats({latin1, other});
    ChartPanel *gauges = chartTitled(*m_window, u"Selected gauges"_s);
    QVERIFY(gauges);
    QCOMPARE(gauges->lines().size(), 2);
    QCOMPARE(gauges->lines()[0].name, other);
    QCOMPARE(gauges->lines()[0].label, u"caf\\xe8"_s);
    QCOMPARE(gauges->lines()[1].label, u"caf\\xe9"_s);
    ChartPanel *group = chartTitled(*m_window, u"lat\\xff.{0}"_s);
    QVERIFY(group);
    QCOMPARE(group->title(), u"lat\\xff.{0} — all processes, summed"_s);
}

void tst_MainWindow::statsLeftOutAreShown()
{
    QVariantMap stats;
    for (int i = 0; i < StatsDocument::MaxStats + 1'234; ++i)
        stats.insert(u"stat.%1"_s.arg(i, 5, 10, QChar(u'0')), i);
    m_server->answerAlways({ScriptedStatsServer::summedDocument(stats, T0)});
    startWindow();
    QTRY_COMPARE_WITH_TIMEOUT(m_controller->shownHistory().pollCount(), 1, 10'000);
    auto *model = m_window->findChild<StatTableModel *>();
    QCOMPARE(qsizetype(model->rowCount()), StatsDocument::MaxStats);
    auto *note = m_window->findChild<QLabel *>(u"viewNote"_s);
    QVERIFY(note && note->isVisible());
    QVERIFY2(note->text().contains(u"1,234 stats left out"_s), qPrintable(note->text()));
}

void tst_MainWindow::exportCharts()
{
    QString error;
    QVERIFY(!m_window->exportCharts(m_dir.filePath(u"none.png"_s), &error));
    QCOMPARE(error, u"there are no charts to export"_s);
    m_server->answerAlways(sweep(0));
    startWindow();
    waitForPolls(1);
    const QString file = m_dir.filePath(u"charts.png"_s);
    QVERIFY2(m_window->exportCharts(file, &error), qPrintable(error));
    const QImage image(file);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() > 300 && image.height() > 200);
    QVERIFY(!m_window->exportCharts(m_dir.filePath(u"no/such/dir/charts.png"_s), &error));
    QVERIFY2(error.startsWith(u"cannot write "_s), qPrintable(error));
}

void tst_MainWindow::screenshotIsNotBlank()
{
    for (int poll = 0; poll < 8; ++poll)
        m_server->enqueue(sweep(poll));
    const QString file = m_dir.filePath(u"window.png"_s);
    m_window->saveScreenshotAfter(8, file);
    QSignalSpy saved(m_window.get(), &MainWindow::screenshotSaved);
    startWindow();
    QTRY_COMPARE(saved.size(), 1);
    QCOMPARE(saved.at(0).at(0).toString(), file);
    QVERIFY2(saved.at(0).at(1).toBool(), qPrintable(saved.at(0).at(2).toString()));
    const QImage image(file);
    QCOMPARE(image.size(), m_window->size());
    // Text, lines, legend and table: a rendered window has hundreds of colours, a blank one one.
    QVERIFY2(distinctColours(image) > 100, qPrintable(QString::number(distinctColours(image))));
    QCOMPARE(m_controller->shownHistory().pollCount(), 8);
}

void tst_MainWindow::settingsAreRemembered()
{
    const QString file = m_dir.filePath(u"dashboard.ini"_s);
    for (int poll = 0; poll < 3; ++poll) // a counter shows itself by growing
        m_server->enqueue(sweep(poll));
    {
        QSettings settings(file, QSettings::IniFormat);
        DashboardController controller;
        MainWindow window(&controller, &settings);
        controller.setUrl(m_server->url());
        controller.setInterval(750ms);
        controller.setWindowMinutes(15);
        controller.setSelectedStats(
            {u"http.requests"_s}); // not in the table yet: remembered anyway
        window.resize(1000, 700);
        window.saveSettings();
    }
    QSettings settings(file, QSettings::IniFormat);
    DashboardController controller;
    MainWindow window(&controller, &settings);
    QCOMPARE(controller.url(), m_server->url());
    QCOMPARE(controller.interval(), 750ms);
    QCOMPARE(controller.windowMinutes(), 15);
    QCOMPARE(controller.selectedStats(), QStringList{u"http.requests"_s});
    QCOMPARE(window.size(), QSize(1000, 700));
    window.show();
    controller.start();
    QTRY_VERIFY(chartTitled(window, u"Selected counters"_s)); // applied once the stat arrives
}

void tst_MainWindow::anotherServiceStartsAfresh()
{
    for (int poll = 0; poll < 3; ++poll)
        m_server->enqueue(sweep(poll));
    startWindow();
    waitForPolls(3);
    ScriptedStatsServer other;
    QVERIFY(other.listen());
    other.answerAlways({ScriptedStatsServer::summedDocument({{u"other.stat"_s, 7}}, T0 - 1000)});
    m_controller->setUrl(other.url());
    QCOMPARE(m_controller->url(), other.url());
    QTRY_COMPARE(m_controller->shownHistory().pollCount(),
                 1); // an older clock is fine: a new history
    QVERIFY(m_controller->shownHistory().contains(u"other.stat"_s));
    QVERIFY(!m_controller->shownHistory().contains(u"http.requests"_s));
    QVERIFY(chartsOf(*m_window).isEmpty());
    QCOMPARE(m_controller->viewNote(),
             u"This service offers no per-process view (?by=process): showing its sums."_s);
    QVERIFY(m_window->windowTitle().endsWith(other.url().authority()));
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"

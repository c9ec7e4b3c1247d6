// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// statvent-dashboard end to end: the program itself, and the dashboard against the real
// statvent-web reading real statvent-example writers through their pipes.
#include "dashboardtest.h"
#include "scriptedstatsserver.h"
#include <statventdashboard/chartgrid.h>
#include <statventdashboard/chartpanel.h>
#include <statventdashboard/dashboardcontroller.h>
#include <statventdashboard/mainwindow.h>
#include <statventdashboard/percentilegroups.h>
#include <statventdashboard/stathistory.h>
#include <statventdashboard/stattablemodel.h>

#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace StatventDashboard;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using DashboardTest::distinctColours;

namespace {

const QString BinDir = QStringLiteral(STATVENT_BIN_DIR);

void stopProcess(QProcess &process)
{
    if (process.state() == QProcess::NotRunning)
        return;
    process.terminate(); // SIGTERM: the writers remove their pipes on the way out
    if (!process.waitForFinished(5000)) {
        process.kill();
        process.waitForFinished(5000);
    }
}

} // namespace

class tst_StatventDashboard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void realServiceInTheWindow();
    void screenshotOfTheRealService();
    void screenshotWhenTheServiceIsDown();
    void screenshotOfADistribution();
    void badArguments();

private:
    QTemporaryDir m_dir;
    QProcess m_writers[2];
    QProcess m_service;
    QUrl m_url;
    QList<qint64> m_pids;
};

void tst_StatventDashboard::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    const QString pipeDir = m_dir.filePath(u"pipes"_s);
    for (int i = 0; i < 2; ++i) {
        m_writers[i].start(BinDir + u"/statvent-example"_s,
                           {u"--pipe-dir"_s, pipeDir, u"--interval"_s, u"10"_s});
        QVERIFY2(m_writers[i].waitForStarted(), qPrintable(m_writers[i].errorString()));
        m_pids.append(m_writers[i].processId());
    }
    std::sort(m_pids.begin(), m_pids.end());

    // Port 0: statvent-web picks a free port and says which on standard error.
    m_service.start(BinDir + u"/statvent-web"_s, {u"--port"_s, u"0"_s, u"--pipe-dir"_s, pipeDir});
    QVERIFY2(m_service.waitForStarted(), qPrintable(m_service.errorString()));
    QByteArray banner;
    const QRegularExpression serving(u"serving (http://127\\.0\\.0\\.1:\\d+/stats)"_s);
    QTRY_VERIFY_WITH_TIMEOUT((banner += m_service.readAllStandardError(),
                              serving.match(QString::fromUtf8(banner)).hasMatch()),
                             10000);
    m_url = QUrl(serving.match(QString::fromUtf8(banner)).captured(1));
    // Both writers have made their pipes.
    QTRY_COMPARE(QDir(pipeDir).entryList({u"*.stats"_s}, QDir::System).size(), 2);
}

void tst_StatventDashboard::cleanupTestCase()
{
    for (QProcess &writer : m_writers)
        stopProcess(writer);
    stopProcess(m_service);
}

void tst_StatventDashboard::realServiceInTheWindow()
{
    DashboardController controller;
    MainWindow window(&controller);
    controller.setUrl(m_url);
    controller.setInterval(100ms);
    window.show();
    controller.start();
    QTRY_COMPARE_WITH_TIMEOUT(controller.offeredProcesses(), m_pids, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(controller.shownHistory().pollCount() >= 3, 10000);
    QVERIFY(controller.connectionStatus().startsWith(u"Connected to "_s));

    // statvent-example records a window "foo->baz->{0}": one chart, five lines.
    QCOMPARE(controller.groups().groups().size(), 1);
    const PercentileGroups::Group &group = controller.groups().groups().constFirst();
    QCOMPARE(group.pattern, u"foo->baz->{0}"_s);
    QStringList labels;
    for (const PercentileGroups::Member &member : group.members)
        labels.append(member.label);
    QCOMPARE(labels, (QStringList{u"median"_s, u"95th"_s, u"99th"_s, u"100th"_s, u"mean"_s}));
    QCOMPARE(window.findChild<ChartGrid *>()->charts().size(), 1);

    // Its counter "foo.bar" grows by one every 10 ms in each writer: a rate, positive.
    StatTableModel *model = window.findChild<StatTableModel *>();
    QTRY_VERIFY(model->isCounter(u"foo.bar"_s));
    QVERIFY(controller.shownHistory().latestRate(u"foo.bar"_s).value_or(0) > 0);

    // One process's own percentiles: the samples are below 5, so is every percentile of them.
    controller.showProcess(m_pids.constFirst());
    QTRY_VERIFY_WITH_TIMEOUT(controller.shownHistory().pollCount() >= 3, 10000);
    ChartPanel *chart = window.findChild<ChartGrid *>()->charts().constFirst();
    QTRY_VERIFY(!chart->plottedPoints(3).isEmpty()); // the 100th
    for (const QPointF &point : chart->plottedPoints(3))
        QVERIFY2(point.y() >= 0 && point.y() < 5, qPrintable(QString::number(point.y())));
    QCOMPARE(chart->title(), u"foo->baz->{0} — process %1"_s.arg(m_pids.constFirst()));
}

void tst_StatventDashboard::screenshotOfTheRealService()
{
    const QString file = m_dir.filePath(u"real.png"_s);
    QProcess dashboard;
    dashboard.start(BinDir + u"/statvent-dashboard"_s,
                    {u"--url"_s, m_url.toString(), u"--interval"_s, u"100"_s, u"--window"_s, u"1"_s,
                     u"--plot"_s, u"foo.bar"_s, u"--screenshot"_s, file, u"--after"_s, u"10"_s});
    QVERIFY(dashboard.waitForFinished(60000));
    const QByteArray errors = dashboard.readAllStandardError();
    QCOMPARE(dashboard.exitStatus(), QProcess::NormalExit);
    QVERIFY2(dashboard.exitCode() == 0, errors.constData());
    QVERIFY2(errors.contains(QByteArray("saved " + file.toUtf8() + " (Connected to 127.0.0.1:")),
             errors.constData());
    const QImage image(file);
    QCOMPARE(image.size(), QSize(1280, 820));
    QVERIFY2(distinctColours(image) > 100, qPrintable(QString::number(distinctColours(image))));
}

void tst_StatventDashboard::screenshotWhenTheServiceIsDown()
{
    const quint16 port = DashboardTest::closedLoopbackPort();
    QVERIFY(port != 0);
    const QString file = m_dir.filePath(u"down.png"_s);
    QProcess dashboard;
    dashboard.start(BinDir + u"/statvent-dashboard"_s,
                    {u"--url"_s, u"http://127.0.0.1:%1/stats"_s.arg(port), u"--interval"_s, u"20"_s,
                     u"--screenshot"_s, file, u"--after"_s, u"3"_s});
    QVERIFY(dashboard.waitForFinished(60000));
    const QByteArray errors = dashboard.readAllStandardError();
    QVERIFY2(dashboard.exitCode() == 0, errors.constData());
    // The window shows why, and when it tries again.
    QVERIFY2(QString::fromUtf8(errors).contains(QRegularExpression(
                 u"saved .*down\\.png \\(Connection refused — retrying in 0\\.16 s\\)"_s)),
             errors.constData());
    QVERIFY(!QImage(file).isNull());
}

void tst_StatventDashboard::screenshotOfADistribution()
{
    // A service whose processes send their windows' histograms (docs/HTTP-API.md).
    ScriptedStatsServer service;
    QVERIFY(service.listen());
    service.answerAlways({DashboardTest::windowDocument(1'764'057'600.0, false)});
    const QString file = m_dir.filePath(u"distribution.png"_s);
    QProcess dashboard;
    dashboard.start(BinDir + u"/statvent-dashboard"_s,
                    {u"--url"_s, service.url().toString(), u"--interval"_s, u"50"_s,
                     u"--distribution"_s, u"rpc"_s, u"--screenshot"_s, file, u"--after"_s, u"3"_s});
    // The service answers from this thread's event loop: wait without blocking it.
    QTRY_VERIFY_WITH_TIMEOUT(dashboard.state() == QProcess::NotRunning, 60000);
    const QByteArray errors = dashboard.readAllStandardError();
    QVERIFY2(dashboard.exitCode() == 0, errors.constData());
    QVERIFY(service.lastQuery().contains(u"histograms=1"_s));
    const QImage image(file);
    QCOMPARE(image.size(), QSize(1280, 820));
    // The bars' fill (DistributionPanel) covers a good part of the picture.
    const QRgb barFill = qRgb(0x9e, 0xb8, 0xd9);
    int barPixels = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            barPixels += image.pixel(x, y) == barFill ? 1 : 0;
    }
    QVERIFY2(barPixels > 5000, qPrintable(QString::number(barPixels)));
}

void tst_StatventDashboard::badArguments()
{
    QProcess dashboard;
    dashboard.start(BinDir + u"/statvent-dashboard"_s, {u"--interval"_s, u"soon"_s});
    QVERIFY(dashboard.waitForFinished(30000));
    QCOMPARE(dashboard.exitCode(), 2);
    QCOMPARE(dashboard.readAllStandardError().trimmed(),
             QByteArray("statvent-dashboard: --interval: \"soon\" is not a number of milliseconds "
                        "between 1 and 3600000"));
}

QTEST_MAIN(tst_StatventDashboard)
#include "tst_statventdashboard.moc"

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "dashboardtest.h"
#include "scriptedstatsserver.h"

#include <statventdashboard/dashboardcontroller.h>
#include <statventdashboard/distributionpanel.h>
#include <statventdashboard/stathistory.h>
#include <statventdashboard/windowdistribution.h>

#include <QAreaSeries>
#include <QChart>
#include <QComboBox>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QTest>

using namespace StatventDashboard;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

class tst_DistributionPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void drawsTheChosenWindow();
    void saysWhyThereIsNothingToDraw();

private:
    std::unique_ptr<ScriptedStatsServer> m_server;
    std::unique_ptr<DashboardController> m_controller;
};

void tst_DistributionPanel::init()
{
    m_server = std::make_unique<ScriptedStatsServer>();
    QVERIFY(m_server->listen());
    m_controller = std::make_unique<DashboardController>();
    m_controller->setUrl(m_server->url());
    m_controller->setInterval(20ms);
}

void tst_DistributionPanel::cleanup()
{
    m_controller.reset();
    m_server.reset();
}

void tst_DistributionPanel::drawsTheChosenWindow()
{
    m_server->answerAlways({DashboardTest::windowDocument(1'764'057'600.0, false)});
    DistributionPanel panel(m_controller.get());
    m_controller->start();
    QTRY_COMPARE(m_controller->shownHistory().pollCount(), 1);
    panel.refresh();
    QCOMPARE(panel.windowChooser()->count(), 1);
    QCOMPARE(panel.windowChooser()->currentData().toString(), u"rpc"_s);
    QVERIFY(panel.note()->text().startsWith(u"200 samples of all processes, merged."_s));

    const WindowDistribution distribution = m_controller->distribution();
    const QList<QAbstractSeries *> series = panel.chart()->series();
    QCOMPARE(series.size(), 1 + distribution.marks().size()); // the bars, then one line a mark
    const auto *bars = qobject_cast<QAreaSeries *>(series[0]);
    QVERIFY(bars);
    QCOMPARE(bars->upperSeries()->count(), 4 * distribution.bars().size());
    const auto *p99 = qobject_cast<QLineSeries *>(series[2]);
    QVERIFY(p99);
    QCOMPARE(p99->at(0).x(), distribution.marks()[1].value);
    QVERIFY(p99->name().startsWith(u"99th "_s));
    const auto axes = panel.chart()->axes(Qt::Horizontal);
    QCOMPARE(axes.size(), 1);
    const auto *logAxis = qobject_cast<QLogValueAxis *>(axes[0]);
    QVERIFY(logAxis);
    QVERIFY(logAxis->min() <= distribution.bars().first().lower);
    QVERIFY(logAxis->max() >= 1000);
}

void tst_DistributionPanel::saysWhyThereIsNothingToDraw()
{
    // A FIFO process reports rpc's rows too: no host-wide histogram.
    m_server->answerAlways({DashboardTest::windowDocument(1'764'057'600.0, true, true)});
    DistributionPanel panel(m_controller.get());
    m_controller->start();
    QTRY_COMPARE(m_controller->shownHistory().pollCount(), 1);
    panel.refresh();
    QVERIFY(panel.chart()->series().isEmpty());
    QCOMPARE(panel.note()->text(), m_controller->distributionNote());
    QVERIFY(panel.note()->text().startsWith(u"Some process reports this window"_s));
    m_controller->showProcess(102);
    panel.refresh();
    QCOMPARE(panel.chart()->series().size(), 3);
}

QTEST_MAIN(tst_DistributionPanel)
#include "tst_distributionpanel.moc"

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// WindowCombiner: a host's sample windows merged into true percentiles.

#include "exactpercentile.h"
#include "webservice-writers/sentstats.h"

#include <statventweb/windowcombiner.h>

#include <statvent/aggregates.h>
#include <statvent/pipeformat.h>
#include <statvent/statregistry.h>

#include <QTest>

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace Statvent;
using namespace StatventWeb;
using StatventTest::exactPercentile;
using StatventTest::overFifo;
using StatventTest::overSocket;
using Mode = StatCombiner::Mode;

namespace {

double valueOf(const Snapshot &stats, QByteArrayView name)
{
    for (const StatEntry &entry : stats) {
        if (entry.name == name)
            return entry.value.toReal();
    }
    return std::nan("");
}

struct Combined
{
    Snapshot stats;
    QList<CombinedWindow> windows;
};

Combined combineAll(const QList<ProcessStats> &processes, Mode mode)
{
    Combined result;
    result.stats = StatCombiner::combine(processes, mode);
    result.windows = WindowCombiner::combine(processes, mode, result.stats);
    return result;
}

//! Three processes whose windows hold very different samples: 1-2, 10-20 and 100-1000.
struct ThreeProcesses
{
    StatRegistry registries[3];
    QList<double> all;

    ThreeProcesses()
    {
        const double ranges[3][2] = {{1, 2}, {10, 20}, {100, 1000}};
        for (int p = 0; p < 3; ++p) {
            for (int i = 0; i < 100; ++i) {
                const double sample = ranges[p][0] + (ranges[p][1] - ranges[p][0]) * i / 99.0;
                registries[p].record("latency.{0}", sample);
                all.append(sample);
            }
            registries[p].incr("requests", 100);
        }
    }
};

} // namespace

class tst_WindowCombiner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void summedPercentilesAreTrueOnes();
    void fifoWriterKeepsTheRowsSummed();
    void windowWithoutHistogramKeepsTheRowsSummed();
    void otherModesKeepTheirRowsAndGiveTheHistogram_data();
    void otherModesKeepTheirRowsAndGiveTheHistogram();
    void differentPercentilesAreNotMerged();
    void oneProcessKeepsItsExactRows();
    void emptyWindowsAddNothing();
    void combinedViewIsBothSteps_data();
    void combinedViewIsBothSteps();
};

void tst_WindowCombiner::summedPercentilesAreTrueOnes()
{
    ThreeProcesses host;
    const Combined combined =
        combineAll({overSocket(101, host.registries[0]), overSocket(102, host.registries[1]),
                    overSocket(103, host.registries[2])},
                   Mode::Sum);
    QCOMPARE(combined.windows.size(), 1);
    const CombinedWindow &window = combined.windows.constFirst();
    QCOMPARE(window.name, QByteArray("latency.{0}"));
    QVERIFY(window.merged);
    QVERIFY(window.mergeable);
    QCOMPARE(window.count, 300);
    QVERIFY(window.histogram);
    QCOMPARE(window.histogram->count(), 300);
    QCOMPARE(window.labels, QList<QByteArray>({"median", "95th", "99th", "100th", "mean"}));
    QCOMPARE(window.rowNames,
             QList<QByteArray>({"latency.median", "latency.95th", "latency.99th", "latency.100th",
                                "latency.mean"}));
    for (double p : {50.0, 95.0, 99.0}) {
        const double exact = exactPercentile(host.all, p);
        const double merged =
            valueOf(combined.stats, QByteArray("latency." + Aggregates::percentileLabel(p)));
        QVERIFY2(std::abs(merged - exact) <= exact * Histogram::RelativeErrorBound,
                 qPrintable(QStringLiteral("p%1: %2, exact %3").arg(p).arg(merged).arg(exact)));
    }
    QCOMPARE(valueOf(combined.stats, "latency.100th"), 1000.0);
    const double sum = std::accumulate(host.all.cbegin(), host.all.cend(), 0.0);
    QVERIFY(std::abs(valueOf(combined.stats, "latency.mean") - sum / 300) <= 1e-9 * sum);
    // Everything else is combined as StatCombiner does.
    QCOMPARE(valueOf(combined.stats, "requests"), 300.0);
    // The summed median would have been about 1.5 + 15 + 550.
    QVERIFY(valueOf(combined.stats, "latency.median") < 21);
}

void tst_WindowCombiner::fifoWriterKeepsTheRowsSummed()
{
    ThreeProcesses host;
    const QList<ProcessStats> processes = {overSocket(101, host.registries[0]),
                                           overFifo(102, host.registries[1])};
    const Snapshot summed = StatCombiner::combine(processes, Mode::Sum);
    const Combined combined = combineAll(processes, Mode::Sum);
    QCOMPARE(combined.windows.size(), 1);
    QVERIFY(!combined.windows.constFirst().merged);
    // The socket's histogram misses the FIFO writer's samples: not the host's.
    QVERIFY(!combined.windows.constFirst().mergeable);
    QCOMPARE(combined.stats, summed);
}

void tst_WindowCombiner::windowWithoutHistogramKeepsTheRowsSummed()
{
    ThreeProcesses host;
    QList<ProcessStats> processes = {overSocket(101, host.registries[0]),
                                     overSocket(102, host.registries[1])};
    processes[1].windows[0].histogram.reset(); // a writer of the socket format before histograms
    const Snapshot summed = StatCombiner::combine(processes, Mode::Sum);
    const Combined combined = combineAll(processes, Mode::Sum);
    QCOMPARE(combined.windows.size(), 1);
    QVERIFY(!combined.windows.constFirst().merged);
    QVERIFY(!combined.windows.constFirst().mergeable);
    QVERIFY(!combined.windows.constFirst().histogram);
    QCOMPARE(combined.windows.constFirst().count, 200);
    QCOMPARE(combined.stats, summed);
}

void tst_WindowCombiner::otherModesKeepTheirRowsAndGiveTheHistogram_data()
{
    QTest::addColumn<Mode>("mode");
    QTest::newRow("max") << Mode::Max;
    QTest::newRow("min") << Mode::Min;
    QTest::newRow("avg") << Mode::Avg;
}

void tst_WindowCombiner::otherModesKeepTheirRowsAndGiveTheHistogram()
{
    QFETCH(Mode, mode);
    ThreeProcesses host;
    const QList<ProcessStats> processes = {overSocket(101, host.registries[0]),
                                           overSocket(102, host.registries[2])};
    const Snapshot byMode = StatCombiner::combine(processes, mode);
    const Combined combined = combineAll(processes, mode);
    QCOMPARE(combined.stats, byMode);
    QVERIFY(!combined.windows.constFirst().merged);
    // Merged, in sum mode: the histogram is the host's whatever the mode.
    QVERIFY(combined.windows.constFirst().mergeable);
    QVERIFY(combined.windows.constFirst().histogram);
    QCOMPARE(combined.windows.constFirst().histogram->count(), 200);
}

void tst_WindowCombiner::differentPercentilesAreNotMerged()
{
    ThreeProcesses host;
    host.registries[1].setPercentiles({50, 99.9});
    const QList<ProcessStats> processes = {overSocket(101, host.registries[0]),
                                           overSocket(102, host.registries[1])};
    const Snapshot summed = StatCombiner::combine(processes, Mode::Sum);
    const Combined combined = combineAll(processes, Mode::Sum);
    QVERIFY(!combined.windows.constFirst().merged);
    QVERIFY(!combined.windows.constFirst().mergeable);
    QCOMPARE(combined.stats, summed);
    // The samples still add up, whatever rows each process makes of them.
    QVERIFY(combined.windows.constFirst().histogram);
    QCOMPARE(combined.windows.constFirst().histogram->count(), 200);
}

void tst_WindowCombiner::oneProcessKeepsItsExactRows()
{
    StatRegistry registry;
    for (int sample = 1; sample <= 10; ++sample)
        registry.record("latency.{0}", sample * 1.01);
    const ProcessStats process = overSocket(101, registry);
    const Combined combined = combineAll({process}, Mode::Sum);
    QVERIFY(combined.windows.constFirst().merged);
    QCOMPARE(combined.stats, process.stats); // 5.05, not the histogram's bucket estimate
}

void tst_WindowCombiner::emptyWindowsAddNothing()
{
    StatRegistry idle;
    idle.sampleWindow("latency.{0}");
    ThreeProcesses host;
    const Combined combined =
        combineAll({overSocket(100, idle), overSocket(101, host.registries[0])}, Mode::Sum);
    QCOMPARE(combined.windows.size(), 1);
    QVERIFY(combined.windows.constFirst().merged);
    QVERIFY(combined.windows.constFirst().mergeable);
    QCOMPARE(combined.windows.constFirst().count, 100);
    QCOMPARE(valueOf(combined.stats, "latency.100th"), 2.0);
}

void tst_WindowCombiner::combinedViewIsBothSteps_data()
{
    QTest::addColumn<Mode>("mode");
    QTest::newRow("sum") << Mode::Sum;
    QTest::newRow("max") << Mode::Max;
}

void tst_WindowCombiner::combinedViewIsBothSteps()
{
    QFETCH(Mode, mode);
    ThreeProcesses host;
    const QList<ProcessStats> processes = {overSocket(101, host.registries[0]),
                                           overSocket(102, host.registries[1]),
                                           overFifo(103, host.registries[2])};
    const Combined expected = combineAll(processes, mode);
    const CombinedView view = WindowCombiner::combinedView(processes, mode);
    QCOMPARE(view.stats, expected.stats);
    QCOMPARE(view.windows.size(), expected.windows.size());
    QCOMPARE(view.windows.constFirst().count, expected.windows.constFirst().count);
    QCOMPARE(view.windows.constFirst().merged, expected.windows.constFirst().merged);
}

QTEST_GUILESS_MAIN(tst_WindowCombiner)
#include "tst_windowcombiner.moc"

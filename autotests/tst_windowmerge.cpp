// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// WindowMerge: when a window's reports from several processes make true percentiles.

#include "exactpercentile.h"

#include <statvent/windowmerge.h>

#include <QTest>

#include <algorithm>
#include <cmath>
#include <numeric>

using Statvent::Histogram;
using Statvent::WindowMerge;
using StatventTest::exactPercentile;

namespace {

const QList<QByteArray> DefaultLabels = {"median", "95th", "99th", "100th", "mean"};

//! Samples first, first + step, ... (count of them).
QList<double> samples(double first, double step, int count)
{
    QList<double> list;
    for (int i = 0; i < count; ++i)
        list.append(first + step * i);
    return list;
}

double sumOf(const QList<double> &list)
{
    return std::accumulate(list.cbegin(), list.cend(), 0.0);
}

void addSamples(WindowMerge &merge, const QList<double> &list,
                const QList<QByteArray> &labels = DefaultLabels, bool withHistogram = true)
{
    merge.add(list.isEmpty() ? QList<QByteArray>() : labels, list.size(), sumOf(list),
              withHistogram ? std::optional<Histogram>(Histogram::fromSamples(list))
                            : std::nullopt);
}

} // namespace

class tst_WindowMerge : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void trueRowsOfSeveralProcesses();
    void oneProcessKeepsItsOwnRows();
    void notMerged_data();
    void notMerged();
    void emptyReportsAddNothing();
};

void tst_WindowMerge::trueRowsOfSeveralProcesses()
{
    const QList<double> fast = samples(1, 0.01, 100);
    const QList<double> slow = samples(100, 9, 100);
    WindowMerge merge;
    addSamples(merge, fast);
    addSamples(merge, slow);
    QVERIFY(merge.isMerged());
    QCOMPARE(merge.count(), 200);
    QCOMPARE(merge.labels(), DefaultLabels);
    QVERIFY(merge.histogram());
    QCOMPARE(merge.histogram()->count(), 200);
    const QList<double> all = fast + slow;
    const QList<double> values = merge.mergedRowValues();
    QCOMPARE(values.size(), 5);
    const double percentiles[] = {50, 95, 99};
    for (int i = 0; i < 3; ++i) {
        const double exact = exactPercentile(all, percentiles[i]);
        QVERIFY2(std::abs(values.at(i) - exact) <= exact * Histogram::RelativeErrorBound,
                 qPrintable(QString::number(values.at(i))));
    }
    QCOMPARE(values.at(3), 991.0); // the exact maximum
    QCOMPARE(values.at(4), sumOf(all) / 200);
}

void tst_WindowMerge::oneProcessKeepsItsOwnRows()
{
    WindowMerge merge;
    addSamples(merge, samples(1, 1, 10));
    addSamples(merge, {}); // a process whose window holds nothing
    QVERIFY(merge.isMerged());
    QVERIFY(merge.mergedRowValues().isEmpty());
}

void tst_WindowMerge::notMerged_data()
{
    QTest::addColumn<QList<QByteArray>>("otherLabels");
    QTest::addColumn<bool>("otherHasHistogram");
    QTest::addColumn<bool>("foreignRow");
    QTest::addColumn<bool>("histogramKept");

    QTest::newRow("a report without histogram") << DefaultLabels << false << false << false;
    QTest::newRow("other percentiles")
        << QList<QByteArray>{"median", "99.9th", "mean"} << true << false << true;
    QTest::newRow("a label that names no percentile")
        << QList<QByteArray>{"median", "p99", "mean"} << true << false << true;
    QTest::newRow("a row reported by a FIFO writer") << DefaultLabels << true << true << false;
}

void tst_WindowMerge::notMerged()
{
    QFETCH(QList<QByteArray>, otherLabels);
    QFETCH(bool, otherHasHistogram);
    QFETCH(bool, foreignRow);
    QFETCH(bool, histogramKept);
    WindowMerge merge;
    addSamples(merge, samples(1, 1, 10));
    addSamples(merge, samples(5, 1, 10), otherLabels, otherHasHistogram);
    if (foreignRow)
        merge.addForeignRow();
    QVERIFY(!merge.isMerged());
    QVERIFY(merge.mergedRowValues().isEmpty());
    QCOMPARE(merge.histogram().has_value(), histogramKept);
    QCOMPARE(merge.count(), 20);
}

void tst_WindowMerge::emptyReportsAddNothing()
{
    WindowMerge merge;
    QVERIFY(!merge.isMerged()); // no rows at all
    addSamples(merge, {});
    QVERIFY(!merge.isMerged());
    QCOMPARE(merge.count(), 0);
    QVERIFY(merge.histogram());
    QVERIFY(merge.histogram()->isEmpty());
}

QTEST_GUILESS_MAIN(tst_WindowMerge)
#include "tst_windowmerge.moc"

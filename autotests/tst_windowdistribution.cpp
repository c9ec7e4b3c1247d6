// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/windowdistribution.h>

#include <statvent/aggregates.h>
#include <statvent/histogram.h>

#include <QTest>

#include <algorithm>
#include <cmath>

using namespace StatventDashboard;
using namespace Qt::StringLiterals;
using Statvent::Histogram;

class tst_WindowDistribution : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void barsAreThePositiveBuckets();
    void marksAreTheWindowsRows_data();
    void marksAreTheWindowsRows();
    void zerosAndNegativesAreCountedNotDrawn();
    void underAndOverflowStayOnTheAxis();
    void noHistogramIsNoDistribution();
};

namespace {

StatsDocument::Window windowOf(const QList<double> &samples)
{
    StatsDocument::Window window;
    window.rows = {{u"median"_s, u"w.median"_s},
                   {u"95th"_s, u"w.95th"_s},
                   {u"99th"_s, u"w.99th"_s},
                   {u"100th"_s, u"w.100th"_s},
                   {u"mean"_s, u"w.mean"_s}};
    window.histogram = Histogram::fromSamples(samples);
    window.count = window.histogram->count();
    window.sum = window.histogram->sum();
    window.merged = true;
    return window;
}

QList<double> spread(int count)
{
    QList<double> samples;
    for (int i = 1; i <= count; ++i)
        samples.append(std::pow(1.07, i)); // 1.07 .. about 868 for 100 samples
    return samples;
}

} // namespace

void tst_WindowDistribution::barsAreThePositiveBuckets()
{
    const QList<double> samples = spread(100);
    const WindowDistribution distribution = WindowDistribution::of(u"w.{0}"_s, windowOf(samples));
    QVERIFY(distribution.isValid());
    QCOMPARE(distribution.name(), u"w.{0}"_s);
    QCOMPARE(distribution.count(), 100);
    qint64 counted = 0;
    qint64 largest = 0;
    for (qsizetype i = 0; i < distribution.bars().size(); ++i) {
        const WindowDistribution::Bar &bar = distribution.bars()[i];
        QVERIFY(bar.lower < bar.upper);
        QVERIFY(bar.count > 0);
        if (i > 0)
            QVERIFY(distribution.bars()[i - 1].upper <= bar.lower);
        counted += bar.count;
        largest = std::max(largest, bar.count);
    }
    QCOMPARE(counted, 100);
    QCOMPARE(distribution.largestCount(), largest);
    // Every sample lies in the range drawn.
    const auto [low, high] = distribution.valueRange();
    QVERIFY(low < samples.first());
    QVERIFY(high >= samples.last());
}

void tst_WindowDistribution::marksAreTheWindowsRows_data()
{
    QTest::addColumn<QString>("label");
    QTest::addColumn<double>("percentile"); // -1: the mean
    QTest::newRow("median") << u"median"_s << 50.0;
    QTest::newRow("95th") << u"95th"_s << 95.0;
    QTest::newRow("99th") << u"99th"_s << 99.0;
    QTest::newRow("100th") << u"100th"_s << 100.0;
    QTest::newRow("mean") << u"mean"_s << -1.0;
}

void tst_WindowDistribution::marksAreTheWindowsRows()
{
    QFETCH(QString, label);
    QFETCH(double, percentile);
    QList<double> samples = spread(100);
    const WindowDistribution distribution = WindowDistribution::of(u"w.{0}"_s, windowOf(samples));
    QCOMPARE(distribution.marks().size(), 5);
    const auto mark = std::find_if(distribution.marks().cbegin(), distribution.marks().cend(),
                                   [&](const auto &m) { return m.label == label; });
    QVERIFY(mark != distribution.marks().cend());
    std::sort(samples.begin(), samples.end());
    if (percentile < 0) {
        double sum = 0;
        for (double sample : std::as_const(samples))
            sum += sample;
        QCOMPARE(mark->value, sum / 100);
        return;
    }
    const double exact = Statvent::Aggregates::percentile(samples, percentile);
    QVERIFY2(std::abs(mark->value - exact) <= Histogram::RelativeErrorBound * exact,
             qPrintable(u"%1 against %2"_s.arg(mark->value).arg(exact)));
    if (percentile == 100)
        QCOMPARE(mark->value, samples.last());
}

void tst_WindowDistribution::zerosAndNegativesAreCountedNotDrawn()
{
    const WindowDistribution distribution =
        WindowDistribution::of(u"w"_s, windowOf({0.0, 0.0, -3.0, 2.0, 4.0}));
    QCOMPARE(distribution.count(), 5);
    QCOMPARE(distribution.zeroCount(), 2);
    QCOMPARE(distribution.negativeCount(), 1);
    QCOMPARE(distribution.bars().size(), 2);
    QCOMPARE(distribution.bars()[0], (WindowDistribution::Bar{Histogram::lowerBound(16), 2.0, 1}));
}

void tst_WindowDistribution::underAndOverflowStayOnTheAxis()
{
    const WindowDistribution distribution = WindowDistribution::of(u"w"_s, windowOf({1e-30, 1e30}));
    QCOMPARE(distribution.bars().size(), 2);
    QVERIFY(distribution.bars()[0].lower > 0);
    QCOMPARE(distribution.bars()[0].upper, Histogram::upperBound(Histogram::UnderflowIndex));
    QCOMPARE(distribution.bars()[1].upper, 1e30);
}

void tst_WindowDistribution::noHistogramIsNoDistribution()
{
    StatsDocument::Window window = windowOf({1, 2, 3});
    window.histogram.reset();
    const WindowDistribution distribution = WindowDistribution::of(u"w"_s, window);
    QVERIFY(!distribution.isValid());
    QCOMPARE(distribution.name(), u"w"_s);
    QVERIFY(distribution.bars().isEmpty());
    QVERIFY(distribution.marks().isEmpty());
    QCOMPARE(distribution.valueRange(), std::pair(0.0, 0.0));
}

QTEST_GUILESS_MAIN(tst_WindowDistribution)
#include "tst_windowdistribution.moc"

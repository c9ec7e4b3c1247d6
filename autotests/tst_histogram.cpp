// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "exactpercentile.h"

#include <statvent/aggregates.h>
#include <statvent/histogram.h>

#include <QRandomGenerator>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>

using Statvent::Aggregates;
using Statvent::Histogram;
using Bucket = Statvent::Histogram::Bucket;
using Buckets = QList<Statvent::Histogram::Bucket>;
using StatventTest::exactPercentile;

namespace {

constexpr double Max = std::numeric_limits<double>::max();
constexpr double Infinity = std::numeric_limits<double>::infinity();
constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

double above(double x)
{
    return std::nextafter(x, Infinity);
}

double below(double x)
{
    return std::nextafter(x, -Infinity);
}

Histogram histogramOf(const QList<double> &samples)
{
    Histogram histogram;
    for (double sample : samples)
        histogram.add(sample);
    return histogram;
}

QList<double> uniform(QRandomGenerator &random, int n, double low, double high)
{
    QList<double> samples;
    for (int i = 0; i < n; ++i)
        samples.append(low + random.generateDouble() * (high - low));
    return samples;
}

QList<double> logUniform(QRandomGenerator &random, int n, double low, double high)
{
    QList<double> samples;
    for (int i = 0; i < n; ++i)
        samples.append(low * std::pow(high / low, random.generateDouble()));
    return samples;
}

//! Splits \a samples at random among \a parts histograms and merges them.
Histogram mergedOf(QRandomGenerator &random, const QList<double> &samples, int parts)
{
    QList<Histogram> histograms(parts);
    for (double sample : samples)
        histograms[random.bounded(parts)].add(sample);
    Histogram merged;
    for (const Histogram &histogram : histograms)
        merged.merge(histogram);
    return merged;
}

} // namespace

namespace QTest {

template<>
char *toString(const Bucket &bucket)
{
    const QByteArray text =
        QByteArray::number(bucket.index) + ':' + QByteArray::number(bucket.count);
    return qstrdup(text.constData());
}

} // namespace QTest

class tst_Histogram : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bucketIndex_data();
    void bucketIndex();
    void boundsAreExactAndContiguous();
    void add_data();
    void add();
    void fromSamplesEqualsAdd();
    void sumSaturates();
    void mergeOfEmptyHistograms();
    void mergeCommutesAndEqualsOneHistogram();
    void percentileWithinTheBound_data();
    void percentileWithinTheBound();
    void percentileEdges();
    void underflowAndOverflowStayInRange();
    void meanIsExactUpToRounding();
    void prometheusBounds();
    void cumulativeCounts_data();
    void cumulativeCounts();
    void fromParts_data();
    void fromParts();
};

void tst_Histogram::bucketIndex_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<int>("index");

    QTest::newRow("1 ends bucket 0") << 1.0 << 0;
    QTest::newRow("just above 1") << above(1.0) << 1;
    QTest::newRow("just below 1") << below(1.0) << 0;
    QTest::newRow("2 ends bucket 16") << 2.0 << 16;
    QTest::newRow("just above 2") << above(2.0) << 17;
    QTest::newRow("just below 2") << below(2.0) << 16;
    QTest::newRow("0.5") << 0.5 << -16;
    QTest::newRow("just above 0.5") << above(0.5) << -15;
    QTest::newRow("1024") << 1024.0 << 160;
    QTest::newRow("3") << 3.0 << 26; // log2(3) * 16 = 25.4
    QTest::newRow("-3 by magnitude") << -3.0 << 26;
    QTest::newRow("-1") << -1.0 << 0;
    QTest::newRow("sqrt(2) ends bucket 8") << std::sqrt(2.0) << 8;
    QTest::newRow("just above sqrt(2)") << above(std::sqrt(2.0)) << 9;
    QTest::newRow("2^-64 underflows") << std::ldexp(1.0, -64) << Histogram::UnderflowIndex;
    QTest::newRow("just above 2^-64")
        << above(std::ldexp(1.0, -64)) << Histogram::UnderflowIndex + 1;
    QTest::newRow("2^64 is the last regular")
        << std::ldexp(1.0, 64) << Histogram::OverflowIndex - 1;
    QTest::newRow("just above 2^64 overflows")
        << above(std::ldexp(1.0, 64)) << Histogram::OverflowIndex;
    QTest::newRow("largest double") << Max << Histogram::OverflowIndex;
    QTest::newRow("lowest double") << -Max << Histogram::OverflowIndex;
    QTest::newRow("smallest normal")
        << std::numeric_limits<double>::min() << Histogram::UnderflowIndex;
    QTest::newRow("smallest subnormal")
        << std::numeric_limits<double>::denorm_min() << Histogram::UnderflowIndex;
    QTest::newRow("1e-300") << 1e-300 << Histogram::UnderflowIndex;
    QTest::newRow("zero has none") << 0.0 << 0;
    QTest::newRow("NaN has none") << NaN << 0;
    QTest::newRow("infinity overflows") << Infinity << Histogram::OverflowIndex;
}

void tst_Histogram::bucketIndex()
{
    QFETCH(double, value);
    QFETCH(int, index);
    QCOMPARE(Histogram::bucketIndex(value), index);
    if (index > Histogram::UnderflowIndex && index < Histogram::OverflowIndex) {
        QVERIFY(value == 0.0 || std::isnan(value)
                || (Histogram::lowerBound(index) < std::fabs(value)
                    && std::fabs(value) <= Histogram::upperBound(index)));
    }
    // A window's samples are counted by fromSamples(), whose own path for positive samples
    // within the range skips the clamp: the same bucket, each side of the range's ends.
    for (const QList<double> &samples : {QList<double>{1.0, value}, QList<double>{value, 3.0}})
        QCOMPARE(Histogram::fromSamples(samples), histogramOf(samples));
}

void tst_Histogram::boundsAreExactAndContiguous()
{
    QCOMPARE(Histogram::lowerBound(Histogram::UnderflowIndex), 0.0);
    QCOMPARE(Histogram::upperBound(Histogram::UnderflowIndex), std::ldexp(1.0, -64));
    QCOMPARE(Histogram::lowerBound(Histogram::OverflowIndex), std::ldexp(1.0, 64));
    QCOMPARE(Histogram::upperBound(Histogram::OverflowIndex), Max);
    for (int i = Histogram::UnderflowIndex + 1; i < Histogram::OverflowIndex; ++i) {
        const double lower = Histogram::lowerBound(i);
        const double upper = Histogram::upperBound(i);
        QCOMPARE(lower, Histogram::upperBound(i - 1));
        // Each bound is the double nearest 2^(i/16): within an ulp of the libm's exp2().
        QVERIFY2(std::fabs(upper / std::exp2(i / 16.0) - 1.0) < 4e-16,
                 qPrintable(QString::number(i)));
        if (i % 16 == 0)
            QCOMPARE(upper, std::ldexp(1.0, i / 16));
        // The bounds themselves and their neighbours land in the right bucket.
        QCOMPARE(Histogram::bucketIndex(upper), i);
        QCOMPARE(Histogram::bucketIndex(below(upper)), below(upper) > lower ? i : i - 1);
        QCOMPARE(Histogram::bucketIndex(above(lower)), i);
        QCOMPARE(Histogram::bucketIndex(above(upper)), i + 1);
    }
}

void tst_Histogram::add_data()
{
    QTest::addColumn<QList<double>>("samples");
    QTest::addColumn<qint64>("count");
    QTest::addColumn<qint64>("zeroCount");
    QTest::addColumn<Buckets>("negative");
    QTest::addColumn<Buckets>("positive");
    QTest::addColumn<double>("min");
    QTest::addColumn<double>("max");

    QTest::newRow("empty") << QList<double>() << qint64(0) << qint64(0) << Buckets() << Buckets()
                           << 0.0 << 0.0;
    QTest::newRow("zero") << QList<double>{0.0} << qint64(1) << qint64(1) << Buckets() << Buckets()
                          << 0.0 << 0.0;
    QTest::newRow("negative zero") << QList<double>{-0.0, 0.0} << qint64(2) << qint64(2)
                                   << Buckets() << Buckets() << 0.0 << 0.0;
    QTest::newRow("powers of two, unordered")
        << QList<double>{2.0, 1.0, 2.0, 0.5} << qint64(4) << qint64(0) << Buckets()
        << Buckets{{-16, 1}, {0, 1}, {16, 2}} << 0.5 << 2.0;
    QTest::newRow("negatives mirrored")
        << QList<double>{-1.0, -2.0, 1.0, -1.0} << qint64(4) << qint64(0)
        << Buckets{{0, 2}, {16, 1}} << Buckets{{0, 1}} << -2.0 << 1.0;
    QTest::newRow("NaN and infinities never recorded")
        << QList<double>{NaN, Infinity, 3.0, -Infinity, -NaN} << qint64(1) << qint64(0) << Buckets()
        << Buckets{{26, 1}} << 3.0 << 3.0;
    QTest::newRow("only NaN") << QList<double>{NaN} << qint64(0) << qint64(0) << Buckets()
                              << Buckets() << 0.0 << 0.0;
    const double subnormal = std::numeric_limits<double>::denorm_min();
    QTest::newRow("subnormals underflow")
        << QList<double>{subnormal, -subnormal, 1e-310} << qint64(3) << qint64(0)
        << Buckets{{Histogram::UnderflowIndex, 1}} << Buckets{{Histogram::UnderflowIndex, 2}}
        << -subnormal << 1e-310;
    QTest::newRow("largest doubles overflow")
        << QList<double>{Max, -Max, 1e300} << qint64(3) << qint64(0)
        << Buckets{{Histogram::OverflowIndex, 1}} << Buckets{{Histogram::OverflowIndex, 2}} << -Max
        << Max;
}

void tst_Histogram::add()
{
    QFETCH(QList<double>, samples);
    QFETCH(qint64, count);
    QFETCH(qint64, zeroCount);
    QFETCH(Buckets, negative);
    QFETCH(Buckets, positive);
    QFETCH(double, min);
    QFETCH(double, max);
    const Histogram histogram = histogramOf(samples);
    QCOMPARE(histogram.count(), count);
    QCOMPARE(histogram.isEmpty(), count == 0);
    QCOMPARE(histogram.zeroCount(), zeroCount);
    QCOMPARE(histogram.negativeBuckets(), negative);
    QCOMPARE(histogram.positiveBuckets(), positive);
    QCOMPARE(histogram.min(), min);
    QCOMPARE(histogram.max(), max);
    QVERIFY(std::isfinite(histogram.sum()));
    QCOMPARE(Histogram::fromSamples(samples), histogram);
}

void tst_Histogram::fromSamplesEqualsAdd()
{
    QRandomGenerator random(16);
    QList<double> samples = logUniform(random, 1000, 1e-6, 1e9);
    for (int i = 0; i < 100; ++i)
        samples[random.bounded(1000)] *= -1.0;
    samples.append({0.0, -0.0, NaN});
    QCOMPARE(Histogram::fromSamples(samples), histogramOf(samples));
}

void tst_Histogram::sumSaturates()
{
    Histogram histogram = histogramOf({Max, Max});
    QCOMPARE(histogram.sum(), Max);
    histogram.merge(histogramOf({Max}));
    QCOMPARE(histogram.sum(), Max);
    QCOMPARE(histogramOf({-Max, -Max}).sum(), -Max);
    QCOMPARE(histogram.count(), 3);
}

void tst_Histogram::mergeOfEmptyHistograms()
{
    Histogram empty;
    empty.merge(Histogram());
    QCOMPARE(empty, Histogram());
    QVERIFY(empty.isEmpty());
    QCOMPARE(empty.percentile(50), 0.0);
    QCOMPARE(empty.mean(), 0.0);

    const Histogram some = histogramOf({-1.0, 0.0, 3.0});
    Histogram left = some;
    left.merge(Histogram());
    QCOMPARE(left, some);
    Histogram right;
    right.merge(some);
    QCOMPARE(right, some);
}

void tst_Histogram::mergeCommutesAndEqualsOneHistogram()
{
    // Samples that are multiples of 1/8 sum exactly in any order, so histograms compare equal.
    QRandomGenerator random(42);
    QList<double> all;
    QList<Histogram> parts(5);
    for (int i = 0; i < 2000; ++i) {
        const double sample = double(qint64(random.bounded(2'000'000)) - 500'000) / 8.0;
        all.append(sample);
        parts[random.bounded(5)].add(sample);
    }
    Histogram forward;
    for (const Histogram &part : parts)
        forward.merge(part);
    Histogram backward;
    for (auto part = parts.crbegin(); part != parts.crend(); ++part)
        backward.merge(*part);
    Histogram pairs = parts[3];
    pairs.merge(parts[1]);
    Histogram rest = parts[4];
    rest.merge(parts[0]);
    rest.merge(parts[2]);
    pairs.merge(rest);
    const Histogram whole = histogramOf(all);
    QCOMPARE(forward, whole);
    QCOMPARE(backward, whole);
    QCOMPARE(pairs, whole);
    QCOMPARE(whole.count(), 2000);
}

void tst_Histogram::percentileWithinTheBound_data()
{
    QTest::addColumn<QList<double>>("samples");
    QRandomGenerator random(7);
    QTest::newRow("uniform 0..5") << uniform(random, 300, 0.0, 5.0);
    QTest::newRow("uniform 1000..1001") << uniform(random, 1000, 1000.0, 1001.0);
    QTest::newRow("log-uniform 1e-6..1e9") << logUniform(random, 5000, 1e-6, 1e9);
    QTest::newRow("three processes, 1-2 ms, 10-20 ms, 100-1000 ms")
        << uniform(random, 100, 1.0, 2.0) + uniform(random, 100, 10.0, 20.0)
            + uniform(random, 100, 100.0, 1000.0);
    QList<double> spikes;
    for (int i = 0; i < 990; ++i)
        spikes.append(i % 3 == 0 ? 0.25 : i % 3 == 1 ? 7.0 : 3e6);
    spikes += uniform(random, 10, 1e7, 1e8);
    QTest::newRow("spikes") << spikes;
    QList<double> signs = uniform(random, 500, -100.0, 100.0);
    signs += QList<double>(50, 0.0);
    QTest::newRow("negatives and zeros") << signs;
    QTest::newRow("one sample") << QList<double>{123.456};
    QTest::newRow("two samples") << QList<double>{1e-3, 1e3};
    QTest::newRow("edges of the range")
        << QList<double>{above(std::ldexp(1.0, -64)), 1.0, std::ldexp(1.0, 64), 1e-19, 1e19};
}

void tst_Histogram::percentileWithinTheBound()
{
    QFETCH(QList<double>, samples);
    QRandomGenerator random(3);
    const Histogram whole = histogramOf(samples);
    const Histogram merged = mergedOf(random, samples, 8);
    QCOMPARE(merged.count(), whole.count());
    for (double p : {0.1, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 100.0}) {
        const double exact = exactPercentile(samples, p);
        for (const Histogram *histogram : {&whole, &merged}) {
            const double estimate = histogram->percentile(p);
            QVERIFY2(std::fabs(estimate - exact)
                         <= Histogram::RelativeErrorBound * std::fabs(exact),
                     qPrintable(QStringLiteral("p %1: %2 from the histogram, %3 exact")
                                    .arg(p)
                                    .arg(estimate, 0, 'g', 17)
                                    .arg(exact, 0, 'g', 17)));
        }
    }
    QCOMPARE(merged.percentile(100), *std::max_element(samples.cbegin(), samples.cend()));
    QVERIFY(Histogram::RelativeErrorBound < 0.025);
    const double b = std::exp2(1.0 / 16.0);
    QVERIFY(Histogram::RelativeErrorBound > (b - 1) / (b + 1));
    QVERIFY(Histogram::RelativeErrorBound - (b - 1) / (b + 1) < 1e-5);
}

void tst_Histogram::percentileEdges()
{
    const Histogram histogram = histogramOf({5.0, 1.0, 3.0, 2.0, 4.0});
    QCOMPARE(histogram.percentile(100), 5.0);
    QCOMPARE(histogram.percentile(150), 5.0);
    QCOMPARE(histogram.percentile(0), 1.0);
    QCOMPARE(histogram.percentile(-5), 1.0);
    QCOMPARE(histogram.percentile(NaN), 1.0);
    QCOMPARE(histogram.percentile(20), 1.0); // rank 0: the exact minimum
    QVERIFY(std::fabs(histogram.percentile(99) - 4.0) <= 4.0 * Histogram::RelativeErrorBound);
    QVERIFY(std::fabs(histogram.percentile(80) - 4.0) <= 4.0 * Histogram::RelativeErrorBound);
    QVERIFY(std::fabs(histogram.percentile(50) - 2.0) <= 2.0 * Histogram::RelativeErrorBound);
}

void tst_Histogram::underflowAndOverflowStayInRange()
{
    const double tiny = std::numeric_limits<double>::denorm_min();
    const Histogram low = histogramOf({tiny, tiny * 3, 1e-300, 1e-200, 1e-100});
    QCOMPARE(low.positiveBuckets(), Buckets({{Histogram::UnderflowIndex, 5}}));
    for (double p : {30.0, 50.0, 70.0}) {
        const double value = low.percentile(p);
        QVERIFY(value >= low.min() && value <= low.max());
    }
    const Histogram high = histogramOf({1e20, 1e100, 1e200, 1e300, Max});
    QCOMPARE(high.positiveBuckets(), Buckets({{Histogram::OverflowIndex, 5}}));
    for (double p : {30.0, 50.0, 70.0}) {
        const double value = high.percentile(p);
        QVERIFY(value >= 1e20 && value <= Max);
    }
    QCOMPARE(high.percentile(100), Max);
    const Histogram negative = histogramOf({-Max, -1e300, -1e200});
    QCOMPARE(negative.percentile(50), negative.percentile(50)); // not NaN
    QVERIFY(negative.percentile(50) >= -Max && negative.percentile(50) <= -1e200);
}

void tst_Histogram::meanIsExactUpToRounding()
{
    QRandomGenerator random(11);
    const QList<double> samples = logUniform(random, 1000, 1e-3, 1e6);
    double sum = 0;
    for (double sample : samples)
        sum += sample;
    const Histogram whole = histogramOf(samples);
    QCOMPARE(whole.sum(), sum);
    QCOMPARE(whole.mean(), sum / 1000.0);
    const Histogram merged = mergedOf(random, samples, 8);
    QVERIFY(std::fabs(merged.mean() - sum / 1000.0) <= 1e-12 * (sum / 1000.0));
}

void tst_Histogram::prometheusBounds()
{
    const QList<double> bounds = Histogram::prometheusBounds();
    QCOMPARE(bounds.size(), 121);
    QCOMPARE(bounds.constFirst(), std::ldexp(1.0, -20));
    QCOMPARE(bounds.constLast(), std::ldexp(1.0, 40));
    QCOMPARE(bounds.at(40), 1.0);
    QCOMPARE(bounds.at(41), std::sqrt(2.0));
    for (qsizetype k = 0; k < bounds.size(); ++k) {
        // Each is a bound of the fine scale, so the fine buckets split nowhere across it.
        QCOMPARE(bounds.at(k), Histogram::upperBound(int(k - 40) * 8));
        if (k > 0)
            QVERIFY(bounds.at(k) > bounds.at(k - 1));
    }
}

void tst_Histogram::cumulativeCounts_data()
{
    QTest::addColumn<QList<double>>("samples");
    QRandomGenerator random(5);
    QTest::newRow("empty") << QList<double>();
    QTest::newRow("on the bounds") << QList<double>{
        1.0, std::sqrt(2.0), above(std::sqrt(2.0)), below(1.0), 2.0, std::ldexp(1.0, -20)};
    QTest::newRow("outside the bounds") << QList<double>{-5.0, 0.0, 1e-30, 1e30, Max, -Max};
    QTest::newRow("log-uniform") << logUniform(random, 2000, 1e-8, 1e14);
}

void tst_Histogram::cumulativeCounts()
{
    QFETCH(QList<double>, samples);
    const Histogram histogram = histogramOf(samples);
    const QList<double> bounds = Histogram::prometheusBounds();
    const QList<qint64> counts = histogram.cumulativeCounts();
    QCOMPARE(counts.size(), bounds.size());
    for (qsizetype k = 0; k < bounds.size(); ++k) {
        const qint64 expected = std::count_if(samples.cbegin(), samples.cend(),
                                              [&](double x) { return x <= bounds.at(k); });
        QCOMPARE(counts.at(k), expected);
    }
}

void tst_Histogram::fromParts_data()
{
    QTest::addColumn<qint64>("zeroCount");
    QTest::addColumn<Buckets>("negative");
    QTest::addColumn<Buckets>("positive");
    QTest::addColumn<double>("min");
    QTest::addColumn<double>("max");
    QTest::addColumn<bool>("valid");

    QTest::newRow("valid") << qint64(1) << Buckets{{0, 2}} << Buckets{{-3, 1}, {5, 4}} << -1.0
                           << 1.2 << true;
    QTest::newRow("empty") << qint64(0) << Buckets() << Buckets() << 0.0 << 0.0 << true;
    QTest::newRow("range edges") << qint64(0) << Buckets{{Histogram::UnderflowIndex, 1}}
                                 << Buckets{{Histogram::OverflowIndex, 1}} << -1e-30 << 1e30
                                 << true;
    QTest::newRow("unsorted") << qint64(0) << Buckets() << Buckets{{5, 1}, {3, 1}} << 1.0 << 2.0
                              << false;
    QTest::newRow("duplicate") << qint64(0) << Buckets{{5, 1}, {5, 1}} << Buckets() << -2.0 << -1.0
                               << false;
    QTest::newRow("count 0") << qint64(0) << Buckets() << Buckets{{5, 0}} << 1.0 << 2.0 << false;
    QTest::newRow("below underflow")
        << qint64(0) << Buckets() << Buckets{{Histogram::UnderflowIndex - 1, 1}} << 0.0 << 1.0
        << false;
    QTest::newRow("above overflow")
        << qint64(0) << Buckets() << Buckets{{Histogram::OverflowIndex + 1, 1}} << 0.0 << 1.0
        << false;
    QTest::newRow("negative zero count")
        << qint64(-1) << Buckets() << Buckets() << 0.0 << 0.0 << false;
    QTest::newRow("min above max") << qint64(1) << Buckets() << Buckets() << 1.0 << 0.0 << false;
    QTest::newRow("NaN min") << qint64(1) << Buckets() << Buckets() << NaN << 0.0 << false;
    QTest::newRow("infinite max") << qint64(1) << Buckets() << Buckets() << 0.0 << Infinity
                                  << false;
}

void tst_Histogram::fromParts()
{
    QFETCH(qint64, zeroCount);
    QFETCH(Buckets, negative);
    QFETCH(Buckets, positive);
    QFETCH(double, min);
    QFETCH(double, max);
    QFETCH(bool, valid);
    const std::optional<Histogram> histogram =
        Histogram::fromParts(zeroCount, negative, positive, min, max, 2.5);
    QCOMPARE(histogram.has_value(), valid);
    if (!valid)
        return;
    QCOMPARE(histogram->zeroCount(), zeroCount);
    QCOMPARE(histogram->negativeBuckets(), negative);
    QCOMPARE(histogram->positiveBuckets(), positive);
    QCOMPARE(histogram->sum(), 2.5);
    if (!histogram->isEmpty()) {
        QCOMPARE(histogram->min(), min);
        QCOMPARE(histogram->max(), max);
    }
}

QTEST_GUILESS_MAIN(tst_Histogram)
#include "tst_histogram.moc"

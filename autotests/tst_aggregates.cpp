// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statventtest.h"

#include <statvent/aggregates.h>
#include <statvent/pipeformat.h>

#include <QRandomGenerator>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <numeric>

using Statvent::Aggregates;
using Statvent::NameFormatter;
using Statvent::Snapshot;

namespace {

const QList<double> DefaultPercentiles = {50, 95, 99, 100};

QList<double> oneToHundred()
{
    QList<double> samples(100);
    std::iota(samples.begin(), samples.end(), 1.0);
    return samples;
}

/*!
 * The original statvent's computation, written out as its Python reads:
 * `sorted(window)[max(0, int(math.floor(len(window) * p / 100)) - 1)]` and
 * `sum(window) / len(window)`, summing in arrival order.
 */
double originalPercentile(QList<double> window, double p)
{
    std::sort(window.begin(), window.end());
    const qsizetype index = qsizetype(std::floor(double(window.size()) * p / 100)) - 1;
    return window[std::max<qsizetype>(0, index)];
}

double originalMean(const QList<double> &window)
{
    double sum = 0;
    for (double sample : window)
        sum += sample;
    return sum / double(window.size());
}

} // namespace

class tst_Aggregates : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void percentileLabel_data();
    void percentileLabel();
    void isLabel_data();
    void isLabel();
    void percentileOf_data();
    void percentileOf();
    void formatName_data();
    void formatName();
    void percentileOfOneToHundred_data();
    void percentileOfOneToHundred();
    void percentileOfSmallWindows_data();
    void percentileOfSmallWindows();
    void percentileOfRandomDataMatchesOriginal();
    void rowsOfOneToHundred();
    void rowsOfEmptyWindow();
    void rowsWithCustomFormatter();
    void rowsWithInvalidFormattedNamesAreLeftOut();
};

void tst_Aggregates::percentileLabel_data()
{
    QTest::addColumn<double>("percentile");
    QTest::addColumn<QByteArray>("label");

    QTest::newRow("50") << 50.0 << QByteArray("median");
    QTest::newRow("1") << 1.0 << QByteArray("1st");
    QTest::newRow("2") << 2.0 << QByteArray("2nd");
    QTest::newRow("3") << 3.0 << QByteArray("3rd");
    QTest::newRow("4") << 4.0 << QByteArray("4th");
    QTest::newRow("10") << 10.0 << QByteArray("10th");
    QTest::newRow("11") << 11.0 << QByteArray("11th");
    QTest::newRow("12") << 12.0 << QByteArray("12th");
    QTest::newRow("13") << 13.0 << QByteArray("13th");
    QTest::newRow("21") << 21.0 << QByteArray("21st");
    QTest::newRow("22") << 22.0 << QByteArray("22nd");
    QTest::newRow("23") << 23.0 << QByteArray("23rd");
    QTest::newRow("95") << 95.0 << QByteArray("95th");
    QTest::newRow("99") << 99.0 << QByteArray("99th");
    QTest::newRow("100") << 100.0 << QByteArray("100th");
    QTest::newRow("99.9") << 99.9 << QByteArray("99.9th");
    QTest::newRow("99.99") << 99.99 << QByteArray("99.99th");
    QTest::newRow("0.5") << 0.5 << QByteArray("0.5th");
    QTest::newRow("12.5") << 12.5 << QByteArray("12.5th");
    QTest::newRow("tiny, no exponent")
        << 0.00001 << QByteArray("0.00001th"); // found by fuzz-aggregates
}

void tst_Aggregates::percentileLabel()
{
    QFETCH(double, percentile);
    QFETCH(QByteArray, label);
    QCOMPARE(Aggregates::percentileLabel(percentile), label);
    QVERIFY(Aggregates::isLabel(label));
    // And back: the label names exactly the percentile it was made for.
    QCOMPARE(Aggregates::percentileOf(label).value_or(-1), percentile);
}

void tst_Aggregates::percentileOf_data()
{
    QTest::addColumn<QByteArray>("label");
    QTest::addColumn<double>("percentile"); // -1: none

    QTest::newRow("median") << QByteArray("median") << 50.0;
    QTest::newRow("50th") << QByteArray("50th") << 50.0;
    QTest::newRow("99.9th") << QByteArray("99.9th") << 99.9;
    QTest::newRow("100th") << QByteArray("100th") << 100.0;
    QTest::newRow("mean") << QByteArray("mean") << -1.0;
    QTest::newRow("0th") << QByteArray("0th") << -1.0;
    QTest::newRow("101st") << QByteArray("101st") << -1.0;
    QTest::newRow("not a label") << QByteArray("95xx") << -1.0;
    QTest::newRow("empty") << QByteArray() << -1.0;
}

void tst_Aggregates::percentileOf()
{
    QFETCH(QByteArray, label);
    QFETCH(double, percentile);
    QCOMPARE(Aggregates::percentileOf(label).value_or(-1), percentile);
}

void tst_Aggregates::isLabel_data()
{
    QTest::addColumn<QByteArray>("label");
    QTest::addColumn<bool>("isLabel");

    QTest::newRow("median") << QByteArray("median") << true;
    QTest::newRow("mean") << QByteArray("mean") << true;
    QTest::newRow("1st") << QByteArray("1st") << true;
    QTest::newRow("2nd") << QByteArray("2nd") << true;
    QTest::newRow("3rd") << QByteArray("3rd") << true;
    QTest::newRow("95th") << QByteArray("95th") << true;
    QTest::newRow("99.9th") << QByteArray("99.9th") << true;
    QTest::newRow("empty") << QByteArray() << false;
    QTest::newRow("suffix alone") << QByteArray("th") << false;
    QTest::newRow("number alone") << QByteArray("95") << false;
    QTest::newRow("other suffix") << QByteArray("95xx") << false;
    QTest::newRow("letters") << QByteArray("abth") << false;
    QTest::newRow("two points") << QByteArray("9.5.1th") << false;
    QTest::newRow("leading point") << QByteArray(".5th") << false;
    QTest::newRow("trailing point") << QByteArray("5.th") << false;
    QTest::newRow("sign") << QByteArray("-5th") << false;
    QTest::newRow("longer word") << QByteArray("medians") << false;
    QTest::newRow("capitalised") << QByteArray("Median") << false;
}

void tst_Aggregates::isLabel()
{
    QFETCH(QByteArray, label);
    QFETCH(bool, isLabel);
    QCOMPARE(Aggregates::isLabel(label), isLabel);
}

void tst_Aggregates::formatName_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("label");
    QTest::addColumn<QByteArray>("formatted");

    QTest::newRow("placeholder") << QByteArray("latency.{0}") << QByteArray("median")
                                 << QByteArray("latency.median");
    QTest::newRow("original's example")
        << QByteArray("foo->baz->{0}") << QByteArray("95th") << QByteArray("foo->baz->95th");
    QTest::newRow("placeholder first")
        << QByteArray("{0}.latency") << QByteArray("mean") << QByteArray("mean.latency");
    QTest::newRow("placeholder only")
        << QByteArray("{0}") << QByteArray("99th") << QByteArray("99th");
    QTest::newRow("every placeholder")
        << QByteArray("a.{0}.b.{0}") << QByteArray("mean") << QByteArray("a.mean.b.mean");
    QTest::newRow("adjacent placeholders")
        << QByteArray("{0}{0}") << QByteArray("1st") << QByteArray("1st1st");
    // Without `{0}` the original gave every aggregate the same name; here the label is appended.
    QTest::newRow("no placeholder")
        << QByteArray("latency") << QByteArray("median") << QByteArray("latency.median");
    QTest::newRow("other braces kept")
        << QByteArray("x{1}") << QByteArray("mean") << QByteArray("x{1}.mean");
    QTest::newRow("nested braces")
        << QByteArray("{{0}}") << QByteArray("median") << QByteArray("{median}");
    QTest::newRow("UTF-8") << QByteArray("d\xc3\xa9lai.{0}") << QByteArray("95th")
                           << QByteArray("d\xc3\xa9lai.95th");
}

void tst_Aggregates::formatName()
{
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, label);
    QFETCH(QByteArray, formatted);
    QCOMPARE(Aggregates::formatName(name, label), formatted);
}

void tst_Aggregates::percentileOfOneToHundred_data()
{
    QTest::addColumn<double>("percentile");
    QTest::addColumn<double>("value");

    QTest::newRow("median") << 50.0 << 50.0;
    QTest::newRow("95th") << 95.0 << 95.0;
    QTest::newRow("99th") << 99.0 << 99.0;
    QTest::newRow("100th") << 100.0 << 100.0;
    QTest::newRow("1st") << 1.0 << 1.0;
    QTest::newRow("99.9th") << 99.9 << 99.0;
    QTest::newRow("0.5th clamps to the first") << 0.5 << 1.0;
}

void tst_Aggregates::percentileOfOneToHundred()
{
    QFETCH(double, percentile);
    QFETCH(double, value);
    QCOMPARE(Aggregates::percentile(oneToHundred(), percentile), value);
}

void tst_Aggregates::percentileOfSmallWindows_data()
{
    QTest::addColumn<QList<double>>("sorted");
    QTest::addColumn<double>("percentile");
    QTest::addColumn<double>("value");

    QTest::newRow("empty window") << QList<double>() << 50.0 << 0.0;
    QTest::newRow("one sample") << QList<double>{7} << 99.0 << 7.0;
    // floor(3 * 50 / 100) - 1 = 0: the original's formula favours the lower sample.
    QTest::newRow("three, median") << QList<double>{1, 2, 3} << 50.0 << 1.0;
    QTest::newRow("three, 100th") << QList<double>{1, 2, 3} << 100.0 << 3.0;
    QTest::newRow("four, median") << QList<double>{1, 2, 3, 4} << 50.0 << 2.0;
    QTest::newRow("four, 95th") << QList<double>{1, 2, 3, 4} << 95.0 << 3.0;
}

void tst_Aggregates::percentileOfSmallWindows()
{
    QFETCH(QList<double>, sorted);
    QFETCH(double, percentile);
    QFETCH(double, value);
    QCOMPARE(Aggregates::percentile(sorted, percentile), value);
}

void tst_Aggregates::percentileOfRandomDataMatchesOriginal()
{
    QRandomGenerator random(1125);
    const QList<double> percentiles = {0.1, 1, 12.5, 33.3, 50, 66.6, 90, 95, 99, 99.9, 99.99, 100};
    for (int round = 0; round < 500; ++round) {
        const qsizetype size = 1 + random.bounded(2000);
        QList<double> window;
        for (qsizetype i = 0; i < size; ++i)
            window.append(random.generateDouble() * 1000 - 200);

        Snapshot rows;
        QList<double> samples = window;
        QVERIFY(Aggregates::appendRows(rows, "r", samples, percentiles, {}));
        QCOMPARE(rows.size(), percentiles.size() + 1);
        for (qsizetype i = 0; i < percentiles.size(); ++i) {
            QCOMPARE(rows[i].name,
                     Aggregates::formatName("r", Aggregates::percentileLabel(percentiles[i])));
            QCOMPARE(rows[i].value.toReal(), originalPercentile(window, percentiles[i]));
        }
        QCOMPARE(rows.constLast().name, QByteArray("r.mean"));
        QCOMPARE(rows.constLast().value.toReal(), originalMean(window));
    }
}

void tst_Aggregates::rowsOfOneToHundred()
{
    QList<double> samples = oneToHundred();
    std::shuffle(samples.begin(), samples.end(), QRandomGenerator(7));
    const QList<double> recorded = samples;
    Snapshot rows = {{"before", 1}};
    QVERIFY(Aggregates::appendRows(rows, "latency.{0}", samples, DefaultPercentiles));
    QCOMPARE(rows,
             Snapshot({{"before", 1},
                       {"latency.median", 50.0},
                       {"latency.95th", 95.0},
                       {"latency.99th", 99.0},
                       {"latency.100th", 100.0},
                       {"latency.mean", 50.5}}));
    // Reordered in place, as documented: the same samples.
    QVERIFY(
        std::is_permutation(samples.cbegin(), samples.cend(), recorded.cbegin(), recorded.cend()));
}

void tst_Aggregates::rowsOfEmptyWindow()
{
    Snapshot rows;
    QList<double> samples;
    QVERIFY(Aggregates::appendRows(rows, "latency.{0}", samples, DefaultPercentiles));
    QVERIFY(rows.isEmpty());
}

void tst_Aggregates::rowsWithCustomFormatter()
{
    // The original's format_func: for names whose braces are not placeholders.
    QList<QByteArray> calls;
    const NameFormatter formatter = [&calls](QByteArrayView name, QByteArrayView label) {
        calls.append(QByteArray(name.toByteArray() + "|" + label.toByteArray()));
        return QByteArray("{" + name.toByteArray() + "}[" + label.toByteArray() + "]");
    };
    QList<double> samples = {3, 1, 2};
    Snapshot rows;
    QVERIFY(Aggregates::appendRows(rows, "q{0}", samples, {50, 99.9}, formatter));
    QCOMPARE(rows,
             Snapshot({{"{q{0}}[median]", 1.0}, {"{q{0}}[99.9th]", 2.0}, {"{q{0}}[mean]", 2.0}}));
    QCOMPARE(calls, QList<QByteArray>({"q{0}|median", "q{0}|99.9th", "q{0}|mean"}));
}

void tst_Aggregates::rowsWithInvalidFormattedNamesAreLeftOut()
{
    // A formatter that breaks lines for one label only: that row is dropped, the others stay.
    const NameFormatter formatter = [](QByteArrayView name, QByteArrayView label) {
        return label == "mean" ? QByteArray("bad\nname")
                               : QByteArray(name.toByteArray() + "." + label.toByteArray());
    };
    QList<double> samples = {1, 2};
    Snapshot rows;
    QVERIFY(!Aggregates::appendRows(rows, "w", samples, {100}, formatter));
    QCOMPARE(rows, Snapshot({{"w.100th", 2.0}}));

    const NameFormatter empty = [](QByteArrayView, QByteArrayView) { return QByteArray(); };
    rows.clear();
    QVERIFY(!Aggregates::appendRows(rows, "w", samples, {100}, empty));
    QVERIFY(rows.isEmpty());
}

QTEST_APPLESS_MAIN(tst_Aggregates)

#include "tst_aggregates.moc"

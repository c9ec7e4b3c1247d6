// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statventtest.h"

#include <statvent/histogram.h>
#include <statvent/pipeformat.h>
#include <statvent/snapshotformat.h>
#include <statvent/statregistry.h>
#include <statvent/statvent.h>

#include <QRandomGenerator>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <atomic>
#include <cmath>
#include <functional>
#include <limits>
#include <thread>
#include <vector>

using Statvent::Histogram;
using Statvent::PipeFormat;
using Statvent::Snapshot;
using Statvent::SnapshotFormat;
using Statvent::StatEntry;
using Statvent::StatRegistry;
using Statvent::StatValue;
using Statvent::TypedSnapshot;
using Statvent::WindowStats;
using namespace Qt::StringLiterals;
using Statvent::StatKind;
using Operations = QList<QPair<QByteArray, StatValue>>;
using Filler = std::function<void(StatRegistry &)>;
Q_DECLARE_METATYPE(StatKind)
Q_DECLARE_METATYPE(Filler)

namespace {

constexpr qint64 Int64Max = std::numeric_limits<qint64>::max();
constexpr qint64 Int64Min = std::numeric_limits<qint64>::min();
constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
constexpr double Infinity = std::numeric_limits<double>::infinity();

//! The rows a window of \a samples gives with the default percentiles (50, 95, 99, 100) and `{0}`.
Snapshot defaultRows(const QByteArray &prefix, double median, double p95, double p99, double p100,
                     double mean)
{
    return {{prefix + "median", median},
            {prefix + "95th", p95},
            {prefix + "99th", p99},
            {prefix + "100th", p100},
            {prefix + "mean", mean}};
}

//! Applies each (operation, value) of \a operations to the statistic "x".
void applyToX(StatRegistry &registry, const Operations &operations)
{
    for (const auto &[operation, value] : operations) {
        if (operation == "incr")
            registry.incr("x", value);
        else if (operation == "set")
            registry.set("x", value);
        else if (operation == "counter")
            registry.counter("x").incr(0);
        else
            registry.gauge("x");
    }
}

void recordRange(StatRegistry &registry, QAnyStringView name, int first, int last)
{
    for (int sample = first; sample <= last; ++sample)
        registry.record(name, sample);
}

//! Runs \a body(threadIndex) on \a count std::threads (no Qt machinery, so TSan sees only our code).
template<typename Body>
void runThreads(int count, Body body)
{
    std::vector<std::thread> threads;
    threads.reserve(size_t(count));
    for (int i = 0; i < count; ++i)
        threads.emplace_back(body, i);
    for (std::thread &thread : threads)
        thread.join();
}

QByteArray counterName(int thread, int i)
{
    return "t" + QByteArray::number(thread) + ".c" + QByteArray::number(i);
}

QByteArray windowName(int thread, int i)
{
    return "t" + QByteArray::number(thread) + ".w" + QByteArray::number(i) + ".";
}

/*!
 * What a snapshot taken while counterName()/windowName() statistics are being created may show:
 * each thread's counters as a gap-free prefix in creation order, each holding 0 (created, not yet
 * added to) or its final value i + 1; each window either absent (no sample yet) or as its five
 * complete rows, all equal to i. Returns an empty string when the snapshot is consistent.
 */
QByteArray inconsistency(const Snapshot &snapshot, int threadCount)
{
    QList<int> nextCounter(threadCount, 0);
    QList<int> lastWindow(threadCount, -1);
    QSet<QByteArray> names;
    for (qsizetype row = 0; row < snapshot.size(); ++row) {
        const StatEntry &entry = snapshot[row];
        if (names.contains(entry.name))
            return "duplicate " + entry.name;
        names.insert(entry.name);
        const int thread = entry.name.mid(1, entry.name.indexOf('.') - 1).toInt();
        if (thread < 0 || thread >= threadCount)
            return "unknown " + entry.name;
        if (entry.name.contains(".c")) {
            const int i = nextCounter[thread];
            if (entry.name != counterName(thread, i))
                return "gap before " + entry.name;
            if (entry.value != StatValue(0) && entry.value != StatValue(i + 1))
                return "torn value in " + entry.name;
            nextCounter[thread] = i % 10 == 8 ? i + 2 : i + 1; // every tenth name is a window
            continue;
        }
        const int i = entry.name.mid(entry.name.indexOf(".w") + 2).split('.').constFirst().toInt();
        if (i <= lastWindow[thread] || row + 5 > snapshot.size())
            return "window out of order or cut: " + entry.name;
        lastWindow[thread] = i;
        const Snapshot expected = defaultRows(windowName(thread, i), i, i, i, i, i);
        if (snapshot.mid(row, 5) != expected)
            return "incomplete window " + entry.name;
        for (const StatEntry &windowRow : expected)
            names.insert(windowRow.name);
        row += 4;
    }
    return {};
}

} // namespace

class tst_StatRegistry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaults();
    void incrStartsAtZero();
    void promotion_data();
    void promotion();
    void valueOfMissingStatistic();
    void namesFromEveryStringType();
    void namesAreStoredAsUtf8();
    void longestNameIsAccepted();
    void snapshotOrderIsCreationOrder();
    void snapshotTextRoundTrip();
    void snapshotTextIsInvokable();
    void freeFunctionsUseTheGlobalRegistry();

    void windowAggregatesOfOneToHundred();
    void windowKeepsTheLatestSamples();
    void shrinkingWindowsDropsTheOldest();
    void growingWindowsKeepsSamples();
    void windowSizeAppliesToNewWindows();
    void largestWindowSize();
    void invalidWindowSize_data();
    void invalidWindowSize();
    void windowSizeThroughPropertySystem();
    void percentiles();
    void invalidPercentiles_data();
    void invalidPercentiles();
    void emptyPercentilesLeaveTheMean();
    void defaultFormatterWithoutPlaceholder();
    void customFormatterIsKeptFromCreation();
    void formatterGivingInvalidNames();

    void kinds_data();
    void kinds();
    void typedSnapshotDescribesTheWindows();
    void typedRowsAreThePlainRowsBitForBit();
    void typedSnapshotLeavesOutRefusedRowsLabels();
    void textsAreTheSerializedSnapshots_data();
    void textsAreTheSerializedSnapshots();
    void typedWindowSumsStayFinite_data();
    void typedWindowSumsStayFinite();
    void realSumsSaturate_data();
    void realSumsSaturate();
    void nameCollisions_data();
    void nameCollisions();
    void percentilesThatRenameRowsOntoTakenNames();

    void badNames_data();
    void badNames();
    void nonFiniteValues_data();
    void nonFiniteValues();
    void warningsAreBounded();

    void incrFromManyThreads();
    void sameNewNamesFromManyThreads();
    void snapshotWhileNamesAreCreated();
    void resizeWhileRecording();
    void snapshotsNeverTearAValue();
    void setRacingRealIncrLosesNothing();
};

void tst_StatRegistry::defaults()
{
    StatRegistry registry;
    QCOMPARE(registry.windowSize(), 100);
    QCOMPARE(registry.windowSize(), StatRegistry::DefaultWindowSize);
    QCOMPARE(registry.percentiles(), QList<double>({50, 95, 99, 100}));
    QCOMPARE(registry.statCount(), 0);
    QCOMPARE(registry.windowCount(), 0);
    QVERIFY(registry.snapshot().isEmpty());
    QVERIFY(registry.snapshotText().isEmpty());
}

void tst_StatRegistry::incrStartsAtZero()
{
    StatRegistry registry;
    registry.incr("requests");
    QCOMPARE(registry.value("requests"), StatValue(1));
    registry.incr("requests", 5);
    QCOMPARE(registry.value("requests"), StatValue(6));
    registry.incr("bytes", -3);
    QCOMPARE(registry.value("bytes"), StatValue(-3));
    registry.incr("zero", 0);
    QCOMPARE(registry.value("zero"), StatValue(0));
    QCOMPARE(registry.statCount(), 3);
}

void tst_StatRegistry::promotion_data()
{
    QTest::addColumn<Operations>("operations");
    QTest::addColumn<StatValue>("result");

    const auto incr = [](StatValue value) { return qMakePair(QByteArray("incr"), value); };
    const auto set = [](StatValue value) { return qMakePair(QByteArray("set"), value); };

    QTest::newRow("int then real") << Operations{incr(1), incr(0.5)} << StatValue(1.5);
    QTest::newRow("real then int stays real")
        << Operations{incr(0.5), incr(1), incr(1)} << StatValue(2.5);
    QTest::newRow("whole real sum stays real") << Operations{incr(1), incr(1.0)} << StatValue(2.0);
    QTest::newRow("set real then incr int") << Operations{set(0.1), incr(1)} << StatValue(1.1);
    QTest::newRow("set int then incr int") << Operations{set(5), incr(2)} << StatValue(7);
    // Sums that leave qint64 become reals with the right value instead of wrapping around.
    QTest::newRow("overflow near INT64_MAX")
        << Operations{set(Int64Max - 1), incr(5)} << StatValue(9223372036854775811.0);
    QTest::newRow("INT64_MAX three times")
        << Operations{incr(Int64Max), incr(Int64Max), incr(Int64Max)}
        << StatValue(3.0 * 9223372036854775807.0);
    QTest::newRow("overflow below INT64_MIN")
        << Operations{set(Int64Min), incr(-1)} << StatValue(-9223372036854775809.0);
    QTest::newRow("overflowed stays real")
        << Operations{incr(Int64Max), incr(1), incr(-1)} << StatValue(9223372036854775807.0);
    // set replaces the value and its type, whatever came before.
    QTest::newRow("set int replaces real") << Operations{incr(2.5), set(3)} << StatValue(3);
    QTest::newRow("set real replaces int") << Operations{incr(3), set(1.5)} << StatValue(1.5);
    QTest::newRow("set real then incr") << Operations{incr(3), set(1.5), incr(1)} << StatValue(2.5);
    QTest::newRow("set int after overflow")
        << Operations{incr(Int64Max), incr(Int64Max), set(7)} << StatValue(7);
    QTest::newRow("set int after overflow then incr")
        << Operations{incr(Int64Max), incr(Int64Max), set(7), incr(1)} << StatValue(8);
}

void tst_StatRegistry::promotion()
{
    QFETCH(Operations, operations);
    QFETCH(StatValue, result);

    StatRegistry registry;
    applyToX(registry, operations);
    QCOMPARE(registry.value("x"), result);
    QCOMPARE(registry.value("x")->type(), result.type());
    QCOMPARE(registry.snapshot(), Snapshot({{"x", result}}));
}

void tst_StatRegistry::valueOfMissingStatistic()
{
    StatRegistry registry;
    registry.record("window", 1);
    QCOMPARE(registry.value("missing"), std::nullopt);
    QCOMPARE(registry.value("window"), std::nullopt); // a window has rows, not a value
    QCOMPARE(registry.statCount(), 0);
    QCOMPARE(registry.windowCount(), 1);
}

void tst_StatRegistry::namesFromEveryStringType()
{
    StatRegistry registry;
    // ASCII: every string type reaches one statistic.
    registry.incr("ascii");
    registry.incr(u8"ascii");
    registry.incr(u"ascii");
    registry.incr(u"ascii"_s);
    registry.incr(QStringView(u"ascii"));
    registry.incr("ascii"_L1);
    registry.incr(QByteArray("ascii"));
    registry.incr(QUtf8StringView("ascii"));
    QCOMPARE(registry.value("ascii"), StatValue(8));

    // Non-ASCII: the Latin-1 and UTF-16 spellings are converted to the same UTF-8 bytes.
    registry.incr("na\xc3\xafve");
    registry.incr(u8"na\u00efve");
    registry.incr(u"na\u00efve");
    registry.incr(u"na\u00efve"_s);
    registry.incr(QLatin1StringView("na\xefve"));
    registry.incr(QByteArray("na\xc3\xafve"));
    registry.incr(QStringView(u"na\u00efve"));
    QCOMPARE(registry.value(u"na\u00efve"_s), StatValue(7));

    registry.record(u"d\u00e9lai.{0}"_s, 1);
    registry.record("d\xc3\xa9lai.{0}", 3);
    registry.record(QLatin1StringView("d\xe9lai.{0}"), 2);
    QCOMPARE(registry.windowCount(), 1);
    QCOMPARE(registry.statCount(), 2);
    QCOMPARE(registry.sampleWindow(u"d\u00e9lai.{0}").sampleCount(), 3);
}

void tst_StatRegistry::namesAreStoredAsUtf8()
{
    StatRegistry registry;
    registry.set(u"\u00fcn\u00efcode \u2713 \U0001F600"_s, 1);
    QCOMPARE(registry.snapshot(),
             Snapshot({{QByteArray("\xc3\xbcn\xc3\xaf"
                                   "code \xe2\x9c\x93 \xf0\x9f\x98\x80"),
                        1}}));
}

void tst_StatRegistry::longestNameIsAccepted()
{
    QTest::failOnWarning(StatventTest::anyRefusal());
    StatRegistry registry;
    const QByteArray longest(PipeFormat::MaxNameLength, 'n');
    registry.incr(longest);
    // UTF-16 input counts in UTF-8 bytes: 2048 two-byte characters are exactly the limit.
    const QString wide(PipeFormat::MaxNameLength / 2, QChar(u'\u00e9'));
    registry.incr(wide);
    QCOMPARE(registry.statCount(), 2);
    QCOMPARE(registry.value(longest), StatValue(1));
    QCOMPARE(registry.value(wide), StatValue(1));
}

void tst_StatRegistry::snapshotOrderIsCreationOrder()
{
    StatRegistry registry;
    registry.incr("zeta");
    registry.record("w1.{0}", 1);
    registry.set("alpha", 2);
    registry.incr("zeta"); // updating does not move a statistic
    registry.record("w0.{0}", 2);
    registry.set("middle", 3.5);

    Snapshot expected = {{"zeta", 2}};
    expected += defaultRows("w1.", 1, 1, 1, 1, 1);
    expected += StatEntry{"alpha", 2};
    expected += defaultRows("w0.", 2, 2, 2, 2, 2);
    expected += StatEntry{"middle", 3.5};
    QCOMPARE(registry.snapshot(), expected);
}

void tst_StatRegistry::snapshotTextRoundTrip()
{
    StatRegistry registry;
    registry.set("max", Int64Max);
    registry.set("min", Int64Min);
    registry.incr("count", 3);
    registry.set("three", 3.0);
    registry.set("tiny", 1e-9);
    registry.set("negative", -0.25);
    registry.set("third", 1.0 / 3);
    registry.set("a:b", 1);
    recordRange(registry, "latency.{0}", 1, 100);

    const QByteArray text = registry.snapshotText();
    QCOMPARE(text, PipeFormat::serialize(registry.snapshot()));
    QVERIFY(text.startsWith(
        "max: 9223372036854775807\nmin: -9223372036854775808\ncount: 3\nthree: 3.0\n"
        "tiny: 1e-09\nnegative: -0.25\nthird: 0.3333333333333333\na:b: 1\n"
        "latency.median: 50.0\n"));
    const PipeFormat::ParseResult parsed = PipeFormat::parse(text);
    QCOMPARE(parsed.rejectedLines, 0);
    QCOMPARE(parsed.stats, registry.snapshot());
}

void tst_StatRegistry::snapshotTextIsInvokable()
{
    StatRegistry registry;
    registry.incr("x");
    QByteArray text;
    QVERIFY(QMetaObject::invokeMethod(&registry, "snapshotText", Qt::DirectConnection,
                                      Q_RETURN_ARG(QByteArray, text)));
    QCOMPARE(text, QByteArray("x: 1\n"));
}

void tst_StatRegistry::freeFunctionsUseTheGlobalRegistry()
{
    StatRegistry *global = StatRegistry::global();
    QVERIFY(global);
    QCOMPARE(StatRegistry::global(), global);

    Statvent::incr("tst_statregistry.free.count");
    Statvent::incr("tst_statregistry.free.count", 2);
    Statvent::set("tst_statregistry.free.level", 0.5);
    Statvent::record("tst_statregistry.free.latency.{0}", 4);
    Statvent::record("tst_statregistry.free.custom", 8,
                     [](QByteArrayView name, QByteArrayView label) {
                         return QByteArray(name.toByteArray() + "/" + label.toByteArray());
                     });
    Statvent::counter("tst_statregistry.free.count").incr();
    Statvent::gauge("tst_statregistry.free.level").set(1);
    Statvent::sampleWindow("tst_statregistry.free.latency.{0}").record(6);

    QCOMPARE(global->value("tst_statregistry.free.count"), StatValue(4));
    QCOMPARE(global->value("tst_statregistry.free.level"), StatValue(1));
    const Snapshot snapshot = Statvent::snapshot();
    QVERIFY(snapshot.contains(StatEntry{"tst_statregistry.free.latency.mean", 5.0}));
    QVERIFY(snapshot.contains(StatEntry{"tst_statregistry.free.custom/100th", 8.0}));
    QVERIFY(PipeFormat::parse(Statvent::snapshotText())
                .stats.contains(StatEntry{"tst_statregistry.free.count", 4}));
}

void tst_StatRegistry::windowAggregatesOfOneToHundred()
{
    StatRegistry registry;
    for (int sample = 100; sample >= 1; --sample) // arrival order must not matter
        registry.record("latency.{0}", sample);
    QCOMPARE(registry.snapshot(), defaultRows("latency.", 50, 95, 99, 100, 50.5));
}

void tst_StatRegistry::windowKeepsTheLatestSamples()
{
    StatRegistry registry;
    recordRange(registry, "w.{0}", 1, 150);
    QCOMPARE(registry.sampleWindow("w.{0}").sampleCount(), 100);
    QCOMPARE(registry.snapshot(), defaultRows("w.", 100, 145, 149, 150, 100.5)); // 51..150
}

void tst_StatRegistry::shrinkingWindowsDropsTheOldest()
{
    StatRegistry registry;
    recordRange(registry, "a.{0}", 1, 100);
    recordRange(registry, "b.{0}", 1, 5);
    QSignalSpy spy(&registry, &StatRegistry::windowSizeChanged);

    registry.setWindowSize(10);
    QCOMPARE(registry.windowSize(), 10);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.constFirst().constFirst().toInt(), 10);
    // Existing windows are cut to their 10 latest samples (91..100); smaller ones keep all theirs.
    QCOMPARE(registry.sampleWindow("a.{0}").sampleCount(), 10);
    QCOMPARE(registry.sampleWindow("b.{0}").sampleCount(), 5);
    QCOMPARE(registry.snapshot(),
             defaultRows("a.", 95, 99, 99, 100, 95.5) + defaultRows("b.", 2, 4, 4, 5, 3));

    // New samples go on replacing the oldest at the new size: 96..105.
    recordRange(registry, "a.{0}", 101, 105);
    QCOMPARE(registry.sampleWindow("a.{0}").sampleCount(), 10);
    QCOMPARE(registry.snapshot().mid(0, 5), defaultRows("a.", 100, 104, 104, 105, 100.5));

    registry.setWindowSize(10); // unchanged: no signal
    QCOMPARE(spy.size(), 1);
}

void tst_StatRegistry::growingWindowsKeepsSamples()
{
    StatRegistry registry;
    registry.setWindowSize(10);
    recordRange(registry, "w.{0}", 1, 20); // holds 11..20
    QSignalSpy spy(&registry, &StatRegistry::windowSizeChanged);

    registry.setWindowSize(200);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.constFirst().constFirst().toInt(), 200);
    QCOMPARE(registry.sampleWindow("w.{0}").sampleCount(), 10);
    QCOMPARE(registry.snapshot(), defaultRows("w.", 15, 19, 19, 20, 15.5));

    recordRange(registry, "w.{0}", 21, 300); // 290 samples in all: the window now holds 101..300
    QCOMPARE(registry.sampleWindow("w.{0}").sampleCount(), 200);
    QCOMPARE(registry.snapshot(), defaultRows("w.", 200, 290, 298, 300, 200.5));
}

void tst_StatRegistry::windowSizeAppliesToNewWindows()
{
    StatRegistry registry;
    registry.setWindowSize(5);
    recordRange(registry, "new.{0}", 1, 50);
    QCOMPARE(registry.sampleWindow("new.{0}").sampleCount(), 5);
    QCOMPARE(registry.snapshot().constLast(), StatEntry({"new.mean", 48.0}));
}

void tst_StatRegistry::largestWindowSize()
{
    QTest::failOnWarning(StatventTest::anyRefusal());
    StatRegistry registry;
    registry.record("w", 1);
    registry.setWindowSize(StatRegistry::MaxWindowSize);
    QCOMPARE(registry.windowSize(), StatRegistry::MaxWindowSize);
    QCOMPARE(registry.sampleWindow("w").sampleCount(), 1);
}

void tst_StatRegistry::invalidWindowSize_data()
{
    QTest::addColumn<int>("size");
    QTest::newRow("zero") << 0;
    QTest::newRow("negative") << -1;
    QTest::newRow("INT_MIN") << std::numeric_limits<int>::min();
    QTest::newRow("above the maximum") << StatRegistry::MaxWindowSize + 1;
    QTest::newRow("INT_MAX") << std::numeric_limits<int>::max();
}

void tst_StatRegistry::invalidWindowSize()
{
    QFETCH(int, size);
    StatRegistry registry;
    recordRange(registry, "w.{0}", 1, 100);
    const Snapshot before = registry.snapshot();
    QSignalSpy spy(&registry, &StatRegistry::windowSizeChanged);

    StatventTest::expectOnce(QRegularExpression(
        u"^ignoring window size %1 - it must be between 1 and %2$"_s.arg(size).arg(
            StatRegistry::MaxWindowSize)));
    registry.setWindowSize(size);
    QCOMPARE(registry.windowSize(), 100);
    QCOMPARE(spy.size(), 0);
    QCOMPARE(registry.snapshot(), before);
}

void tst_StatRegistry::windowSizeThroughPropertySystem()
{
    StatRegistry registry;
    recordRange(registry, "w", 1, 100);
    QSignalSpy spy(&registry, SIGNAL(windowSizeChanged(int)));
    QVERIFY(registry.setProperty("windowSize", 50));
    QCOMPARE(registry.property("windowSize").toInt(), 50);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(registry.sampleWindow("w").sampleCount(), 50);
    QCOMPARE(registry.property("statCount").toInt(), 0);
    QCOMPARE(registry.property("windowCount").toInt(), 1);
}

void tst_StatRegistry::percentiles()
{
    StatRegistry registry;
    registry.setWindowSize(1000);
    recordRange(registry, "latency.{0}", 1, 1000);
    QSignalSpy spy(&registry, &StatRegistry::percentilesChanged);

    const QList<double> percentiles = {1, 2, 3, 50, 99.9};
    registry.setPercentiles(percentiles);
    QCOMPARE(registry.percentiles(), percentiles);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.constFirst().constFirst().value<QList<double>>(), percentiles);
    QCOMPARE(registry.snapshot(),
             Snapshot({{"latency.1st", 10.0},
                       {"latency.2nd", 20.0},
                       {"latency.3rd", 30.0},
                       {"latency.median", 500.0},
                       {"latency.99.9th", 999.0},
                       {"latency.mean", 500.5}}));

    registry.setPercentiles(percentiles); // unchanged: no signal
    QCOMPARE(spy.size(), 1);

    QVERIFY(registry.setProperty("percentiles", QVariant::fromValue(QList<double>{100})));
    QCOMPARE(registry.property("percentiles").value<QList<double>>(), QList<double>{100});
    QCOMPARE(spy.size(), 2);
}

void tst_StatRegistry::invalidPercentiles_data()
{
    QTest::addColumn<QList<double>>("percentiles");
    QTest::addColumn<QString>("shown");

    QTest::newRow("zero") << QList<double>{0} << u"QList(0)"_s;
    QTest::newRow("negative") << QList<double>{50, -1} << u"QList(50, -1)"_s;
    QTest::newRow("above 100") << QList<double>{100.5} << u"QList(100.5)"_s;
    QTest::newRow("NaN") << QList<double>{NaN} << u"QList(nan)"_s;
    QTest::newRow("infinity") << QList<double>{95, Infinity} << u"QList(95, inf)"_s;
}

void tst_StatRegistry::invalidPercentiles()
{
    QFETCH(QList<double>, percentiles);
    QFETCH(QString, shown);

    StatRegistry registry;
    recordRange(registry, "w.{0}", 1, 10);
    const Snapshot before = registry.snapshot();
    QSignalSpy spy(&registry, &StatRegistry::percentilesChanged);

    StatventTest::expectOnce(QRegularExpression(u"^ignoring percentiles "_s
                                                + QRegularExpression::escape(shown)
                                                + u" - each must be in \\(0, 100\\]$"_s));
    registry.setPercentiles(percentiles);
    QCOMPARE(registry.percentiles(), QList<double>({50, 95, 99, 100}));
    QCOMPARE(spy.size(), 0);
    QCOMPARE(registry.snapshot(), before);
}

void tst_StatRegistry::emptyPercentilesLeaveTheMean()
{
    StatRegistry registry;
    recordRange(registry, "w.{0}", 1, 4);
    registry.setPercentiles({});
    QCOMPARE(registry.snapshot(), Snapshot({{"w.mean", 2.5}}));
}

void tst_StatRegistry::defaultFormatterWithoutPlaceholder()
{
    StatRegistry registry;
    recordRange(registry, "plain", 1, 100);
    QCOMPARE(registry.snapshot(), defaultRows("plain.", 50, 95, 99, 100, 50.5));
}

void tst_StatRegistry::customFormatterIsKeptFromCreation()
{
    StatRegistry registry;
    const auto brackets = [](QByteArrayView name, QByteArrayView label) {
        return QByteArray(name.toByteArray() + "[" + label.toByteArray() + "]");
    };
    const auto ignored = [](QByteArrayView, QByteArrayView label) {
        return QByteArray("other." + label.toByteArray());
    };
    registry.record("{0}x", 2, brackets);
    registry.record("{0}x", 4, ignored);
    registry.record("{0}x", 6); // same window: its formatter stays
    registry.sampleWindow("{0}x", ignored).record(8);
    QCOMPARE(registry.windowCount(), 1);
    QCOMPARE(registry.snapshot(),
             Snapshot({{"{0}x[median]", 4.0},
                       {"{0}x[95th]", 6.0},
                       {"{0}x[99th]", 6.0},
                       {"{0}x[100th]", 8.0},
                       {"{0}x[mean]", 5.0}}));
}

void tst_StatRegistry::formatterGivingInvalidNames()
{
    StatRegistry registry;
    const auto breaksMean = [](QByteArrayView name, QByteArrayView label) {
        return label == "mean" ? QByteArray("line\nbreak")
                               : QByteArray(name.toByteArray() + "." + label.toByteArray());
    };
    // Warned when the window is made, once.
    StatventTest::expectOnce(StatventTest::refusal("aggregates"_L1, u"w"_s, "formatter"_L1));
    registry.record("w", 1, breaksMean);
    registry.incr("after");

    const Snapshot expected = {
        {"w.median", 1.0}, {"w.95th", 1.0}, {"w.99th", 1.0}, {"w.100th", 1.0}, {"after", 1}};
    const Snapshot first = registry.snapshot();
    QCOMPARE(first.size(), expected.size());
    for (const StatEntry &entry : expected)
        QVERIFY2(first.contains(entry), entry.name.constData());
    QCOMPARE(registry.snapshot(), first); // and no second warning
}

void tst_StatRegistry::kinds_data()
{
    QTest::addColumn<Operations>("operations");
    QTest::addColumn<StatKind>("kind");

    const auto incr = [](StatValue value) { return qMakePair(QByteArray("incr"), value); };
    const auto set = [](StatValue value) { return qMakePair(QByteArray("set"), value); };
    const auto handle = [](const char *which) { return qMakePair(QByteArray(which), StatValue()); };

    QTest::newRow("incr") << Operations{incr(1)} << StatKind::Counter;
    QTest::newRow("incr by zero") << Operations{incr(0)} << StatKind::Counter;
    QTest::newRow("incr by a real") << Operations{incr(0.5), incr(2)} << StatKind::Counter;
    QTest::newRow("incr past INT64_MAX")
        << Operations{incr(Int64Max), incr(Int64Max)} << StatKind::Counter;
    QTest::newRow("incr by -1") << Operations{incr(5), incr(-1)} << StatKind::Gauge;
    QTest::newRow("incr by -0.5") << Operations{incr(-0.5)} << StatKind::Gauge;
    QTest::newRow("negative incr is for good")
        << Operations{incr(-1), incr(3), incr(3)} << StatKind::Gauge;
    QTest::newRow("set") << Operations{set(3)} << StatKind::Gauge;
    QTest::newRow("set then incr") << Operations{set(0), incr(1)} << StatKind::Gauge;
    QTest::newRow("incr then set") << Operations{incr(1), set(0.5)} << StatKind::Gauge;
    QTest::newRow("counter handle") << Operations{handle("counter")} << StatKind::Counter;
    QTest::newRow("gauge handle") << Operations{handle("gauge")} << StatKind::Gauge;
}

void tst_StatRegistry::kinds()
{
    QFETCH(Operations, operations);
    QFETCH(StatKind, kind);

    StatRegistry registry;
    applyToX(registry, operations);
    recordRange(registry, "w.{0}", 1, 3);
    const Snapshot snapshot = registry.snapshot();
    QCOMPARE(snapshot.size(), 6);
    QCOMPARE(snapshot.constFirst().name, QByteArray("x"));
    QCOMPARE(snapshot.constFirst().kind, kind);
    for (qsizetype row = 1; row < snapshot.size(); ++row)
        QCOMPARE(snapshot[row].kind, StatKind::Window);
}

void tst_StatRegistry::typedRowsAreThePlainRowsBitForBit()
{
    // Reals of every magnitude, whose sum depends on its order: the typed snapshot's mean rows
    // take the histogram's sum, the plain snapshot's make their own, and both must agree.
    StatRegistry registry;
    QRandomGenerator random(21);
    for (int sample = 0; sample < 250; ++sample) {
        const double magnitude = std::pow(10.0, random.generateDouble() * 12 - 4);
        registry.record("mixed.{0}", random.bounded(4) == 0 ? -magnitude : magnitude);
        registry.record("positive.{0}", magnitude);
    }
    const TypedSnapshot typed = registry.typedSnapshot();
    QCOMPARE(typed.stats, registry.snapshot());
    for (const WindowStats &window : typed.windows)
        QCOMPARE(window.sum, window.histogram->sum());
}

void tst_StatRegistry::typedSnapshotDescribesTheWindows()
{
    StatRegistry registry;
    registry.incr("requests", 3);
    recordRange(registry, "latency.{0}", 1, 100);
    registry.set("queue", 7);
    registry.sampleWindow("idle.{0}"); // a window without samples
    registry.record("size[{0}]", 2.5);

    const TypedSnapshot typed = registry.typedSnapshot();
    const Snapshot rows = registry.snapshot();
    QCOMPARE(typed.stats, rows); // the same walk: same rows, same order
    for (qsizetype i = 0; i < rows.size(); ++i)
        QCOMPARE(typed.stats[i].kind, rows[i].kind);
    QCOMPARE(typed.stats.constFirst().kind, StatKind::Counter);
    QCOMPARE(typed.stats[6].name, QByteArray("queue"));
    QCOMPARE(typed.stats[6].kind, StatKind::Gauge);

    const QList<QByteArray> labels = {"median", "95th", "99th", "100th", "mean"};
    QList<double> oneToHundred;
    for (int sample = 1; sample <= 100; ++sample)
        oneToHundred.append(sample);
    const QList<WindowStats> expected = {
        {"latency.{0}", 100, 5050, 1, 5, labels, Histogram::fromSamples(oneToHundred)},
        {"idle.{0}", 0, 0, 7, 0, {}, Histogram()},
        {"size[{0}]", 1, 2.5, 7, 5, labels, Histogram::fromSamples({2.5})},
    };
    QCOMPARE(typed.windows, expected);
    // Each window's histogram holds the samples it holds, nothing else.
    const Histogram &latency = *typed.windows.constFirst().histogram;
    QCOMPARE(latency.count(), 100);
    QCOMPARE(latency.sum(), 5050.0);
    QCOMPARE(latency.max(), 100.0);
    QVERIFY(qAbs(latency.percentile(99) - 99) <= 99 * Histogram::RelativeErrorBound);
    for (const WindowStats &window : typed.windows) {
        for (qsizetype row = window.firstRow; row < window.firstRow + window.rowCount; ++row)
            QCOMPARE(typed.stats[row].kind, StatKind::Window);
    }
    QCOMPARE(typed.stats[5], StatEntry({"latency.mean", 50.5}));

    // What the socket carries reads back as the same snapshot.
    const SnapshotFormat::ParseResult parsed =
        SnapshotFormat::parse(SnapshotFormat::serialize(typed));
    QVERIFY(parsed.complete);
    QCOMPARE(parsed.snapshot, typed);
}

void tst_StatRegistry::typedSnapshotLeavesOutRefusedRowsLabels()
{
    StatRegistry registry;
    const auto breaksMedian = [](QByteArrayView name, QByteArrayView label) {
        return label == "median" ? QByteArray("line\nbreak")
                                 : QByteArray(name.toByteArray() + "." + label.toByteArray());
    };
    StatventTest::expectOnce(StatventTest::refusal("aggregates"_L1, u"w"_s, "formatter"_L1));
    registry.record("w", 4, breaksMedian);
    registry.record("w", 6);

    const TypedSnapshot typed = registry.typedSnapshot();
    QCOMPARE(typed.windows.size(), 1);
    const WindowStats &window = typed.windows.constFirst();
    QCOMPARE(window.rowCount, 4);
    QCOMPARE(window.labels, QList<QByteArray>({"95th", "99th", "100th", "mean"}));
    QCOMPARE(typed.stats[window.firstRow].name, QByteArray("w.95th"));
    QVERIFY(SnapshotFormat::parse(SnapshotFormat::serialize(typed)).complete);
}

void tst_StatRegistry::textsAreTheSerializedSnapshots_data()
{
    // snapshotText() and typedSnapshotText() write their texts from the cells; the formats'
    // serialize() from the snapshots. Each row is a registry whose texts would differ if the
    // two took any rule differently.
    QTest::addColumn<Filler>("fill");
    QTest::newRow("empty") << Filler([](StatRegistry &) {});
    QTest::newRow("every kind, integers and reals") << Filler([](StatRegistry &registry) {
        registry.incr("requests", 41);
        registry.incr("bytes", 0.5);
        registry.set("queue", Int64Min);
        registry.set("level", -0.1);
        registry.set("huge", 1.7976931348623157e308);
    });
    QTest::newRow("windows between statistics, of every sign")
        << Filler([](StatRegistry &registry) {
               QRandomGenerator random(7);
               registry.incr("before");
               for (int sample = 0; sample < 250; ++sample) {
                   const double magnitude = std::pow(10.0, random.generateDouble() * 16 - 6);
                   registry.record("mixed.{0}", random.bounded(3) == 0 ? -magnitude : magnitude);
                   registry.record("zeros.{0}", random.bounded(2) ? 0.0 : magnitude);
               }
               registry.set("between", 2);
               registry.record("subnormal.{0}", 4.9e-324);
               registry.incr("after");
           });
    QTest::newRow("an empty window") << Filler([](StatRegistry &registry) {
        registry.sampleWindow("idle.{0}");
        registry.incr("after");
    });
    QTest::newRow("saturated sum") << Filler([](StatRegistry &registry) {
        registry.record("far", 1.7976931348623157e308);
        registry.record("far", 1.7976931348623157e308);
    });
    QTest::newRow("refused row names, other percentiles") << Filler([](StatRegistry &registry) {
        const auto breaksMedian = [](QByteArrayView name, QByteArrayView label) {
            return label == "median" ? QByteArray("line\nbreak")
                                     : QByteArray(name.toByteArray() + "." + label.toByteArray());
        };
        StatventTest::expectOnce(StatventTest::refusal("aggregates"_L1, u"w"_s, "formatter"_L1));
        registry.record("w", 4, breaksMedian);
        registry.setPercentiles({12.5, 50, 99.9});
        registry.record("v.{0}", 3);
    });
    QTest::newRow("longer than the first buffer") << Filler([](StatRegistry &registry) {
        for (int i = 0; i < 40; ++i) {
            registry.incr(QByteArray(PipeFormat::MaxNameLength - 4, 'a' + char(i % 26))
                          + QByteArray::number(1000 + i));
            registry.record("w" + QByteArray::number(i) + ".{0}", i);
        }
    });
}

void tst_StatRegistry::textsAreTheSerializedSnapshots()
{
    QFETCH(Filler, fill);
    StatRegistry registry;
    fill(registry);
    const QByteArray text = registry.typedSnapshotText();
    QCOMPARE(text, SnapshotFormat::serialize(registry.typedSnapshot()));
    QVERIFY(SnapshotFormat::parse(text).complete);
    const QByteArray pipeText = registry.snapshotText();
    QCOMPARE(pipeText, PipeFormat::serialize(registry.snapshot()));
    QCOMPARE(PipeFormat::parse(pipeText).rejectedLines, 0);
}

void tst_StatRegistry::typedWindowSumsStayFinite_data()
{
    QTest::addColumn<double>("sample");
    constexpr double Largest = std::numeric_limits<double>::max();
    QTest::newRow("above the largest double") << Largest;
    QTest::newRow("below the lowest double") << -Largest;
}

void tst_StatRegistry::typedWindowSumsStayFinite()
{
    QFETCH(double, sample);
    StatRegistry registry;
    registry.record("w.{0}", sample);
    registry.record("w.{0}", sample);

    const TypedSnapshot typed = registry.typedSnapshot();
    QCOMPARE(typed.windows.size(), 1);
    QCOMPARE(typed.windows.constFirst().count, 2);
    QCOMPARE(typed.windows.constFirst().sum, sample); // saturated: the format carries no infinity
    QCOMPARE(typed.stats.constLast(), StatEntry({"w.mean", sample}));
    const SnapshotFormat::ParseResult parsed =
        SnapshotFormat::parse(SnapshotFormat::serialize(typed));
    QVERIFY(parsed.complete);
    QCOMPARE(parsed.rejectedLines, 0);
    QCOMPARE(parsed.snapshot, typed);
}

void tst_StatRegistry::realSumsSaturate_data()
{
    QTest::addColumn<double>("step");
    QTest::addColumn<bool>("throughHandle");

    for (const bool throughHandle : {false, true}) {
        const char *path = throughHandle ? "handle" : "name";
        QTest::addRow("+1e308, %s", path) << 1e308 << throughHandle;
        QTest::addRow("-1e308, %s", path) << -1e308 << throughHandle;
    }
}

void tst_StatRegistry::realSumsSaturate()
{
    QFETCH(double, step);
    QFETCH(bool, throughHandle);

    StatRegistry registry;
    const Statvent::Counter counter = registry.counter("huge");
    StatventTest::expectOnce(
        QRegularExpression(u"^saturating \"huge\": its sum is beyond the largest finite double"_s));
    for (int i = 0; i < 4; ++i) {
        if (throughHandle)
            counter.incr(step);
        else
            registry.incr("huge", step);
    }
    const double limit = std::copysign(std::numeric_limits<double>::max(), step);
    QCOMPARE(registry.value("huge"), StatValue(limit));
    // The stat stays readable: the pipe text has a finite number that every reader accepts.
    const PipeFormat::ParseResult parsed = PipeFormat::parse(registry.snapshotText());
    QCOMPARE(parsed.rejectedLines, 0);
    QCOMPARE(parsed.stats, Snapshot({{"huge", limit}}));
    // Saturated, not stuck: adding the other way comes back from the limit.
    registry.incr("huge", -step);
    QCOMPARE(registry.value("huge"), StatValue(limit - step));
}

void tst_StatRegistry::nameCollisions_data()
{
    QTest::addColumn<QByteArrayList>("order"); // "plain" or a window's name, first one made first
    QTest::addColumn<QByteArray>("refused");
    QTest::addColumn<QByteArray>("operation");
    QTest::addColumn<QString>("shownReason");

    QTest::newRow("plain after window")
        << QByteArrayList{"lat2.{0}", "plain"} << QByteArray("lat2.median") << QByteArray("set")
        << u"a sample window already reports a row of that name"_s;
    QTest::newRow("window after plain")
        << QByteArrayList{"plain", "lat2.{0}"} << QByteArray("lat2.{0}") << QByteArray("record")
        << u"its row \"lat2.median\" would repeat"_s;
    QTest::newRow("window after window")
        << QByteArrayList{"lat2.{0}", "lat2"} << QByteArray("lat2") << QByteArray("record")
        << u"its row \"lat2.median\" would repeat"_s;
}

void tst_StatRegistry::nameCollisions()
{
    QFETCH(QByteArrayList, order);
    QFETCH(QByteArray, refused);
    QFETCH(QByteArray, operation);
    QFETCH(QString, shownReason);

    StatRegistry registry;
    StatventTest::expectOnce(
        QRegularExpression(u"^ignoring "_s + QString::fromLatin1(operation) + u" of \""_s
                           + QRegularExpression::escape(QString::fromUtf8(refused)) + u"\": "_s
                           + QRegularExpression::escape(shownReason)));
    for (int call = 0; call < 3; ++call) { // warned once
        for (const QByteArray &what : order) {
            if (what == "plain")
                registry.set("lat2.median", 7);
            else
                registry.record(what, 1);
        }
    }
    // The first one made keeps the name; the pipe text never repeats a name.
    const Snapshot snapshot = registry.snapshot();
    QSet<QByteArray> names;
    for (const StatEntry &entry : snapshot) {
        QVERIFY2(!names.contains(entry.name), entry.name.constData());
        names.insert(entry.name);
    }
    QCOMPARE(registry.statCount() + registry.windowCount(), 1);
    if (order.constFirst() == "plain")
        QCOMPARE(snapshot, Snapshot({{"lat2.median", 7}}));
    else
        QCOMPARE(snapshot, defaultRows("lat2.", 1, 1, 1, 1, 1));
}

void tst_StatRegistry::percentilesThatRenameRowsOntoTakenNames()
{
    StatRegistry registry;
    recordRange(registry, "a.{0}", 1, 10);
    registry.set("a.90th", 5); // free while the percentiles are the defaults
    recordRange(registry, "b.{0}", 1, 10);
    StatventTest::expectOnce(
        QRegularExpression(u"^ignoring aggregates of \"a\\.90th\": another statistic"_s));
    registry.setPercentiles({90});
    // a's 90th row would repeat the plain stat: left out; everything else is reported.
    QCOMPARE(registry.snapshot(),
             Snapshot({{"a.mean", 5.5}, {"a.90th", 5}, {"b.90th", 9.0}, {"b.mean", 5.5}}));
    // The renamed rows are taken now: a plain stat cannot have b's new row name.
    StatventTest::expectOnce(StatventTest::refusal("set"_L1, u"b.90th"_s, "sample window"_L1));
    registry.set("b.90th", 1);
    QCOMPARE(registry.statCount(), 1);
    // Back to the defaults: both windows report their rows again.
    registry.setPercentiles({50});
    QCOMPARE(registry.snapshot().size(), 5);
}

void tst_StatRegistry::badNames_data()
{
    QTest::addColumn<QByteArray>("operation");
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QString>("shown");
    QTest::addColumn<QByteArray>("reason");

    struct BadName
    {
        const char *row;
        QByteArray name;
        QString shown;
        QByteArray reason;
    };
    const QByteArray tooLong(PipeFormat::MaxNameLength + 1, 'n');
    const QList<BadName> names = {
        {"empty", QByteArray(), QString(), "the name is empty"},
        {"LF", "a\nb", u"a\\nb"_s, "line break"},
        {"trailing LF", "name\n", u"name\\n"_s, "line break"},
        {"CR", "a\rb", u"a\\rb"_s, "line break"},
        {"4097 bytes", tooLong, QString(200, u'n'), "longer than 4096 bytes"},
    };
    for (const char *operation : {"incr", "set", "record", "counter", "gauge", "sampleWindow"}) {
        for (const BadName &bad : names)
            QTest::addRow("%s, %s", operation, bad.row)
                << QByteArray(operation) << bad.name << bad.shown << bad.reason;
    }
}

void tst_StatRegistry::badNames()
{
    QFETCH(QByteArray, operation);
    QFETCH(QByteArray, name);
    QFETCH(QString, shown);
    QFETCH(QByteArray, reason);

    StatRegistry registry;
    registry.incr("existing", 5);
    recordRange(registry, "window", 1, 3);
    const Snapshot before = registry.snapshot();

    // Warned once per name, however often it is used.
    StatventTest::expectOnce(
        StatventTest::refusal(QLatin1StringView(operation), shown, QLatin1StringView(reason)));
    for (int call = 0; call < 3; ++call) {
        if (operation == "incr") {
            registry.incr(name, 1);
        } else if (operation == "set") {
            registry.set(name, 1);
        } else if (operation == "record") {
            registry.record(name, 1);
        } else if (operation == "counter") {
            const Statvent::Counter counter = registry.counter(name);
            QVERIFY(!counter.isValid());
            counter.incr(); // an invalid handle ignores every call
            QCOMPARE(counter.value(), StatValue());
        } else if (operation == "gauge") {
            const Statvent::Gauge gauge = registry.gauge(name);
            QVERIFY(!gauge.isValid());
            gauge.set(1);
            QCOMPARE(gauge.value(), StatValue());
        } else {
            const Statvent::SampleWindow window = registry.sampleWindow(name);
            QVERIFY(!window.isValid());
            window.record(1);
            QCOMPARE(window.sampleCount(), 0);
        }
    }
    // Nothing changed.
    QCOMPARE(registry.statCount(), 1);
    QCOMPARE(registry.windowCount(), 1);
    QCOMPARE(registry.snapshot(), before);
    QCOMPARE(registry.value(name), std::nullopt);

    // Another bad name gets its own warning; the registry still works for good names.
    StatventTest::expectOnce(StatventTest::refusal("incr"_L1, u"other\\n"_s, "line break"_L1));
    registry.incr("other\n");
    registry.incr("existing");
    QCOMPARE(registry.value("existing"), StatValue(6));
}

void tst_StatRegistry::nonFiniteValues_data()
{
    QTest::addColumn<QByteArray>("operation");
    QTest::addColumn<double>("value");
    QTest::addColumn<bool>("exists");

    for (const char *operation : {"incr", "set", "record"}) {
        for (const bool exists : {true, false}) {
            const char *state = exists ? "existing" : "missing";
            QTest::addRow("%s NaN, %s", operation, state) << QByteArray(operation) << NaN << exists;
            QTest::addRow("%s +inf, %s", operation, state)
                << QByteArray(operation) << Infinity << exists;
            QTest::addRow("%s -inf, %s", operation, state)
                << QByteArray(operation) << -Infinity << exists;
        }
    }
}

void tst_StatRegistry::nonFiniteValues()
{
    QFETCH(QByteArray, operation);
    QFETCH(double, value);
    QFETCH(bool, exists);

    StatRegistry registry;
    if (exists) {
        registry.set("stat", 5);
        registry.record("stat", 2);
    }
    const Snapshot before = registry.snapshot();

    StatventTest::expectOnce(
        StatventTest::refusal(QLatin1StringView(operation), u"stat"_s, "not a finite number"_L1));
    for (int call = 0; call < 3; ++call) {
        if (operation == "incr")
            registry.incr("stat", value);
        else if (operation == "set")
            registry.set("stat", value);
        else
            registry.record("stat", value);
    }
    QCOMPARE(registry.snapshot(), before);
    QCOMPARE(registry.statCount(), exists ? 1 : 0);
    QCOMPARE(registry.windowCount(), exists ? 1 : 0);
}

void tst_StatRegistry::warningsAreBounded()
{
    // A flood of distinct bad names must not flood the log nor grow memory without bound.
    StatRegistry registry;
    const QRegularExpression refused(u"^ignoring incr of \"bad \\d+\\\\n\": "_s);
    for (int i = 0; i < 1024; ++i)
        QTest::ignoreMessage(QtWarningMsg, refused);
    StatventTest::expectOnce(
        QRegularExpression(u"^more than 1024 statistics were refused; not reporting any more$"_s));
    QTest::failOnWarning(refused);
    for (int i = 0; i < 2000; ++i)
        registry.incr(QByteArray("bad " + QByteArray::number(i) + "\n"));
    QCOMPARE(registry.statCount(), 0);
}

void tst_StatRegistry::incrFromManyThreads()
{
    // The original lost increments here (its weakness 1).
    StatRegistry registry;
    registry.incr("shared", 0);
    runThreads(25, [&registry](int) {
        for (int i = 0; i < 5000; ++i)
            registry.incr("shared");
    });
    QCOMPARE(registry.value("shared"), StatValue(125000));
}

void tst_StatRegistry::sameNewNamesFromManyThreads()
{
    // Every thread races to create the same new names: each must be created exactly once.
    StatRegistry registry;
    constexpr int Threads = 8;
    constexpr int Names = 1000;
    runThreads(Threads, [&registry](int) {
        for (int i = 0; i < Names; ++i) {
            registry.incr(QByteArray("n" + QByteArray::number(i)));
            registry.record(QByteArray("w" + QByteArray::number(i)), i);
        }
    });
    QCOMPARE(registry.statCount(), Names);
    QCOMPARE(registry.windowCount(), Names);
    for (int i = 0; i < Names; ++i) {
        const QByteArray name = "n" + QByteArray::number(i);
        QCOMPARE(registry.value(name), StatValue(Threads));
        QCOMPARE(registry.sampleWindow(QByteArray("w" + QByteArray::number(i))).sampleCount(),
                 Threads);
    }
}

void tst_StatRegistry::snapshotWhileNamesAreCreated()
{
    // The original's recorder died when a stat was created during a read (its weakness 15).
    StatRegistry registry;
    constexpr int Writers = 3;
    constexpr int NamesPerWriter = 3000;
    std::atomic<int> writersLeft = Writers;
    std::thread writers([&] {
        runThreads(Writers, [&](int thread) {
            for (int i = 0; i < NamesPerWriter; ++i) {
                if (i % 10 == 9)
                    registry.record(QByteArray(windowName(thread, i) + "{0}"), i);
                else
                    registry.incr(counterName(thread, i), i + 1);
            }
            writersLeft.fetch_sub(1);
        });
    });

    QByteArray firstProblem;
    int snapshots = 0;
    qsizetype previousSize = 0;
    while (writersLeft.load() > 0 || snapshots == 0) {
        const Snapshot snapshot = registry.snapshot();
        ++snapshots;
        if (firstProblem.isEmpty() && snapshot.size() < previousSize)
            firstProblem = "a snapshot lost rows";
        previousSize = snapshot.size();
        if (firstProblem.isEmpty())
            firstProblem = inconsistency(snapshot, Writers);
        if (firstProblem.isEmpty() && snapshots % 16 == 0
            && PipeFormat::parse(registry.snapshotText()).rejectedLines)
            firstProblem = "snapshotText() gave unreadable lines";
    }
    writers.join();

    QVERIFY2(firstProblem.isEmpty(), firstProblem.constData());
    qInfo("%d snapshots taken while writing", snapshots);
    const Snapshot last = registry.snapshot();
    QCOMPARE(inconsistency(last, Writers), QByteArray());
    QCOMPARE(registry.statCount(), Writers * NamesPerWriter * 9 / 10);
    QCOMPARE(registry.windowCount(), Writers * NamesPerWriter / 10);
    QCOMPARE(last.size(), registry.statCount() + registry.windowCount() * 5);
    for (const StatEntry &entry : last) {
        if (entry.name.contains(".c"))
            QVERIFY2(entry.value != StatValue(0), entry.name.constData());
    }
}

void tst_StatRegistry::resizeWhileRecording()
{
    // Windows move to new rings while other threads record into them and snapshots read them.
    StatRegistry registry;
    constexpr int Windows = 20;
    std::atomic<bool> stop = false;
    std::atomic<int> recorded = 0;
    std::thread recorders([&] {
        runThreads(2, [&](int thread) {
            const Statvent::SampleWindow handle = registry.sampleWindow("handle.{0}");
            for (int i = 0; !stop.load(std::memory_order_relaxed); ++i) {
                registry.record(QByteArray("w" + QByteArray::number(i % Windows)), 1 + i % 1000);
                handle.record(thread + 1);
                recorded.fetch_add(1, std::memory_order_relaxed);
            }
        });
    });

    bool samplesInRange = true;
    // At least 200 resizes, and on until the recorders have been busy through a good part of them.
    for (int round = 0; round < 200 || recorded.load(std::memory_order_relaxed) < 100000; ++round) {
        registry.setWindowSize(round % 2 ? 1000 : 10);
        for (const StatEntry &entry : registry.snapshot())
            samplesInRange =
                samplesInRange && entry.value.toReal() >= 1 && entry.value.toReal() <= 1000;
    }
    registry.setWindowSize(50);
    stop.store(true);
    recorders.join();

    QVERIFY(samplesInRange);
    for (int i = 0; i < Windows; ++i) {
        const QByteArray name = "w" + QByteArray::number(i);
        QVERIFY(registry.sampleWindow(name).sampleCount() <= 50);
        recordRange(registry, name, 1, 50);
        QCOMPARE(registry.sampleWindow(name).sampleCount(), 50);
    }
    const Snapshot snapshot = registry.snapshot();
    QCOMPARE(snapshot.size(), (Windows + 1) * 5);
    QCOMPARE(snapshot.mid(5, 5), defaultRows("w0.", 25, 47, 49, 50, 25.5));
}

void tst_StatRegistry::snapshotsNeverTearAValue()
{
    // A counter oscillating by +-2 around INT64_MAX: every read must be a value the cell held
    // (near 2^63), never the integer part wrapped without the real part that balances it.
    StatRegistry registry;
    registry.set("edge", Int64Max - 1);
    std::atomic<bool> started = false;
    std::atomic<bool> stop = false;
    std::thread oscillator([&] {
        const Statvent::Counter counter = registry.counter("edge");
        while (!stop.load(std::memory_order_relaxed)) {
            counter.incr(2);
            counter.incr(-2);
            started.store(true, std::memory_order_relaxed);
        }
    });
    while (!started.load(std::memory_order_relaxed))
        std::this_thread::yield();
    int torn = 0;
    for (int read = 0; read < 1000000; ++read) {
        // Mostly value(), which reads more often; every 100th read through a snapshot.
        const double value = read % 100 ? registry.value("edge")->toReal()
                                        : registry.snapshot().constFirst().value.toReal();
        if (value < 9.2e18 || value > 9.3e18)
            ++torn;
    }
    stop.store(true);
    oscillator.join();
    QCOMPARE(torn, 0);
    QVERIFY(registry.value("edge")->toReal() > 9.2e18);
}

void tst_StatRegistry::setRacingRealIncrLosesNothing()
{
    // One thread sets the gauge to an integer again and again; another adds 1.0 just as often.
    // Each read is what the updates leave in some order: a set value (an integer) plus the real
    // adds after it, so never below the last value set and always a real once one landed after.
    StatRegistry registry;
    constexpr int Rounds = 20000;
    std::atomic<int> lastSet = 0;
    std::thread setter([&] {
        for (int i = 1; i <= Rounds; ++i) {
            registry.set("g", i * 1000);
            lastSet.store(i * 1000, std::memory_order_release);
        }
    });
    std::thread adder([&] {
        for (int i = 0; i < Rounds; ++i)
            registry.incr("g", 1.0);
    });
    setter.join();
    adder.join();
    const StatValue last = *registry.value("g");
    // After the last set, between 0 and Rounds adds of 1.0 landed; each one counts exactly.
    const double extra = last.toReal() - lastSet.load();
    QVERIFY2(extra >= 0 && extra <= Rounds && extra == std::floor(extra),
             qPrintable(QString::number(extra)));
    QCOMPARE(last.isReal(), extra > 0);
    registry.incr("g", 0.5);
    QCOMPARE(registry.value("g"), StatValue(last.toReal() + 0.5));
}

QTEST_GUILESS_MAIN(tst_StatRegistry)

#include "tst_statregistry.moc"

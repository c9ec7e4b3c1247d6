// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// StatCombiner: how statvent-web combines each statistic across processes.

#include <statventweb/statcombiner.h>

#include <QTest>

#include <limits>

using namespace Statvent;
using namespace StatventWeb;
using Mode = StatCombiner::Mode;

namespace {

constexpr qint64 Int64Max = std::numeric_limits<qint64>::max();

QList<ProcessStats> processes(const QList<Snapshot> &snapshots)
{
    QList<ProcessStats> list;
    qint64 pid = 100;
    for (const Snapshot &stats : snapshots) {
        ProcessStats process;
        process.pid = pid++;
        process.stats = stats;
        list.append(process);
    }
    return list;
}

} // namespace

class tst_StatCombiner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void combine_data();
    void combine();
    void namesKeepTheOrderTheyAreFirstMet();
    void noProcesses();
    void kinds_data();
    void kinds();
    void modeNames_data();
    void modeNames();
};

void tst_StatCombiner::combine_data()
{
    QTest::addColumn<QList<Snapshot>>("input");
    QTest::addColumn<Mode>("mode");
    QTest::addColumn<StatValue>("expected");

    const QList<Snapshot> ints{{{"x", 2}}, {{"x", 7}}, {{"x", -3}}};
    QTest::newRow("sum of ints") << ints << Mode::Sum << StatValue(6);
    QTest::newRow("max of ints") << ints << Mode::Max << StatValue(7);
    QTest::newRow("min of ints") << ints << Mode::Min << StatValue(-3);
    QTest::newRow("avg of ints is a real") << ints << Mode::Avg << StatValue(2.0);

    QTest::newRow("sum stays exact at the limit")
        << QList<Snapshot>{{{"x", Int64Max - 1}}, {{"x", 1}}} << Mode::Sum << StatValue(Int64Max);
    QTest::newRow("sum overflowing becomes a real")
        << QList<Snapshot>{{{"x", Int64Max}}, {{"x", Int64Max}}} << Mode::Sum
        << StatValue(2.0 * double(Int64Max));
    QTest::newRow("int plus real is a real")
        << QList<Snapshot>{{{"x", 1}}, {{"x", 0.5}}} << Mode::Sum << StatValue(1.5);

    const QList<Snapshot> mixed{{{"x", 3}}, {{"x", 2.5}}, {{"x", 10}}};
    QTest::newRow("max keeps an int") << mixed << Mode::Max << StatValue(10);
    QTest::newRow("min keeps a real") << mixed << Mode::Min << StatValue(2.5);
    QTest::newRow("max of equal int and real keeps the first")
        << QList<Snapshot>{{{"x", 5}}, {{"x", 5.0}}} << Mode::Max << StatValue(5);

    // Percentiles: max is the honest cross-process 100th; a sum of them means nothing.
    const QList<Snapshot> percentiles{{{"latency.100th", 40.0}}, {{"latency.100th", 90.0}}};
    QTest::newRow("max of 100th") << percentiles << Mode::Max << StatValue(90.0);
    QTest::newRow("avg of huge ints") << QList<Snapshot>{{{"x", Int64Max}}, {{"x", Int64Max}}}
                                      << Mode::Avg << StatValue(double(Int64Max));
    QTest::newRow("one process") << QList<Snapshot>{{{"x", 4}}} << Mode::Avg << StatValue(4.0);

    // An intermediate sum beyond qint64 must not make an exactly representable total a real.
    const QList<Snapshot> overAndBack{{{"x", Int64Max}}, {{"x", 1}}, {{"x", -1}}};
    QTest::newRow("sum over the limit and back is exact")
        << overAndBack << Mode::Sum << StatValue(Int64Max);
    QTest::newRow("avg over the limit and back divides the exact sum")
        << overAndBack << Mode::Avg << StatValue(double(Int64Max) / 3);
    constexpr qint64 Int64Min = std::numeric_limits<qint64>::min();
    QTest::newRow("sum under the limit and back is exact")
        << QList<Snapshot>{{{"x", Int64Min}}, {{"x", -1}}, {{"x", 2}}} << Mode::Sum
        << StatValue(Int64Min + 1);
    QTest::newRow("sum at the lower limit")
        << QList<Snapshot>{{{"x", Int64Min + 1}}, {{"x", -1}}} << Mode::Sum << StatValue(Int64Min);
    QTest::newRow("sum of many at the limit, converted once") << QList<Snapshot>{{{"x", Int64Max}},
                                                                                 {{"x", Int64Max}},
                                                                                 {{"x", Int64Max}},
                                                                                 {{"x", -Int64Max}},
                                                                                 {{"x", -Int64Max}}}
                                                              << Mode::Sum << StatValue(Int64Max);
    QTest::newRow("real with an overflowing integer sum")
        << QList<Snapshot>{{{"x", Int64Max}}, {{"x", 0.5}}, {{"x", Int64Max}}} << Mode::Sum
        << StatValue(2.0 * double(Int64Max) + 0.5);
}

void tst_StatCombiner::combine()
{
    QFETCH(QList<Snapshot>, input);
    QFETCH(Mode, mode);
    QFETCH(StatValue, expected);

    const Snapshot combined = StatCombiner::combine(processes(input), mode);
    QCOMPARE(combined.size(), 1);
    QCOMPARE(combined.first().name, QByteArray(input.first().first().name));
    QCOMPARE(combined.first().value, expected);
}

void tst_StatCombiner::namesKeepTheOrderTheyAreFirstMet()
{
    // avg divides by the processes that report a statistic, not by all of them.
    const Snapshot combined = StatCombiner::combine(
        processes({{{"b", 1}, {"a", 2}}, {{"c", 3}, {"a", 4}}, {{"b", 5}}}), Mode::Avg);
    QCOMPARE(combined, (Snapshot{{"b", 3.0}, {"a", 3.0}, {"c", 3.0}}));
}

void tst_StatCombiner::noProcesses()
{
    QVERIFY(StatCombiner::combine({}, Mode::Sum).isEmpty());
}

void tst_StatCombiner::kinds_data()
{
    QTest::addColumn<QList<StatKind>>("kinds");
    QTest::addColumn<Mode>("mode");
    QTest::addColumn<StatKind>("expected");

    QTest::newRow("counters summed")
        << QList<StatKind>{StatKind::Counter, StatKind::Counter} << Mode::Sum << StatKind::Counter;
    QTest::newRow("one counter") << QList<StatKind>{StatKind::Counter} << Mode::Sum
                                 << StatKind::Counter;
    QTest::newRow("largest of counters")
        << QList<StatKind>{StatKind::Counter, StatKind::Counter} << Mode::Max << StatKind::Gauge;
    QTest::newRow("mean of counters")
        << QList<StatKind>{StatKind::Counter} << Mode::Avg << StatKind::Gauge;
    QTest::newRow("counter and gauge")
        << QList<StatKind>{StatKind::Counter, StatKind::Gauge} << Mode::Sum << StatKind::Gauge;
    QTest::newRow("gauge and counter")
        << QList<StatKind>{StatKind::Gauge, StatKind::Counter} << Mode::Sum << StatKind::Gauge;
    QTest::newRow("gauges") << QList<StatKind>{StatKind::Gauge, StatKind::Gauge} << Mode::Min
                            << StatKind::Gauge;
    QTest::newRow("counter and untyped")
        << QList<StatKind>{StatKind::Counter, StatKind::Untyped} << Mode::Sum << StatKind::Untyped;
    QTest::newRow("untyped and gauge")
        << QList<StatKind>{StatKind::Untyped, StatKind::Gauge} << Mode::Sum << StatKind::Untyped;
    QTest::newRow("window rows") << QList<StatKind>{StatKind::Window, StatKind::Window} << Mode::Max
                                 << StatKind::Window;
    QTest::newRow("window row and gauge")
        << QList<StatKind>{StatKind::Window, StatKind::Gauge} << Mode::Sum << StatKind::Untyped;
}

void tst_StatCombiner::kinds()
{
    QFETCH(QList<StatKind>, kinds);
    QFETCH(Mode, mode);
    QFETCH(StatKind, expected);

    QList<Snapshot> input;
    for (StatKind kind : kinds)
        input.append(Snapshot{StatEntry{"x", 1, kind}});
    const Snapshot combined = StatCombiner::combine(processes(input), mode);
    QCOMPARE(combined.size(), 1);
    QCOMPARE(combined.first().kind, expected);
}

void tst_StatCombiner::modeNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::newRow("sum") << QStringLiteral("sum") << true;
    QTest::newRow("max") << QStringLiteral("max") << true;
    QTest::newRow("min") << QStringLiteral("min") << true;
    QTest::newRow("avg") << QStringLiteral("avg") << true;
    QTest::newRow("median") << QStringLiteral("median") << false;
    QTest::newRow("upper case") << QStringLiteral("SUM") << false;
    QTest::newRow("empty") << QString() << false;
}

void tst_StatCombiner::modeNames()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    const std::optional<Mode> mode = StatCombiner::modeFromName(name);
    QCOMPARE(mode.has_value(), valid);
    if (valid)
        QCOMPARE(QString(StatCombiner::name(*mode)), name);
}

QTEST_GUILESS_MAIN(tst_StatCombiner)
#include "tst_statcombiner.moc"

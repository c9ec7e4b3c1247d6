// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statventtest.h"

#include <statvent/counter.h>
#include <statvent/statregistry.h>

#include <QTest>

#include <limits>
#include <thread>

using Statvent::Counter;
using Statvent::Snapshot;
using Statvent::StatRegistry;
using Statvent::StatValue;
using namespace Qt::StringLiterals;

class tst_Counter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sameStatisticAsTheName();
    void copiesShareTheStatistic();
    void promotion();
    void defaultHandleIgnoresCalls();
    void badNameGivesInvalidHandle();
    void nonFiniteValues_data();
    void nonFiniteValues();
    void twoThreadsLoseNothing();
};

void tst_Counter::sameStatisticAsTheName()
{
    StatRegistry registry;
    const Counter counter = registry.counter("requests");
    QVERIFY(counter.isValid());
    QCOMPARE(registry.statCount(), 1); // obtaining a handle creates the statistic, at 0
    QCOMPARE(registry.value("requests"), StatValue(0));

    counter.incr();
    registry.incr("requests", 2);
    counter.incr(10);
    QCOMPARE(counter.value(), StatValue(13));
    QCOMPARE(registry.value("requests"), StatValue(13));
    QCOMPARE(registry.counter(u"requests"_s).value(), StatValue(13));
    QCOMPARE(registry.snapshot(), Snapshot({{"requests", 13}}));

    registry.set("requests", 1);
    QCOMPARE(counter.value(), StatValue(1));
}

void tst_Counter::copiesShareTheStatistic()
{
    StatRegistry registry;
    const Counter counter = registry.counter("x");
    Counter copy = counter;
    copy.incr();
    Counter assigned;
    assigned = counter;
    assigned.incr();
    QCOMPARE(counter.value(), StatValue(2));
    QCOMPARE(registry.statCount(), 1);
}

void tst_Counter::promotion()
{
    StatRegistry registry;
    const Counter counter = registry.counter("x");
    counter.incr(std::numeric_limits<qint64>::max());
    QCOMPARE(counter.value(), StatValue(std::numeric_limits<qint64>::max()));
    counter.incr(); // would wrap to INT64_MIN: becomes the real 2^63 instead
    QCOMPARE(counter.value(), StatValue(9223372036854775808.0));

    const Counter other = registry.counter("y");
    other.incr(2);
    other.incr(0.5);
    other.incr(1);
    QCOMPARE(other.value(), StatValue(3.5));
}

void tst_Counter::defaultHandleIgnoresCalls()
{
    QTest::failOnWarning(StatventTest::anyRefusal());
    const Counter counter;
    QVERIFY(!counter.isValid());
    counter.incr();
    counter.incr(std::numeric_limits<double>::quiet_NaN()); // nothing to warn about: no statistic
    QCOMPARE(counter.value(), StatValue());
}

void tst_Counter::badNameGivesInvalidHandle()
{
    StatRegistry registry;
    StatventTest::expectOnce(StatventTest::refusal("counter"_L1, u"a\\nb"_s, "line break"_L1));
    const Counter counter = registry.counter("a\nb");
    QVERIFY(!counter.isValid());
    counter.incr();
    QCOMPARE(counter.value(), StatValue());
    QCOMPARE(registry.statCount(), 0);
    QVERIFY(!registry.counter("a\nb").isValid()); // warned once per name
}

void tst_Counter::nonFiniteValues_data()
{
    StatventTest::addNonFiniteValueRows();
}

void tst_Counter::nonFiniteValues()
{
    QFETCH(double, value);
    StatRegistry registry;
    const Counter counter = registry.counter("hits");
    counter.incr(4);

    StatventTest::expectOnce(StatventTest::refusal("incr"_L1, u"hits"_s, "not a finite number"_L1));
    for (int call = 0; call < 3; ++call)
        counter.incr(value);
    QCOMPARE(counter.value(), StatValue(4));
    QCOMPARE(registry.snapshot(), Snapshot({{"hits", 4}}));
}

void tst_Counter::twoThreadsLoseNothing()
{
    StatRegistry registry;
    const Counter counter = registry.counter("shared");
    constexpr int PerThread = 1000000;
    auto work = [counter] {
        for (int i = 0; i < PerThread; ++i)
            counter.incr();
    };
    std::thread first(work);
    std::thread second(work);
    first.join();
    second.join();
    QCOMPARE(counter.value(), StatValue(2 * PerThread));
}

QTEST_GUILESS_MAIN(tst_Counter)

#include "tst_counter.moc"

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statventtest.h"

#include <statvent/gauge.h>
#include <statvent/statregistry.h>

#include <QTest>

#include <limits>

using Statvent::Gauge;
using Statvent::Snapshot;
using Statvent::StatRegistry;
using Statvent::StatValue;
using namespace Qt::StringLiterals;

class tst_Gauge : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sameStatisticAsTheName();
    void setReplacesValueAndType_data();
    void setReplacesValueAndType();
    void defaultHandleIgnoresCalls();
    void badNameGivesInvalidHandle();
    void nonFiniteValues_data();
    void nonFiniteValues();
};

void tst_Gauge::sameStatisticAsTheName()
{
    StatRegistry registry;
    const Gauge gauge = registry.gauge("queue.length");
    QVERIFY(gauge.isValid());
    QCOMPARE(registry.value("queue.length"), StatValue(0));

    gauge.set(7);
    QCOMPARE(registry.value("queue.length"), StatValue(7));
    registry.set("queue.length", 3);
    QCOMPARE(gauge.value(), StatValue(3));
    registry.incr("queue.length");
    QCOMPARE(gauge.value(), StatValue(4));
    QCOMPARE(registry.gauge(u"queue.length"_s).value(), StatValue(4));
    QCOMPARE(registry.counter("queue.length").value(), StatValue(4));
    QCOMPARE(registry.statCount(), 1);
}

void tst_Gauge::setReplacesValueAndType_data()
{
    QTest::addColumn<StatValue>("before");
    QTest::addColumn<StatValue>("value");

    QTest::newRow("int over int") << StatValue(5) << StatValue(-2);
    QTest::newRow("int over real") << StatValue(2.5) << StatValue(3);
    QTest::newRow("real over int") << StatValue(3) << StatValue(0.25);
    QTest::newRow("whole real over int") << StatValue(3) << StatValue(3.0);
    QTest::newRow("INT64_MAX") << StatValue(1.5) << StatValue(std::numeric_limits<qint64>::max());
    QTest::newRow("INT64_MIN") << StatValue(1) << StatValue(std::numeric_limits<qint64>::min());
    QTest::newRow("tiny real") << StatValue(1) << StatValue(1e-300);
}

void tst_Gauge::setReplacesValueAndType()
{
    QFETCH(StatValue, before);
    QFETCH(StatValue, value);
    StatRegistry registry;
    const Gauge gauge = registry.gauge("g");
    gauge.set(before);
    gauge.set(value);
    QCOMPARE(gauge.value(), value);
    QCOMPARE(gauge.value().type(), value.type());
    QCOMPARE(registry.snapshot(), Snapshot({{"g", value}}));
}

void tst_Gauge::defaultHandleIgnoresCalls()
{
    QTest::failOnWarning(StatventTest::anyRefusal());
    const Gauge gauge;
    QVERIFY(!gauge.isValid());
    gauge.set(5);
    gauge.set(std::numeric_limits<double>::infinity());
    QCOMPARE(gauge.value(), StatValue());
}

void tst_Gauge::badNameGivesInvalidHandle()
{
    StatRegistry registry;
    StatventTest::expectOnce(StatventTest::refusal("gauge"_L1, QString(), "the name is empty"_L1));
    const Gauge gauge = registry.gauge("");
    QVERIFY(!gauge.isValid());
    gauge.set(1);
    QCOMPARE(gauge.value(), StatValue());
    QCOMPARE(registry.statCount(), 0);
    QVERIFY(!registry.gauge(QString()).isValid()); // warned once per name
}

void tst_Gauge::nonFiniteValues_data()
{
    StatventTest::addNonFiniteValueRows();
}

void tst_Gauge::nonFiniteValues()
{
    QFETCH(double, value);
    StatRegistry registry;
    const Gauge gauge = registry.gauge("level");
    gauge.set(0.5);

    StatventTest::expectOnce(StatventTest::refusal("set"_L1, u"level"_s, "not a finite number"_L1));
    for (int call = 0; call < 3; ++call)
        gauge.set(value);
    QCOMPARE(gauge.value(), StatValue(0.5));
    QCOMPARE(registry.snapshot(), Snapshot({{"level", 0.5}}));
}

QTEST_GUILESS_MAIN(tst_Gauge)

#include "tst_gauge.moc"

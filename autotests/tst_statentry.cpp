// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statventtest.h"

#include <statvent/statentry.h>

#include <QTest>

using Statvent::StatEntry;
using Statvent::StatKind;
using Statvent::StatValue;

class tst_StatEntry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void equalityIgnoresKind();
    void combinedKind_data();
    void combinedKind();
};

void tst_StatEntry::equalityIgnoresKind()
{
    const StatEntry counter{"requests", StatValue(3), StatKind::Counter};
    QCOMPARE(counter, (StatEntry{"requests", StatValue(3), StatKind::Untyped}));
    QVERIFY(counter != (StatEntry{"requests", StatValue(4), StatKind::Counter}));
    QVERIFY(counter != (StatEntry{"requests", StatValue(3.0), StatKind::Counter}));
    QVERIFY(counter != (StatEntry{"responses", StatValue(3), StatKind::Counter}));
}

void tst_StatEntry::combinedKind_data()
{
    QTest::addColumn<StatKind>("a");
    QTest::addColumn<StatKind>("b");
    QTest::addColumn<StatKind>("expected");

    QTest::newRow("counters") << StatKind::Counter << StatKind::Counter << StatKind::Counter;
    QTest::newRow("gauges") << StatKind::Gauge << StatKind::Gauge << StatKind::Gauge;
    QTest::newRow("window rows") << StatKind::Window << StatKind::Window << StatKind::Window;
    QTest::newRow("untyped") << StatKind::Untyped << StatKind::Untyped << StatKind::Untyped;
    QTest::newRow("counter, gauge") << StatKind::Counter << StatKind::Gauge << StatKind::Gauge;
    QTest::newRow("counter, untyped")
        << StatKind::Counter << StatKind::Untyped << StatKind::Untyped;
    QTest::newRow("gauge, untyped") << StatKind::Gauge << StatKind::Untyped << StatKind::Untyped;
    QTest::newRow("window, counter") << StatKind::Window << StatKind::Counter << StatKind::Untyped;
    QTest::newRow("window, gauge") << StatKind::Window << StatKind::Gauge << StatKind::Untyped;
    QTest::newRow("window, untyped") << StatKind::Window << StatKind::Untyped << StatKind::Untyped;
}

void tst_StatEntry::combinedKind()
{
    QFETCH(StatKind, a);
    QFETCH(StatKind, b);
    QFETCH(StatKind, expected);

    QCOMPARE(Statvent::combinedKind(a, b), expected);
    // Processes are combined in pid order, which says nothing about their kinds.
    QCOMPARE(Statvent::combinedKind(b, a), expected);
}

QTEST_APPLESS_MAIN(tst_StatEntry)
#include "tst_statentry.moc"

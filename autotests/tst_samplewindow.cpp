// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statventtest.h"

#include <statvent/aggregates.h>
#include <statvent/samplewindow.h>
#include <statvent/statregistry.h>

#include <QTest>

#include <atomic>
#include <limits>
#include <thread>

using Statvent::SampleWindow;
using Statvent::Snapshot;
using Statvent::StatRegistry;
using namespace Qt::StringLiterals;

class tst_SampleWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sameWindowAsTheName();
    void keepsTheLatestSamples();
    void followsWindowResize();
    void formatterGivenWithTheHandle();
    void defaultHandleIgnoresCalls();
    void badNameGivesInvalidHandle();
    void nonFiniteValues_data();
    void nonFiniteValues();
    void twoThreadsRecording();
    void everySlotKeepsItsOwnSample_data();
    void everySlotKeepsItsOwnSample();
};

void tst_SampleWindow::sameWindowAsTheName()
{
    StatRegistry registry;
    const SampleWindow window = registry.sampleWindow("latency.{0}");
    QVERIFY(window.isValid());
    QCOMPARE(registry.windowCount(), 1);
    QCOMPARE(window.sampleCount(), 0);
    QVERIFY(registry.snapshot().isEmpty()); // an empty window has no rows

    window.record(1);
    registry.record("latency.{0}", 3);
    registry.sampleWindow(u"latency.{0}"_s).record(2);
    QCOMPARE(window.sampleCount(), 3);
    QCOMPARE(registry.windowCount(), 1);
    QCOMPARE(registry.snapshot(),
             Snapshot({{"latency.median", 1.0},
                       {"latency.95th", 2.0},
                       {"latency.99th", 2.0},
                       {"latency.100th", 3.0},
                       {"latency.mean", 2.0}}));
}

void tst_SampleWindow::keepsTheLatestSamples()
{
    StatRegistry registry;
    const SampleWindow window = registry.sampleWindow("w");
    for (int sample = 1; sample <= 250; ++sample) {
        window.record(sample);
        QCOMPARE(window.sampleCount(), qMin(sample, 100));
    }
    // 151..250 remain.
    QCOMPARE(registry.snapshot(),
             Snapshot({{"w.median", 200.0},
                       {"w.95th", 245.0},
                       {"w.99th", 249.0},
                       {"w.100th", 250.0},
                       {"w.mean", 200.5}}));
}

void tst_SampleWindow::followsWindowResize()
{
    StatRegistry registry;
    const SampleWindow window = registry.sampleWindow("w");
    for (int sample = 1; sample <= 100; ++sample)
        window.record(sample);
    registry.setWindowSize(4);
    QCOMPARE(window.sampleCount(), 4); // the handle sees the resized window: 97..100
    window.record(101);
    QCOMPARE(window.sampleCount(), 4);
    QCOMPARE(registry.snapshot().constLast(), Statvent::StatEntry({"w.mean", 99.5})); // 98..101
    registry.setWindowSize(8);
    window.record(102);
    QCOMPARE(window.sampleCount(), 5);
}

void tst_SampleWindow::formatterGivenWithTheHandle()
{
    StatRegistry registry;
    const SampleWindow window =
        registry.sampleWindow("rpc{id}", [](QByteArrayView name, QByteArrayView label) {
            return QByteArray(name.toByteArray() + ":" + label.toByteArray());
        });
    window.record(0.5);
    registry.setPercentiles({100});
    QCOMPARE(registry.snapshot(), Snapshot({{"rpc{id}:100th", 0.5}, {"rpc{id}:mean", 0.5}}));
}

void tst_SampleWindow::defaultHandleIgnoresCalls()
{
    QTest::failOnWarning(StatventTest::anyRefusal());
    const SampleWindow window;
    QVERIFY(!window.isValid());
    window.record(1);
    window.record(std::numeric_limits<double>::quiet_NaN());
    QCOMPARE(window.sampleCount(), 0);
}

void tst_SampleWindow::badNameGivesInvalidHandle()
{
    StatRegistry registry;
    const QByteArray tooLong(4097, 'n');
    StatventTest::expectOnce(
        StatventTest::refusal("sampleWindow"_L1, QString(200, u'n'), "longer than 4096 bytes"_L1));
    const SampleWindow window = registry.sampleWindow(tooLong);
    QVERIFY(!window.isValid());
    window.record(1);
    QCOMPARE(window.sampleCount(), 0);
    QCOMPARE(registry.windowCount(), 0);
    QVERIFY(!registry.sampleWindow(tooLong).isValid()); // warned once per name
}

void tst_SampleWindow::nonFiniteValues_data()
{
    StatventTest::addNonFiniteValueRows();
}

void tst_SampleWindow::nonFiniteValues()
{
    QFETCH(double, value);
    StatRegistry registry;
    const SampleWindow window = registry.sampleWindow("latency");
    window.record(2);
    const Snapshot before = registry.snapshot();

    StatventTest::expectOnce(
        StatventTest::refusal("record"_L1, u"latency"_s, "not a finite number"_L1));
    for (int call = 0; call < 3; ++call)
        window.record(value);
    QCOMPARE(window.sampleCount(), 1);
    QCOMPARE(registry.snapshot(), before);
}

void tst_SampleWindow::twoThreadsRecording()
{
    // Both threads claim ring slots with one atomic add each: the window ends full, holding only
    // samples that were recorded, while a snapshot may be taken at any moment.
    StatRegistry registry;
    const SampleWindow window = registry.sampleWindow("w");
    constexpr int PerThread = 200000;
    std::atomic<int> running = 2;
    auto work = [window, &running](double sample) {
        for (int i = 0; i < PerThread; ++i)
            window.record(sample);
        running.fetch_sub(1);
    };
    std::thread ones(work, 1.0);
    std::thread twos(work, 2.0);
    bool inRange = true;
    while (running.load() > 0) {
        for (const Statvent::StatEntry &row : registry.snapshot())
            inRange = inRange && row.value.toReal() >= 1.0 && row.value.toReal() <= 2.0;
    }
    ones.join();
    twos.join();
    QVERIFY(inRange);
    QCOMPARE(window.sampleCount(), 100);
    const Snapshot snapshot = registry.snapshot();
    QCOMPARE(snapshot.size(), 5);
    for (const Statvent::StatEntry &row : snapshot)
        QVERIFY2(row.value.toReal() >= 1.0 && row.value.toReal() <= 2.0, row.name.constData());
}

void tst_SampleWindow::everySlotKeepsItsOwnSample_data()
{
    QTest::addColumn<int>("size");
    // The ring spreads its slots over 8 lanes of at least 8 slots: sizes around those bounds.
    for (int size : {1, 2, 7, 8, 9, 63, 64, 65, 70, 71, 72, 100, 1000, 1001})
        QTest::addRow("%d samples", size) << size;
}

void tst_SampleWindow::everySlotKeepsItsOwnSample()
{
    // Distinct samples through several laps of the ring, then a resize that copies them into a
    // new ring: a slot shared by two positions would lose one sample and hold another twice.
    QFETCH(int, size);
    StatRegistry registry;
    registry.setWindowSize(size);
    registry.setPercentiles({1, 10, 25, 50, 75, 90, 99, 100});
    const SampleWindow window = registry.sampleWindow("w");
    const int recorded = 3 * size + 5;
    for (int sample = 1; sample <= recorded; ++sample)
        window.record(sample);
    auto expectLatest = [&](int count) {
        QList<double> latest;
        for (int sample = recorded - count + 1; sample <= recorded; ++sample)
            latest.append(sample);
        Snapshot expected;
        Statvent::Aggregates::appendRows(expected, "w", latest, registry.percentiles());
        return expected;
    };
    QCOMPARE(window.sampleCount(), size);
    QCOMPARE(registry.snapshot(), expectLatest(size));

    registry.setWindowSize(size + 1); // the new ring starts with all of the old one's samples
    QCOMPARE(window.sampleCount(), size);
    QCOMPARE(registry.snapshot(), expectLatest(size));
}

QTEST_GUILESS_MAIN(tst_SampleWindow)

#include "tst_samplewindow.moc"

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statventtest.h"

#include <statvent/aggregates.h>
#include <statvent/samplewindow.h>
#include <statvent/statregistry.h>

#include <QTest>

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <future>
#include <limits>
#include <thread>
#include <vector>

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
    void threadsOnSeveralCpusKeepEverySample_data();
    void threadsOnSeveralCpusKeepEverySample();
    void samplesOfAnIdleThreadDropOut_data();
    void samplesOfAnIdleThreadDropOut();
    void aLiveThreadKeepsItsShardWhileOthersComeAndGo();
    void oneThreadMovedBetweenCpusKeepsTheLatestSamples_data();
    void oneThreadMovedBetweenCpusKeepsTheLatestSamples();
};

namespace {

//! The CPUs this process may run on.
QList<int> allowedCpus()
{
    cpu_set_t set;
    CPU_ZERO(&set);
    QList<int> cpus;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
            if (CPU_ISSET(cpu, &set))
                cpus.append(cpu);
        }
    }
    return cpus;
}

//! Keeps the calling thread on \a cpu; true when it runs there now.
bool pinToCpu(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0 && sched_getcpu() == cpu;
}

/*!
 * Percentiles whose rows are all the samples of a window of \a count, smallest first (the rank
 * formula gives sorted[floor(count * p / 100) - 1], and p = 100 (rank + 0.5) / count lands in
 * the middle of rank's step): two windows with the same rows hold the same samples, each as
 * many times.
 */
QList<double> everyRank(int count)
{
    QList<double> percentiles;
    for (int rank = 1; rank < count; ++rank)
        percentiles.append(100.0 * (rank + 0.5) / count);
    percentiles.append(100.0);
    return percentiles;
}

//! The rows of window "w" holding \a samples, with the registry's percentiles.
Snapshot rowsOf(QList<double> samples, const StatRegistry &registry)
{
    Snapshot rows;
    Statvent::Aggregates::appendRows(rows, "w", samples, registry.percentiles());
    return rows;
}

} // namespace

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
    // A shard holds the window's size rounded up to whole blocks of 8 slots: sizes around those.
    for (int size : {1, 2, 7, 8, 9, 15, 16, 17, 63, 64, 65, 100, 1000, 1001})
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

void tst_SampleWindow::threadsOnSeveralCpusKeepEverySample_data()
{
    QTest::addColumn<int>("threadCount");
    QTest::addRow("2 threads") << 2;
    QTest::addRow("4 threads") << 4;
    QTest::addRow("9 threads, two of them sharing a shard") << 9; // a window has 8 shards
}

void tst_SampleWindow::threadsOnSeveralCpusKeepEverySample()
{
    // Threads on different CPUs record into one window at the same moment, each into a shard of
    // its own or, beyond 8 threads, sharing one: a window large enough for all their samples
    // holds each exactly once, wherever it was written.
    QFETCH(int, threadCount);
    const QList<int> cpus = allowedCpus();
    constexpr int PerThread = 2000;
    const int total = threadCount * PerThread;
    StatRegistry registry;
    registry.setWindowSize(total);
    registry.setPercentiles(everyRank(total));
    const SampleWindow window = registry.sampleWindow("w");

    std::atomic<int> starting = threadCount;
    std::atomic<int> unpinned = 0;
    std::vector<std::thread> threads;
    for (int thread = 0; thread < threadCount; ++thread) {
        threads.emplace_back([&, thread] {
            if (cpus.size() > 1 && !pinToCpu(cpus[thread % cpus.size()]))
                unpinned.fetch_add(1);
            starting.fetch_sub(1);
            while (starting.load() > 0) // all at once, so that their records interleave
                std::this_thread::yield();
            for (int i = 1; i <= PerThread; ++i)
                window.record(thread * PerThread + i);
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    QCOMPARE(unpinned.load(), 0);

    QList<double> expected;
    for (int sample = 1; sample <= total; ++sample)
        expected.append(sample);
    QCOMPARE(window.sampleCount(), total);
    QCOMPARE(registry.snapshot(), rowsOf(expected, registry));
}

void tst_SampleWindow::samplesOfAnIdleThreadDropOut_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("newCount");
    QTest::addRow("fills the window") << 100 << 100;
    QTest::addRow("and goes round") << 100 << 130; // the oldest block held is cut by the newest
    QTest::addRow("one block per shard") << 5 << 12;
    QTest::addRow("one sample") << 1 << 3;
}

void tst_SampleWindow::samplesOfAnIdleThreadDropOut()
{
    // A thread records old samples, then stops; another, on another CPU, records a window's
    // worth of new ones: the window holds the latest new ones only, although the first thread's
    // shard still has its samples.
    QFETCH(int, size);
    QFETCH(int, newCount);
    const QList<int> cpus = allowedCpus();
    StatRegistry registry;
    registry.setWindowSize(size);
    registry.setPercentiles(everyRank(size));
    const SampleWindow window = registry.sampleWindow("w");
    // The first thread stays alive while the second records: a thread that has ended gives its
    // shard number back, and the second would take it and record into the same shard.
    const bool twoCpus = cpus.size() > 1;
    bool pinnedIdle = true;
    std::promise<void> newSamplesRecorded;
    std::promise<void> oldSamplesRecorded;
    std::thread idle([&] {
        if (twoCpus)
            pinnedIdle = pinToCpu(cpus.at(1));
        for (int i = 0; i < 100; ++i)
            window.record(1000 + i);
        oldSamplesRecorded.set_value();
        newSamplesRecorded.get_future().wait();
    });
    oldSamplesRecorded.get_future().wait();
    bool pinnedRecorder = true;
    std::thread recorder([&] {
        if (twoCpus)
            pinnedRecorder = pinToCpu(cpus.at(0));
        for (int i = 0; i < newCount; ++i)
            window.record(1 + i);
    });
    recorder.join();
    newSamplesRecorded.set_value();
    idle.join();
    QVERIFY(pinnedIdle && pinnedRecorder);

    QList<double> latest;
    for (int sample = newCount - size + 1; sample <= newCount; ++sample)
        latest.append(sample);
    QCOMPARE(window.sampleCount(), size);
    QCOMPARE(registry.snapshot(), rowsOf(latest, registry));

    registry.setWindowSize(size + 1); // the new ring starts with the same samples
    QCOMPARE(registry.snapshot(), rowsOf(latest, registry));
}

void tst_SampleWindow::aLiveThreadKeepsItsShardWhileOthersComeAndGo()
{
    // This thread records 1-4 (half a block of its shard), a new thread 5-12 (a whole block),
    // this thread 13. In a shard of their own, the new thread's block is the newest started:
    // a window of 8 holds 5-12. In a shard they shared, the latest 8 claimed would be 6-13.
    // Shard numbers taken in turn gave every 8th new thread this thread's shard: 16 threads,
    // one after another, each must find a shard of its own.
    StatRegistry registry;
    registry.setWindowSize(8);
    registry.setPercentiles({100});
    for (int round = 0; round < 16; ++round) {
        const QByteArray name = "w" + QByteArray::number(round);
        const SampleWindow window = registry.sampleWindow(name);
        for (int sample = 1; sample <= 4; ++sample)
            window.record(sample);
        std::thread([&window] {
            for (int sample = 5; sample <= 12; ++sample)
                window.record(sample);
        }).join();
        window.record(13);
        const QByteArray maximum = name + QByteArrayLiteral(".100th");
        const Snapshot rows = registry.snapshot();
        const auto row =
            std::find_if(rows.cbegin(), rows.cend(),
                         [&](const Statvent::StatEntry &entry) { return entry.name == maximum; });
        QVERIFY(row != rows.cend());
        QCOMPARE(row->value, Statvent::StatValue(12.0));
    }
}

void tst_SampleWindow::oneThreadMovedBetweenCpusKeepsTheLatestSamples_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("movedEvery");
    QTest::addRow("100 samples, moved every 3") << 100 << 3;
    QTest::addRow("100 samples, moved every 13") << 100 << 13;
    QTest::addRow("5 samples, moved every 2") << 5 << 2;
}

void tst_SampleWindow::oneThreadMovedBetweenCpusKeepsTheLatestSamples()
{
    // The scheduler moves a thread between CPUs in the middle of its blocks of 8 samples: the
    // window it alone records into still holds exactly its latest samples, oldest first (a
    // resize keeps the oldest-first order: the smaller window keeps the latest).
    QFETCH(int, size);
    QFETCH(int, movedEvery);
    const QList<int> cpus = allowedCpus();
    if (cpus.size() < 2)
        QSKIP("needs two CPUs");
    StatRegistry registry;
    registry.setWindowSize(size);
    registry.setPercentiles(everyRank(size));
    const SampleWindow window = registry.sampleWindow("w");
    const int recorded = 5 * size + 3;
    bool pinned = true;
    std::thread recorder([&] {
        for (int sample = 1; sample <= recorded; ++sample) {
            if (sample % movedEvery == 1)
                pinned = pinToCpu(cpus.at(sample / movedEvery % 2)) && pinned;
            window.record(sample);
        }
    });
    recorder.join();
    QVERIFY(pinned);

    auto latest = [recorded](int count) {
        QList<double> samples;
        for (int sample = recorded - count + 1; sample <= recorded; ++sample)
            samples.append(sample);
        return samples;
    };
    QCOMPARE(window.sampleCount(), size);
    QCOMPARE(registry.snapshot(), rowsOf(latest(size), registry));
    registry.setWindowSize(size - 1);
    registry.setPercentiles(everyRank(size - 1));
    QCOMPARE(registry.snapshot(), rowsOf(latest(size - 1), registry));
}

QTEST_GUILESS_MAIN(tst_SampleWindow)

#include "tst_samplewindow.moc"

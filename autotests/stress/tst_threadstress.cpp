// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// Thread stress (docs/RELIABILITY.md): 2, 8 and 32 threads hammer incr/set/record, by name and
// by handle, on shared and on per-thread statistics, while a reader loops on the recorder's pipe.
// Built normally it checks exact totals; .ci/run also runs it under ThreadSanitizer (label
// "concurrency"), where any data race fails it. std::thread, not QThread: no Qt event machinery
// between the threads, so nothing needs suppressing.
//
// Each row runs for STATVENT_STRESS_SECONDS seconds (default 1): the long runs in
// docs/RELIABILITY.md set it higher. Each worker counts its rounds, so totals stay exact.

#include <statvent/aggregates.h>
#include <statvent/pipeformat.h>
#include <statvent/recorder.h>
#include <statvent/statregistry.h>

#include <QFile>
#include <QHash>
#include <QMutex>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

using namespace Statvent;

namespace {

//! Names several threads create at once, so that insertions race with lookups and index growth.
constexpr int SharedNewNames = 1000;

QByteArray threadName(int thread, const char *what)
{
    return "thread." + QByteArray::number(thread) + '.' + what;
}

//! The names of a window's rows, as a reader of the pipe text finds them.
QList<QByteArray> rowNames(QByteArrayView window, const QList<double> &percentiles)
{
    QList<QByteArray> names;
    for (double percentile : percentiles)
        names.append(Aggregates::formatName(window, Aggregates::percentileLabel(percentile)));
    names.append(Aggregates::formatName(window, "mean"));
    return names;
}

QByteArray sharedNewName(int index)
{
    return "new." + QByteArray::number(index);
}

//! One whole read of the pipe: open, read to end-of-file, close.
QByteArray readPipe(const QByteArray &path)
{
    const int fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return QByteArray();
    QByteArray text;
    char buffer[65536];
    for (;;) {
        const ssize_t count = ::read(fd, buffer, sizeof buffer);
        if (count > 0) {
            text.append(buffer, count);
            continue;
        }
        if (count < 0 && errno == EINTR)
            continue;
        break;
    }
    ::close(fd);
    return text;
}

//! What one worker thread does until \a stop; counts itself in \a working after its first round.
//! Returns how many rounds it did.
int hammer(StatRegistry &registry, int thread, std::atomic<int> &working,
           const std::atomic<bool> &stop)
{
    const QByteArray byName = threadName(thread, "byname");
    const QByteArray gaugeName = threadName(thread, "gauge");
    const QByteArray windowName = threadName(thread, "window.{0}");
    QList<QByteArray> newNames;
    for (int i = 0; i < SharedNewNames; ++i)
        newNames.append(sharedNewName(i));

    const Counter sharedHandle = registry.counter("shared.handle");
    const Counter mixedHandle = registry.counter("shared.mixed");
    const Counter ownHandle = registry.counter(threadName(thread, "handle"));
    const Gauge ownGauge = registry.gauge(gaugeName);
    const Gauge sharedGauge = registry.gauge("shared.gauge");
    const SampleWindow ownWindow = registry.sampleWindow(windowName);
    const SampleWindow sharedWindow = registry.sampleWindow("shared.window.{0}");

    int i = 0;
    for (; !stop.load(std::memory_order_relaxed); ++i) {
        const bool odd = i % 2;
        registry.incr("shared.byname");
        sharedHandle.incr();
        odd ? registry.incr("shared.mixed") : mixedHandle.incr(); // one statistic, both ways
        registry.incr("shared.real", 0.5);
        registry.incr(byName);
        ownHandle.incr();
        registry.incr(newNames.at(i % SharedNewNames));
        odd ? registry.set(gaugeName, i) : ownGauge.set(i);
        odd ? registry.set("shared.gauge", thread) : sharedGauge.set(thread);
        odd ? registry.record(windowName, i) : ownWindow.record(i);
        odd ? registry.record("shared.window.{0}", i) : sharedWindow.record(i);
        if (i == 0)
            working.fetch_add(1, std::memory_order_relaxed);
    }
    return i;
}

//! Loops on the pipe until told to stop; records what a reader must never see.
class PipeReader
{
public:
    explicit PipeReader(QByteArray path)
        : m_path(std::move(path))
    {
    }

    void run(const std::atomic<bool> &stop)
    {
        while (!stop.load(std::memory_order_relaxed)) {
            const QByteArray text = readPipe(m_path);
            ++m_reads;
            if (text.isEmpty()) {
                ++m_emptyReads;
                continue;
            }
            check(text);
        }
    }

    qint64 reads() const { return m_reads; }
    qint64 emptyReads() const { return m_emptyReads; }
    const QStringList &problems() const { return m_problems; }

private:
    void check(const QByteArray &text)
    {
        const PipeFormat::ParseResult parsed = PipeFormat::parse(text);
        if (parsed.rejectedLines)
            problem(QStringLiteral("%1 rejected lines in a snapshot of %2 bytes")
                        .arg(parsed.rejectedLines)
                        .arg(text.size()));
        if (!text.endsWith('\n'))
            problem(QStringLiteral("a snapshot of %1 bytes does not end with a line feed")
                        .arg(text.size()));
        QSet<QByteArray> names;
        for (const StatEntry &entry : parsed.stats) {
            if (names.contains(entry.name))
                problem(
                    QStringLiteral("%1 twice in one snapshot").arg(QString::fromUtf8(entry.name)));
            names.insert(entry.name);
            // Counters only grow: a reader never sees one go back.
            if (entry.name.contains("window") || entry.name.contains("gauge"))
                continue;
            const double value = entry.value.toReal();
            double &previous = m_lastSeen[entry.name];
            if (value < previous)
                problem(QStringLiteral("%1 went from %2 down to %3")
                            .arg(QString::fromUtf8(entry.name))
                            .arg(previous)
                            .arg(value));
            previous = value;
        }
    }

    void problem(const QString &what)
    {
        if (m_problems.size() < 10)
            m_problems.append(what);
    }

    const QByteArray m_path;
    QHash<QByteArray, double> m_lastSeen;
    qint64 m_reads = 0;
    qint64 m_emptyReads = 0;
    QStringList m_problems;
};

} // namespace

class tst_ThreadStress : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hammer_data();
    void hammer();
    void windowKeepsEverySample_data();
    void windowKeepsEverySample();
    void windowWrapKeepsOnlyRecordedSamples_data();
    void windowWrapKeepsOnlyRecordedSamples();
};

void tst_ThreadStress::hammer_data()
{
    QTest::addColumn<int>("threads");
    QTest::addColumn<bool>("reconfiguring");
    QTest::newRow("2 threads") << 2 << false;
    QTest::newRow("8 threads") << 8 << false;
    QTest::newRow("32 threads") << 32 << false;
    // Window size and percentiles changing under the recording threads: every window moves to a
    // new ring each time, so a sample may be lost (documented); counters stay exact.
    QTest::newRow("8 threads, windows reconfigured meanwhile") << 8 << true;
}

void tst_ThreadStress::hammer()
{
    QFETCH(int, threads);
    QFETCH(bool, reconfiguring);
    const int seconds = qMax(1, qEnvironmentVariableIntValue("STATVENT_STRESS_SECONDS"));

    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    StatRegistry registry;
    Recorder recorder(&registry);
    recorder.setPipeDir(directory.path());
    QVERIFY(recorder.start());
    registry.set("started", 1); // from here on, no snapshot is empty

    PipeReader reader(QFile::encodeName(recorder.pipePath()));
    std::atomic<bool> stopReader{false};
    std::atomic<bool> stopWorkers{false};
    std::atomic<int> working{0};
    std::thread readerThread([&] { reader.run(stopReader); });
    std::vector<std::thread> workers;
    std::vector<int> rounds(size_t(threads), 0);
    for (int thread = 0; thread < threads; ++thread)
        workers.emplace_back([&, thread] {
            rounds[size_t(thread)] = ::hammer(registry, thread, working, stopWorkers);
        });
    // The clock starts once every thread is at work: 32 threads on 2 cores take a while to start.
    for (const auto startDeadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
         working.load(std::memory_order_relaxed) < threads
         && std::chrono::steady_clock::now() < startDeadline;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    for (int change = 0; std::chrono::steady_clock::now() < deadline; ++change) {
        if (reconfiguring) {
            registry.setWindowSize(change % 2 ? 50 : 100);
            registry.setPercentiles(change % 3 ? QList<double>{50, 95, 99, 100}
                                               : QList<double>{50, 90, 99.9});
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    stopWorkers = true;
    for (std::thread &worker : workers)
        worker.join();
    stopReader = true;
    readerThread.join();

    const qint64 total = std::accumulate(rounds.cbegin(), rounds.cend(), qint64(0));
    qInfo("%d threads, %d s: %lld rounds of 11 updates (%.1f M updates/s); the reader read the "
          "pipe %lld times (%lld empty)",
          threads, seconds, total, double(total) * 11 / seconds / 1e6, reader.reads(),
          reader.emptyReads());
    QVERIFY2(reader.problems().isEmpty(), qPrintable(reader.problems().join(u'\n')));
    QCOMPARE(reader.emptyReads(), 0); // one reader alone never meets the known two-reader limit
    QVERIFY(reader.reads() > 0);

    // The last word, through the pipe like any reader's: every update is there.
    const PipeFormat::ParseResult final =
        PipeFormat::parse(readPipe(QFile::encodeName(recorder.pipePath())));
    QCOMPARE(final.rejectedLines, 0);
    QHash<QByteArray, StatValue> values;
    for (const StatEntry &entry : final.stats)
        values.insert(entry.name, entry.value);

    QCOMPARE(values.value("shared.byname"), StatValue(total));
    QCOMPARE(values.value("shared.handle"), StatValue(total));
    QCOMPARE(values.value("shared.mixed"), StatValue(total));
    QCOMPARE(values.value("shared.real"), StatValue(0.5 * double(total)));
    for (int i = 0; i < SharedNewNames; ++i) {
        qint64 expected = 0;
        for (int done : rounds)
            expected += done / SharedNewNames + (i < done % SharedNewNames ? 1 : 0);
        QCOMPARE(values.value(sharedNewName(i)), StatValue(expected));
    }
    const qint64 sharedGauge = values.value("shared.gauge").toInteger();
    QVERIFY(sharedGauge >= 0 && sharedGauge < threads);

    for (int thread = 0; thread < threads; ++thread) {
        const int done = rounds[size_t(thread)];
        QVERIFY(done > 0);
        QCOMPARE(values.value(threadName(thread, "byname")), StatValue(done));
        QCOMPARE(values.value(threadName(thread, "handle")), StatValue(done));
        QCOMPARE(values.value(threadName(thread, "gauge")), StatValue(done - 1));
        if (reconfiguring)
            continue; // the thread's own window may have lost a sample: checked with the shared one below
        QList<double> samples; // the thread's own window: the last windowSize of 0, 1, ... done - 1
        for (int i = qMax(0, done - registry.windowSize()); i < done; ++i)
            samples.append(i);
        Snapshot expectedRows;
        Aggregates::appendRows(expectedRows, threadName(thread, "window.{0}"), samples,
                               registry.percentiles());
        for (const StatEntry &row : expectedRows)
            QCOMPARE(values.value(row.name), row.value);
    }
    // The shared window (and, when reconfiguring, every window): each row is within the samples recorded.
    const QList<QByteArray> sharedRows = rowNames("shared.window.{0}", registry.percentiles());
    QList<QByteArray> loosely = sharedRows;
    for (int thread = 0; reconfiguring && thread < threads; ++thread)
        loosely += rowNames(threadName(thread, "window.{0}"), registry.percentiles());
    for (const QByteArray &row : std::as_const(loosely)) {
        QVERIFY2(values.contains(row), row.constData());
        const double value = values.value(row).toReal();
        QVERIFY2(value >= 0 && value < *std::max_element(rounds.cbegin(), rounds.cend()),
                 row.constData());
    }
    QCOMPARE(values.size(),
             1 + 4 + 1 + SharedNewNames + threads * 3 + (threads + 1) * sharedRows.size());
}

namespace {

void addWindowThreadRows()
{
    QTest::addColumn<int>("threads");
    QTest::newRow("2 threads") << 2;
    QTest::newRow("8 threads") << 8;
    QTest::newRow("32 threads") << 32;
}

/*!
 * Runs record(thread, i) for i = 0, 1, ... on \a threads threads released at once, until each
 * has made \a perThread calls or \a stop is set. Returns how many calls each thread made.
 */
template<typename Record>
std::vector<int> recordFromThreads(int threads, int perThread, const std::atomic<bool> &stop,
                                   Record record)
{
    std::atomic<bool> go{false};
    std::vector<int> calls(size_t(threads), 0);
    std::vector<std::thread> workers;
    for (int thread = 0; thread < threads; ++thread) {
        workers.emplace_back([&, thread] {
            while (!go.load(std::memory_order_acquire))
                std::this_thread::yield();
            int i = 0;
            for (; i < perThread && !stop.load(std::memory_order_relaxed); ++i)
                record(thread, i);
            calls[size_t(thread)] = i;
        });
    }
    go.store(true, std::memory_order_release);
    for (std::thread &worker : workers)
        worker.join();
    return calls;
}

std::chrono::steady_clock::time_point stressDeadline()
{
    return std::chrono::steady_clock::now()
        + std::chrono::seconds(qMax(1, qEnvironmentVariableIntValue("STATVENT_STRESS_SECONDS")));
}

} // namespace

void tst_ThreadStress::windowKeepsEverySample_data()
{
    addWindowThreadRows();
}

void tst_ThreadStress::windowKeepsEverySample()
{
    // Threads record distinct samples, 1 to Total, into one window that holds them all: a sample
    // lost or stored twice changes the count, the sum (the mean) or a percentile. Round after
    // round, each with a new window, so that on a busy machine some rounds run the threads on
    // several cores at once.
    QFETCH(int, threads);
    constexpr int Total = 1 << 18;
    const int perThread = Total / threads;
    const QList<double> percentiles{1, 25, 50, 75, 99, 100};
    QList<double> all;
    for (int sample = 1; sample <= threads * perThread; ++sample)
        all.append(sample);
    Snapshot expected;
    Aggregates::appendRows(expected, "shared.window.{0}", all, percentiles);

    const std::atomic<bool> neverStop{false};
    int rounds = 0;
    for (const auto deadline = stressDeadline(); std::chrono::steady_clock::now() < deadline;
         ++rounds) {
        StatRegistry registry;
        registry.setWindowSize(Total);
        registry.setPercentiles(percentiles);
        const SampleWindow window = registry.sampleWindow("shared.window.{0}");
        recordFromThreads(threads, perThread, neverStop,
                          [&](int thread, int i) { window.record(thread * perThread + i + 1); });
        QCOMPARE(window.sampleCount(), threads * perThread);
        QCOMPARE(registry.snapshot(), expected);
    }
    qInfo("%d threads: %d rounds of %d samples", threads, rounds, threads * perThread);
}

void tst_ThreadStress::windowWrapKeepsOnlyRecordedSamples_data()
{
    addWindowThreadRows();
}

void tst_ThreadStress::windowWrapKeepsOnlyRecordedSamples()
{
    // Threads go round a 100-sample window many times while a reader takes snapshots. The
    // percentiles 1 to 100 of 100 samples are the samples themselves, sorted, so a snapshot shows
    // the whole window. Thread t's i-th sample is i * threads + t: every sample seen must be one
    // that was recorded, and at the end the window must hold 100 distinct ones. (Not necessarily
    // the latest 100: a writer delayed between claiming a slot and storing into it puts its older
    // sample over a newer one if the others went a whole lap meanwhile.)
    QFETCH(int, threads);
    constexpr int Size = 100;
    StatRegistry registry;
    QCOMPARE(registry.windowSize(), Size);
    QList<double> everyPercentile;
    for (int p = 1; p <= Size; ++p)
        everyPercentile.append(p);
    registry.setPercentiles(everyPercentile);
    const SampleWindow window = registry.sampleWindow("shared.window.{0}");

    std::atomic<bool> stop{false};
    std::atomic<bool> stopReader{false};
    QStringList problems;
    qint64 snapshots = 0;
    std::thread reader([&] {
        while (!stopReader.load(std::memory_order_relaxed)) {
            ++snapshots;
            for (const StatEntry &row : registry.snapshot()) {
                const double value = row.value.toReal();
                if (!row.name.endsWith("mean") && (value < 0 || value != std::floor(value))
                    && problems.size() < 10)
                    problems.append(QStringLiteral("%1 = %2 was never recorded")
                                        .arg(QString::fromUtf8(row.name))
                                        .arg(value));
            }
        }
    });
    std::thread timer([&] {
        for (const auto deadline = stressDeadline(); std::chrono::steady_clock::now() < deadline;)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        stop = true;
    });
    const std::vector<int> calls =
        recordFromThreads(threads, std::numeric_limits<int>::max(), stop,
                          [&](int thread, int i) { window.record(double(i) * threads + thread); });
    timer.join();
    stopReader = true;
    reader.join();
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    QVERIFY(snapshots > 0);

    const Snapshot rows = registry.snapshot();
    QCOMPARE(rows.size(), Size + 1);
    double sum = 0;
    for (int k = 0; k < Size; ++k) {
        const double value = rows.at(k).value.toReal();
        sum += value;
        if (k
            > 0) // strictly ascending: no sample twice, and 100 of them (else two rows would repeat one)
            QVERIFY2(value > rows.at(k - 1).value.toReal(), rows.at(k).name.constData());
        const qint64 i = qint64(value) / threads;
        QVERIFY2(i < calls[size_t(qint64(value) % threads)],
                 rows.at(k).name.constData()); // recorded, not made up
    }
    QCOMPARE(rows.constLast().value, StatValue(sum / Size));
    qInfo("%d threads: %lld samples, %lld snapshots", threads,
          std::accumulate(calls.cbegin(), calls.cend(), qint64(0)), snapshots);
}

QTEST_GUILESS_MAIN(tst_ThreadStress)
#include "tst_threadstress.moc"

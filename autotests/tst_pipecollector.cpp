// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// PipeCollector: sweeps off the caller's thread, shared by concurrent requests, findings logged once.

#include "webservice-writers/fifofeeder.h"
#include "webservice-writers/writerprocess.h"
#include <statventweb/pipecollector.h>
#include <statventweb/pipesweep.h>

#include <statvent/recorder.h>

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Statvent;
using namespace StatventWeb;

namespace {

std::shared_ptr<const SweepResult> resultOf(const QSignalSpy &spy, qsizetype index = 0)
{
    return spy.at(index).first().value<std::shared_ptr<const SweepResult>>();
}

} // namespace

class tst_PipeCollector : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void defaults();
    void sweepsOnAWorkerThread();
    void concurrentRequestsShareOneSweep();
    void optionsApplyToTheNextSweep();
    void aSweepSharesTheNamesOfTheSweepBefore();
    void replacedResultsAreReleasedAndHeldOnesKept();
    void findingsAreWarnedOnceWhileTheyLast();
    void malformedLinesAreWarned();
    void truncatedPipeIsWarned();
    void missingDirectoryIsWarned();
    void destroyedDuringASweep();
    void destroyedWhileIdle();
    void requestFromSweepFinishedStartsTheNextSweep();
    void refusedSocketIsWarnedOnce();
    void silentPipeIsBackedOffAcrossSweeps();
};

void tst_PipeCollector::initTestCase()
{
    std::signal(SIGPIPE, SIG_IGN);
}

void tst_PipeCollector::defaults()
{
    PipeCollector collector;
    QCOMPARE(collector.pipeDir(), Recorder::defaultPipeDir());
    QCOMPARE(collector.timeout(), PipeSweep::DefaultTimeoutMs);
    QCOMPARE(collector.maxBytesPerPipe(), qint64(64) * 1024 * 1024);
    QVERIFY(!collector.isSweeping());
    QVERIFY(!collector.lastResult());
}

void tst_PipeCollector::sweepsOnAWorkerThread()
{
    QTemporaryDir dir;
    WriterProcess silent;
    QVERIFY(silent.start(dir.path(), {QStringLiteral("--mode"), QStringLiteral("silent")}));
    WriterProcess answering;
    QVERIFY(answering.start(dir.path(), {QStringLiteral("--stat"), QStringLiteral("x=1")}));
    PipeCollector collector;
    collector.setPipeDir(dir.path());
    collector.setTimeout(500);
    QSignalSpy finished(&collector, &PipeCollector::sweepFinished);
    QSignalSpy sweeping(&collector, &PipeCollector::sweepingChanged);

    QElapsedTimer clock;
    clock.start();
    collector.requestSweep();
    // requestSweep() returns at once: the 500 ms wait for the silent writer happens elsewhere.
    QVERIFY(clock.elapsed() < 250);
    QVERIFY(collector.isSweeping());
    QCOMPARE(sweeping.size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
    QVERIFY(!collector.isSweeping());
    QCOMPARE(sweeping.size(), 2);
    QCOMPARE(sweeping.at(1).first().toBool(), false);

    const auto result = resultOf(finished);
    QCOMPARE(result->processes.size(), 1);
    QCOMPARE(result->processes.first().pid, answering.pid());
    QCOMPARE(result->unanswered, QList<qint64>{silent.pid()});
    QCOMPARE(collector.lastResult(), result);
}

void tst_PipeCollector::concurrentRequestsShareOneSweep()
{
    QTemporaryDir dir;
    WriterProcess silent;
    QVERIFY(silent.start(dir.path(), {QStringLiteral("--mode"), QStringLiteral("silent")}));
    PipeCollector collector;
    collector.setPipeDir(dir.path());
    collector.setTimeout(300);
    QSignalSpy finished(&collector, &PipeCollector::sweepFinished);

    for (int i = 0; i < 5; ++i)
        collector.requestSweep();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
    QTest::qWait(400); // no second sweep follows
    QCOMPARE(finished.size(), 1);

    // Once finished, a request starts a new sweep.
    collector.requestSweep();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 5000);
    QVERIFY(resultOf(finished, 1) != resultOf(finished, 0));
}

void tst_PipeCollector::optionsApplyToTheNextSweep()
{
    QTemporaryDir first;
    QTemporaryDir second;
    WriterProcess writer;
    QVERIFY(writer.start(second.path(), {QStringLiteral("--stat"), QStringLiteral("x=1")}));
    PipeCollector collector;
    QSignalSpy dirChanged(&collector, &PipeCollector::pipeDirChanged);
    QSignalSpy timeoutChanged(&collector, &PipeCollector::timeoutChanged);
    QSignalSpy maxBytesChanged(&collector, &PipeCollector::maxBytesPerPipeChanged);
    QSignalSpy finished(&collector, &PipeCollector::sweepFinished);
    collector.setPipeDir(first.path());
    collector.requestSweep();
    collector.setPipeDir(second.path()); // while the first sweep runs
    collector.setTimeout(250);
    collector.setTimeout(250);
    collector.setMaxBytesPerPipe(4096);
    QCOMPARE(dirChanged.size(), 2);
    QCOMPARE(timeoutChanged.size(), 1);
    QCOMPARE(maxBytesChanged.size(), 1);
    QCOMPARE(collector.maxBytesPerPipe(), 4096);

    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
    QVERIFY(resultOf(finished)->processes.isEmpty());
    collector.requestSweep();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 5000);
    QCOMPARE(resultOf(finished, 1)->processes.size(), 1);
}

void tst_PipeCollector::aSweepSharesTheNamesOfTheSweepBefore()
{
    QTemporaryDir dir;
    WriterProcess writer;
    QVERIFY(writer.start(dir.path(),
                         {QStringLiteral("--stat"), QStringLiteral("x=1"), QStringLiteral("--stat"),
                          QStringLiteral("y=2")}));
    PipeCollector collector;
    collector.setPipeDir(dir.path());
    QSignalSpy finished(&collector, &PipeCollector::sweepFinished);
    collector.requestSweep();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
    collector.requestSweep();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 5000);

    // The worker gave the first sweep's processes to the second (PipeSweep::run()).
    const Statvent::Snapshot before = resultOf(finished, 0)->processes.value(0).stats;
    const Statvent::Snapshot now = resultOf(finished, 1)->processes.value(0).stats;
    QCOMPARE(now.size(), 2);
    QCOMPARE(now, before);
    for (qsizetype row = 0; row < now.size(); ++row)
        QCOMPARE(static_cast<const void *>(now[row].name.constData()),
                 static_cast<const void *>(before[row].name.constData()));
}

void tst_PipeCollector::replacedResultsAreReleasedAndHeldOnesKept()
{
    // The collector hands the result that a new one replaces to its worker, which releases its
    // reference: freed once nobody holds it, intact while somebody does.
    QTemporaryDir dir;
    WriterProcess writer;
    QVERIFY(writer.start(dir.path(), {QStringLiteral("--stat"), QStringLiteral("x=1")}));
    PipeCollector collector;
    collector.setPipeDir(dir.path());
    QSignalSpy finished(&collector, &PipeCollector::sweepFinished);
    collector.requestSweep();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
    const std::weak_ptr<const SweepResult> first = resultOf(finished);
    collector.requestSweep();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 5000);
    const std::shared_ptr<const SweepResult> held = resultOf(finished, 1);
    finished.clear(); // the spy's copies are references too
    QTRY_VERIFY(first.expired());

    collector.requestSweep();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
    QCOMPARE(collector.lastResult(), resultOf(finished));
    finished.clear();
    // The worker had the second result to release too, and dropped only its own reference.
    QTRY_COMPARE(held.use_count(), 1);
    QCOMPARE(held->processes.size(), 1);
    QCOMPARE(held->processes.constFirst().stats,
             Statvent::Snapshot({Statvent::StatEntry{"x", 1, Statvent::StatKind::Gauge}}));
}

void tst_PipeCollector::findingsAreWarnedOnceWhileTheyLast()
{
    QTemporaryDir dir;
    QFile notes(dir.filePath(QStringLiteral("notes.txt")));
    QVERIFY(notes.open(QIODevice::WriteOnly));
    notes.close();
    PipeCollector collector;
    collector.setPipeDir(dir.path());
    QSignalSpy finished(&collector, &PipeCollector::sweepFinished);

    const QString warning =
        QStringLiteral(
            "skipping %1/notes.txt: not named <pid>.stats or <pid>.sock (a regular file)")
            .arg(dir.path());
    QTest::ignoreMessage(QtWarningMsg, qPrintable(warning));
    collector.requestSweep();
    QTRY_COMPARE(finished.size(), 1);

    // Still there: not warned again.
    QTest::failOnWarning(QRegularExpression(QStringLiteral("notes\\.txt")));
    collector.requestSweep();
    QTRY_COMPARE(finished.size(), 2);
    QCOMPARE(resultOf(finished, 1)->skipped.size(), 1);
}

void tst_PipeCollector::malformedLinesAreWarned()
{
    QTemporaryDir dir;
    const qint64 pid = QCoreApplication::applicationPid();
    FifoFeeder feeder(dir.filePath(QStringLiteral("%1.stats").arg(pid)),
                      "good: 1\nno separator\nbad: x\n");
    PipeCollector collector;
    collector.setPipeDir(dir.path());
    QSignalSpy finished(&collector, &PipeCollector::sweepFinished);

    QTest::ignoreMessage(
        QtWarningMsg,
        qPrintable(QStringLiteral(
                       "process %1 sent malformed lines (see rejectedLines in ?by=process); the "
                       "first, line 2: no ':' separates a name from a value")
                       .arg(pid)));
    collector.requestSweep();
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(resultOf(finished)->processes.first().rejectedLines, 2);
}

void tst_PipeCollector::truncatedPipeIsWarned()
{
    QTemporaryDir dir;
    WriterProcess flood;
    QVERIFY(flood.start(dir.path(), {QStringLiteral("--mode"), QStringLiteral("flood")}));
    PipeCollector collector;
    collector.setPipeDir(dir.path());
    collector.setMaxBytesPerPipe(10000);
    QSignalSpy finished(&collector, &PipeCollector::sweepFinished);

    QTest::ignoreMessage(
        QtWarningMsg,
        qPrintable(QStringLiteral("process %1 sent more than 10000 bytes: only the complete "
                                  "lines within them were read")
                       .arg(flood.pid())));
    collector.requestSweep();
    QTRY_COMPARE(finished.size(), 1);
    QVERIFY(resultOf(finished)->processes.first().truncated);
}

void tst_PipeCollector::missingDirectoryIsWarned()
{
    QTemporaryDir dir;
    PipeCollector collector;
    collector.setPipeDir(dir.filePath(QStringLiteral("nothing-here")));
    QSignalSpy finished(&collector, &PipeCollector::sweepFinished);

    QTest::ignoreMessage(
        QtWarningMsg,
        qPrintable(QStringLiteral("pipe directory %1 does not exist (yet): no process has "
                                  "started a recorder there")
                       .arg(collector.pipeDir())));
    collector.requestSweep();
    QTRY_COMPARE(finished.size(), 1);
    QVERIFY(resultOf(finished)->processes.isEmpty());
}

void tst_PipeCollector::destroyedDuringASweep()
{
    QTemporaryDir dir;
    WriterProcess silent;
    QVERIFY(silent.start(dir.path(), {QStringLiteral("--mode"), QStringLiteral("silent")}));
    auto collector = std::make_unique<PipeCollector>();
    collector->setPipeDir(dir.path());
    collector->setTimeout(300);
    collector->requestSweep();
    QElapsedTimer clock;
    clock.start();
    collector.reset(); // waits for the sweep, which then reports to nobody
    QVERIFY(clock.elapsed() < 2000);
    QTest::qWait(50);
}

void tst_PipeCollector::destroyedWhileIdle()
{
    auto collector = std::make_unique<PipeCollector>();
    QElapsedTimer clock;
    clock.start();
    collector.reset(); // stops the idle worker thread at once
    QVERIFY(clock.elapsed() < 1000);
}

void tst_PipeCollector::requestFromSweepFinishedStartsTheNextSweep()
{
    QTemporaryDir dir;
    PipeCollector collector;
    collector.setPipeDir(dir.path());
    QSignalSpy finished(&collector, &PipeCollector::sweepFinished);
    // A sweep is over by the time it is announced: a receiver asking for another gets one.
    bool askedAgain = false;
    connect(&collector, &PipeCollector::sweepFinished, &collector, [&] {
        QVERIFY(!collector.isSweeping());
        if (!askedAgain) {
            askedAgain = true;
            collector.requestSweep();
            QVERIFY(collector.isSweeping());
        }
    });

    collector.requestSweep();
    QTRY_COMPARE(finished.size(), 2);
    QVERIFY(resultOf(finished, 1) != resultOf(finished, 0));
    QVERIFY(!collector.isSweeping());
}

void tst_PipeCollector::refusedSocketIsWarnedOnce()
{
    QTemporaryDir dir;
    QProcess victim;
    victim.start(QStringLiteral("/bin/sleep"), {QStringLiteral("60")});
    QVERIFY(victim.waitForStarted());
    WriterProcess impostor;
    QVERIFY(impostor.start(dir.path(),
                           {QStringLiteral("--mode"), QStringLiteral("socket"),
                            QStringLiteral("--as-pid"), QString::number(victim.processId())}));
    PipeCollector collector;
    collector.setPipeDir(dir.path());
    QSignalSpy finished(&collector, &PipeCollector::sweepFinished);

    QTest::ignoreMessage(
        QtWarningMsg,
        qPrintable(QStringLiteral("refusing %1/%2.sock: served by process %3, not by process %2")
                       .arg(dir.path())
                       .arg(victim.processId())
                       .arg(impostor.pid())));
    collector.requestSweep();
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(resultOf(finished)->refused.size(), 1);
    QTest::failOnWarning(QRegularExpression(QStringLiteral("refusing")));
    collector.requestSweep();
    QTRY_COMPARE(finished.size(), 2);
    QCOMPARE(resultOf(finished, 1)->refused.size(), 1);
    victim.kill();
    victim.waitForFinished();
}

void tst_PipeCollector::silentPipeIsBackedOffAcrossSweeps()
{
    QTemporaryDir dir;
    WriterProcess silent;
    QVERIFY(silent.start(dir.path(), {QStringLiteral("--mode"), QStringLiteral("silent")}));
    PipeCollector collector;
    collector.setPipeDir(dir.path());
    collector.setTimeout(50);
    QSignalSpy finished(&collector, &PipeCollector::sweepFinished);

    for (int sweep = 1; sweep <= 4; ++sweep) {
        if (sweep == 4) {
            QTest::ignoreMessage(
                QtWarningMsg,
                qPrintable(QStringLiteral("process %1 gave no answer: missed the deadline in 3 "
                                          "sweeps in a row: left out of this sweep and 0 more")
                               .arg(silent.pid())));
        }
        collector.requestSweep();
        QTRY_COMPARE(finished.size(), sweep);
    }
    const auto last = resultOf(finished, 3);
    QCOMPARE(last->unansweredDetails.size(), 1);
    QCOMPARE(last->unansweredDetails.first().reason, UnansweredReason::BackedOff);
}

QTEST_GUILESS_MAIN(tst_PipeCollector)
#include "tst_pipecollector.moc"

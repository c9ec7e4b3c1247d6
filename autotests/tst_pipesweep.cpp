// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// PipeSweep: the collector contract of statvent-web, with real FIFOs and real writer processes.

#include "webservice-writers/fifofeeder.h"
#include "webservice-writers/writerprocess.h"
#include <statventweb/pipebackoff.h>
#include <statventweb/pipesweep.h>
#include <statventweb/processinfo.h>
#include <statventweb/statcombiner.h>

#include <statvent/pipedirectory.h>
#include <statvent/snapshotformat.h>

#include <QDir>
#include <QFile>
#include <QLocalServer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <limits>
#include <memory>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Statvent;
using namespace StatventWeb;

namespace {

const ProcessStats *findProcess(const SweepResult &result, qint64 pid)
{
    for (const ProcessStats &process : result.processes) {
        if (process.pid == pid)
            return &process;
    }
    return nullptr;
}

std::optional<StatValue> findStat(const ProcessStats &process, QByteArrayView name)
{
    for (const StatEntry &entry : process.stats) {
        if (entry.name == name)
            return entry.value;
    }
    return std::nullopt;
}

QString skipReason(const SweepResult &result, const QByteArray &name)
{
    for (const SkippedEntry &entry : result.skipped) {
        if (entry.name == name)
            return entry.reason;
    }
    return {};
}

//! The pid of a process that has exited and been reaped, so that no process holds it now.
qint64 reapedPid()
{
    QProcess process;
    process.start(QStringLiteral("/bin/true"));
    const qint64 pid = process.processId();
    process.waitForFinished();
    return pid;
}

QString pipeName(qint64 pid)
{
    return QFile::decodeName(PipeDirectory::pipeName(pid));
}

QString socketName(qint64 pid)
{
    return QFile::decodeName(PipeDirectory::socketName(pid));
}

const UnansweredProcess *findUnanswered(const SweepResult &result, qint64 pid)
{
    for (const UnansweredProcess &process : result.unansweredDetails) {
        if (process.pid == pid)
            return &process;
    }
    return nullptr;
}

std::optional<UnansweredReason> unansweredReason(const SweepResult &result, qint64 pid)
{
    const UnansweredProcess *process = findUnanswered(result, pid);
    return process ? std::optional(process->reason) : std::nullopt;
}

QString refusalOf(const SweepResult &result, const QByteArray &name)
{
    for (const RefusedEntry &entry : result.refused) {
        if (entry.name == name)
            return entry.reason;
    }
    return {};
}

//! The peak resident set of this process so far, in bytes.
qint64 peakResidentBytes()
{
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return qint64(usage.ru_maxrss) * 1024;
}

//! The user `nobody`, to make files as another user.
constexpr uint OtherUser = 65534;

bool makeFifo(const QString &path)
{
    return ::mkfifo(QFile::encodeName(path).constData(), 0644) == 0;
}

//! A process that just sleeps: a pid that is alive and has nothing to do with Statvent.
class Sleeper
{
public:
    Sleeper()
    {
        m_process.start(QStringLiteral("/bin/sleep"), {QStringLiteral("60")});
        m_process.waitForStarted();
    }
    ~Sleeper()
    {
        m_process.kill();
        m_process.waitForFinished();
    }
    qint64 pid() const { return m_process.processId(); }

private:
    QProcess m_process;
};

PipeSweep::Options optionsFor(const QTemporaryDir &dir, int timeoutMs = 2000)
{
    PipeSweep::Options options;
    options.directory = dir.path();
    options.timeoutMs = timeoutMs;
    return options;
}

} // namespace

class tst_PipeSweep : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void readsRecorderProcesses();
    void readsTheOriginalsSamples_data();
    void readsTheOriginalsSamples();
    void originalAndOursShareADirectory();
    void writerWaitingBeforeTheReaderEndsAtItsEndOfFile();
    void malformedLinesAreCountedNotFatal();
    void repeatedNamesAreRejected();
    void namesThatAreNotUtf8KeepTheirBytes();
    void longLinesAreRejected();
    void pipeTextIsBounded();
    void emptyAnswer();
    void emptyAnswerFromAReplacedFifoIsAskedAgain_data();
    void emptyAnswerFromAReplacedFifoIsAskedAgain();
    void strangersAreSkippedWithoutFollowingLinks();
    void dotfilesAreSkippedSilently();
    void deadProcessPipesAreRemovedWithoutWaiting();
    void killedRecorderPipeIsRemoved();
    void silentLiveProcessIsUnansweredAndKept_data();
    void silentLiveProcessIsUnansweredAndKept();
    void partialAnswerIsUnanswered();
    void lineCutShortIsRejected();
    void reusedPidPipeIsRemoved();
    void sweepTakesOneTimeoutNotOnePerPipe();
    void slowWritersAreReadConcurrently();
    void missingDirectoryIsAProblemNotAFailure();
    void repeatedLinesCostNoMemory();
    void floodsAreCutAtTheDeadlineWithoutStarvingOthers();
    void emptyAnswerIsNotAnAnswer();
    void silentPipeIsBackedOff();
    void newFifoEndsTheBackoff();
    void entryOfAnotherUserIsRefused_data();
    void entryOfAnotherUserIsRefused();
    void socketIsPreferredAndTyped();
    void incompleteSocketTextIsNoAnswer();
    void impostorSocketIsRefused();
    void staleSocketOfADeadProcessIsRemoved();
    void originalFifosAndSocketsSumAsBefore();
    void repeatedSocketRecordsCostNoMemory();
    void aSweepSharesThePreviousSweepsNames();
};

void tst_PipeSweep::initTestCase()
{
    // A reader that hangs up must not kill the test's own feeding threads.
    std::signal(SIGPIPE, SIG_IGN);
}

void tst_PipeSweep::readsRecorderProcesses()
{
    QTemporaryDir dir;
    WriterProcess first;
    WriterProcess second;
    QVERIFY(first.start(dir.path(),
                        {QStringLiteral("--stat"), QStringLiteral("requests=9223372036854775807"),
                         QStringLiteral("--stat"), QStringLiteral("load=0.5")}));
    QVERIFY(second.start(dir.path(), {QStringLiteral("--stats"), QStringLiteral("1000")}));

    const SweepResult result = PipeSweep::run(optionsFor(dir));
    QVERIFY2(result.problems.isEmpty(), qPrintable(result.problems.join(u'\n')));
    QCOMPARE(result.processes.size(), 2);
    QVERIFY(result.unanswered.isEmpty());
    QVERIFY(result.removed.isEmpty());
    QVERIFY(result.processes.at(0).pid < result.processes.at(1).pid); // by pid

    const ProcessStats *one = findProcess(result, first.pid());
    QVERIFY(one);
    QCOMPARE(findStat(*one, "requests"), StatValue(std::numeric_limits<qint64>::max()));
    QCOMPARE(findStat(*one, "load"), StatValue(0.5));
    const ProcessStats *two = findProcess(result, second.pid());
    QVERIFY(two);
    QCOMPARE(two->stats.size(), 1000);
    QCOMPARE(findStat(*two, "stat.999"), StatValue(999));
    QCOMPARE(two->rejectedLines, 0);

    // The pipes stay for the next reader, and answer it.
    QVERIFY(QFile::exists(dir.filePath(pipeName(first.pid()))));
    QCOMPARE(PipeSweep::run(optionsFor(dir)).processes.size(), 2);
}

void tst_PipeSweep::readsTheOriginalsSamples_data()
{
    QTest::addColumn<QString>("sample");
    QTest::addColumn<int>("statCount");
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<StatValue>("value");
    QTest::newRow("readme") << QStringLiteral("readme-example.stats") << 3
                            << QByteArray("My Nice Stat") << StatValue(123.45);
    QTest::newRow("demo") << QStringLiteral("demo-program.stats") << 7 << QByteArray("foo.bar")
                          << StatValue(150);
    QTest::newRow("percentiles") << QStringLiteral("percentiles.stats") << -1
                                 << QByteArray("latency.95th") << StatValue(95.0);
    QTest::newRow("tricky") << QStringLiteral("tricky-names.stats") << -1 << QByteArray("big")
                            << StatValue(std::numeric_limits<qint64>::max());
    QTest::newRow("colons") << QStringLiteral("tricky-names.stats") << -1 << QByteArray("a:b:c")
                            << StatValue(5);
    QTest::newRow("large") << QStringLiteral("large.stats") << 5500 << QByteArray() << StatValue();
}

void tst_PipeSweep::readsTheOriginalsSamples()
{
    QFETCH(QString, sample);
    QFETCH(int, statCount);
    QFETCH(QByteArray, name);
    QFETCH(StatValue, value);

    QFile file(QStringLiteral(STATVENT_SAMPLES_DIR "/") + sample);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QTemporaryDir dir;
    // Served the original's way (open for writing, write, close) under a live pid: this test's.
    FifoFeeder feeder(dir.filePath(pipeName(QCoreApplication::applicationPid())), file.readAll());
    QVERIFY(feeder.isValid());

    const SweepResult result = PipeSweep::run(optionsFor(dir));
    QCOMPARE(result.processes.size(), 1);
    const ProcessStats &process = result.processes.first();
    QCOMPARE(process.rejectedLines, 0);
    if (statCount >= 0)
        QCOMPARE(process.stats.size(), statCount);
    if (!name.isEmpty())
        QCOMPARE(findStat(process, name), value);
}

void tst_PipeSweep::originalAndOursShareADirectory()
{
    QTemporaryDir dir;
    WriterProcess original;
    WriterProcess ours;
    QVERIFY(original.startOriginal(dir.path(),
                                   {QStringLiteral("--stat"), QStringLiteral("My Nice Stat=123.45"),
                                    QStringLiteral("--stat"), QStringLiteral("a.b.c.d=42")}));
    QVERIFY(ours.start(dir.path(), {QStringLiteral("--stat"), QStringLiteral("a.b.c.d=42")}));

    // The original's pipe is missing for a moment after each read (its weakness 6), so a sweep
    // may find it absent or answered by a FIFO about to be removed: sweep until both answered.
    SweepResult result;
    for (int attempt = 0; attempt < 20; ++attempt) {
        result = PipeSweep::run(optionsFor(dir, 500));
        if (result.processes.size() == 2)
            break;
    }
    QCOMPARE(result.processes.size(), 2);
    QVERIFY(result.removed.isEmpty());
    const ProcessStats *fromOriginal = findProcess(result, original.pid());
    QVERIFY(fromOriginal);
    QCOMPARE(findStat(*fromOriginal, "My Nice Stat"), StatValue(123.45)); // %f: 123.450000
    QCOMPARE(findStat(*fromOriginal, "a.b.c.d"), StatValue(42));
    const ProcessStats *fromOurs = findProcess(result, ours.pid());
    QVERIFY(fromOurs);
    QCOMPARE(findStat(*fromOurs, "a.b.c.d"), StatValue(42));
}

void tst_PipeSweep::writerWaitingBeforeTheReaderEndsAtItsEndOfFile()
{
    QTemporaryDir dir;
    WriterProcess writer;
    // Like the original statvent, this writer waits in open() before any reader comes; it then
    // writes, and hangs up 300 ms later, long after the reader has drained the pipe. Some Linux
    // versions report no POLLHUP for a writer that connected before the reader did, so that
    // only read() returning 0 shows it left. The sweep must end then, not at the 5 s deadline.
    QVERIFY(
        writer.start(dir.path(),
                     {QStringLiteral("--mode"), QStringLiteral("slow"), QStringLiteral("--linger"),
                      QStringLiteral("300"), QStringLiteral("--stats"), QStringLiteral("3")}));

    const SweepResult result = PipeSweep::run(optionsFor(dir, 5000));
    QCOMPARE(result.processes.size(), 1);
    QCOMPARE(result.processes.first().stats.size(), 3);
    QVERIFY2(result.duration >= 0.29 && result.duration < 2.0,
             qPrintable(QString::number(result.duration)));
}

void tst_PipeSweep::malformedLinesAreCountedNotFatal()
{
    QFile file(QStringLiteral(STATVENT_SAMPLES_DIR "/malformed.stats"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QTemporaryDir dir;
    FifoFeeder feeder(dir.filePath(pipeName(QCoreApplication::applicationPid())), file.readAll());

    const SweepResult result = PipeSweep::run(optionsFor(dir));
    QCOMPARE(result.processes.size(), 1);
    const ProcessStats &process = result.processes.first();
    QVERIFY(process.rejectedLines > 0);
    QCOMPARE(process.rejections.first().lineNumber > 0, true);
    QCOMPARE(findStat(process, "good.one"), StatValue(1));
    QCOMPARE(findStat(process, "good.two"), StatValue(2.5));
    QCOMPARE(findStat(process, "good.three"), StatValue(3));
}

void tst_PipeSweep::repeatedNamesAreRejected()
{
    QTemporaryDir dir;
    FifoFeeder feeder(dir.filePath(pipeName(QCoreApplication::applicationPid())),
                      "a: 1\nb: 2\na: 3\n");

    const SweepResult result = PipeSweep::run(optionsFor(dir));
    QCOMPARE(result.processes.size(), 1);
    const ProcessStats &process = result.processes.first();
    QCOMPARE(process.stats, (Snapshot{{"a", 1}, {"b", 2}}));
    QCOMPARE(process.rejectedLines, 1);
}

void tst_PipeSweep::namesThatAreNotUtf8KeepTheirBytes()
{
    QTemporaryDir dir;
    FifoFeeder feeder(dir.filePath(pipeName(QCoreApplication::applicationPid())),
                      "caf\xe9: 1\n\xff\xfe: 2\n");

    const SweepResult result = PipeSweep::run(optionsFor(dir));
    QCOMPARE(result.processes.size(), 1);
    QCOMPARE(result.processes.first().stats, (Snapshot{{"caf\xe9", 1}, {"\xff\xfe", 2}}));
}

void tst_PipeSweep::longLinesAreRejected()
{
    QTemporaryDir dir;
    const QByteArray text = QByteArray(PipeFormat::MaxLineLength + 1, 'x') + ": 1\nafter: 2\n";
    FifoFeeder feeder(dir.filePath(pipeName(QCoreApplication::applicationPid())), text);

    const SweepResult result = PipeSweep::run(optionsFor(dir));
    QCOMPARE(result.processes.size(), 1);
    const ProcessStats &process = result.processes.first();
    QCOMPARE(process.stats, (Snapshot{{"after", 2}}));
    QCOMPARE(process.rejectedLines, 1);
    QCOMPARE(process.rejections.first().error, PipeFormat::LineError::LineTooLong);
}

void tst_PipeSweep::pipeTextIsBounded()
{
    QTemporaryDir dir;
    WriterProcess flood;
    QVERIFY(flood.start(dir.path(), {QStringLiteral("--mode"), QStringLiteral("flood")}));
    PipeSweep::Options options = optionsFor(dir, 5000);
    options.maxBytesPerPipe = 1 << 20;

    const SweepResult result = PipeSweep::run(options);
    QCOMPARE(result.processes.size(), 1);
    const ProcessStats &process = result.processes.first();
    QVERIFY(process.truncated);
    QCOMPARE(process.stats, (Snapshot{{"flood", 1}}));
    // Every complete line within the limit but the first repeats the name; plus the cut line.
    QCOMPARE(process.rejectedLines, (1 << 20) / qsizetype(sizeof("flood: 1\n") - 1) - 1 + 1);
    // An endless writer ends the read at the limit, not at the deadline.
    QVERIFY2(result.duration < 2.5, qPrintable(QString::number(result.duration)));
}

void tst_PipeSweep::emptyAnswer()
{
    QTemporaryDir dir;
    FifoFeeder feeder(dir.filePath(pipeName(QCoreApplication::applicationPid())), QByteArray());

    const SweepResult result = PipeSweep::run(optionsFor(dir));
    QVERIFY(result.processes.isEmpty());
    QCOMPARE(result.unanswered, QList<qint64>{QCoreApplication::applicationPid()});
    QCOMPARE(unansweredReason(result, QCoreApplication::applicationPid()), UnansweredReason::Empty);
}

void tst_PipeSweep::emptyAnswerFromAReplacedFifoIsAskedAgain_data()
{
    QTest::addColumn<QList<QByteArray>>("answers");
    QTest::addColumn<int>("expectedX"); // 0: no statistics
    QTest::addColumn<bool>("allAnswersTaken");
    // A recorder that two readers opened at once serves neither, and has a fresh FIFO in place.
    QTest::newRow("empty, then the snapshot") << QList<QByteArray>{{}, "x: 1\n"} << 1 << true;
    QTest::newRow("empty twice, then the snapshot")
        << QList<QByteArray>{{}, {}, "x: 2\n"} << 2 << true;
    // Retries are bounded: the fourth answer is never asked for.
    QTest::newRow("empty three times") << QList<QByteArray>{{}, {}, {}, "x: 3\n"} << 0 << false;
}

void tst_PipeSweep::emptyAnswerFromAReplacedFifoIsAskedAgain()
{
    QFETCH(QList<QByteArray>, answers);
    QFETCH(int, expectedX);
    QFETCH(bool, allAnswersTaken);
    QTemporaryDir dir;
    const FifoFeeder feeder(dir.filePath(pipeName(QCoreApplication::applicationPid())), answers);

    const SweepResult result = PipeSweep::run(optionsFor(dir));
    if (expectedX == 0) {
        // Empty after the retries: no answer, never a process without statistics.
        QVERIFY(result.processes.isEmpty());
        QCOMPARE(unansweredReason(result, QCoreApplication::applicationPid()),
                 UnansweredReason::Empty);
    } else {
        QVERIFY(result.unanswered.isEmpty());
        QCOMPARE(result.processes.size(), 1);
        QCOMPARE(findStat(result.processes.first(), "x"), StatValue(expectedX));
    }
    if (allAnswersTaken)
        QTRY_VERIFY(feeder.done()); // the feeder's thread notes it after its last close
    else
        QVERIFY(!feeder.done());
}

void tst_PipeSweep::strangersAreSkippedWithoutFollowingLinks()
{
    QTemporaryDir dir;
    QTemporaryDir elsewhere;
    // Every stranger carries the name of a live process, so that only its type can exclude it.
    std::vector<std::unique_ptr<Sleeper>> sleepers;
    auto liveName = [&sleepers] {
        sleepers.push_back(std::make_unique<Sleeper>());
        return pipeName(sleepers.back()->pid());
    };

    const QString toDevZero = liveName();
    QVERIFY(QFile::link(QStringLiteral("/dev/zero"), dir.filePath(toDevZero)));
    FifoFeeder target(elsewhere.filePath(QStringLiteral("target")), "followed: 1\n");
    QVERIFY(target.isValid());
    const QString toFifo = liveName();
    QVERIFY(QFile::link(elsewhere.filePath(QStringLiteral("target")), dir.filePath(toFifo)));
    QFile regular(elsewhere.filePath(QStringLiteral("regular")));
    QVERIFY(regular.open(QIODevice::WriteOnly));
    regular.write("followed: 1\n");
    regular.close();
    const QString toRegular = liveName();
    QVERIFY(QFile::link(regular.fileName(), dir.filePath(toRegular)));
    const QString regularFile = liveName();
    QVERIFY(QFile::copy(regular.fileName(), dir.filePath(regularFile)));
    const QString directory = liveName();
    QVERIFY(QDir(dir.path()).mkdir(directory));
    const QString socketName = liveName();
    QLocalServer socket;
    socket.setSocketOptions(QLocalServer::UserAccessOption);
    QVERIFY(socket.listen(dir.filePath(socketName)));
    QVERIFY(makeFifo(dir.filePath(QStringLiteral("notes"))));

    const SweepResult result = PipeSweep::run(optionsFor(dir, 300));
    QVERIFY(result.processes.isEmpty());
    QVERIFY(result.unanswered.isEmpty());
    QVERIFY(result.removed.isEmpty());
    QCOMPARE(result.skipped.size(), 7);
    QCOMPARE(skipReason(result, toDevZero.toUtf8()), QStringLiteral("a symbolic link, not a FIFO"));
    QCOMPARE(skipReason(result, toFifo.toUtf8()), QStringLiteral("a symbolic link, not a FIFO"));
    QCOMPARE(skipReason(result, toRegular.toUtf8()), QStringLiteral("a symbolic link, not a FIFO"));
    QCOMPARE(skipReason(result, regularFile.toUtf8()),
             QStringLiteral("a regular file, not a FIFO"));
    QCOMPARE(skipReason(result, directory.toUtf8()), QStringLiteral("a directory, not a FIFO"));
    QCOMPARE(skipReason(result, socketName.toUtf8()), QStringLiteral("a socket, not a FIFO"));
    QCOMPARE(skipReason(result, "notes"),
             QStringLiteral("not named <pid>.stats or <pid>.sock (a FIFO)"));
    // Nothing was opened through a link, and nothing that is not a stale pipe was removed.
    QVERIFY(!target.readerCame());
    QCOMPARE(
        QDir(dir.path()).entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot).size(),
        7);
}

void tst_PipeSweep::dotfilesAreSkippedSilently()
{
    QTemporaryDir dir;
    // A recorder's temporary FIFO, under a dead pid: neither read, nor reported, nor removed.
    const QString spare = QStringLiteral(".%1.stats.tmp").arg(reapedPid());
    QVERIFY(makeFifo(dir.filePath(spare)));

    const SweepResult result = PipeSweep::run(optionsFor(dir));
    QVERIFY(result.skipped.isEmpty());
    QVERIFY(result.removed.isEmpty());
    QVERIFY(result.problems.isEmpty());
    QVERIFY(QFile::exists(dir.filePath(spare)));
}

void tst_PipeSweep::deadProcessPipesAreRemovedWithoutWaiting()
{
    QTemporaryDir dir;
    QList<qint64> dead;
    for (int i = 0; i < 5; ++i) {
        dead.append(reapedPid());
        QVERIFY(makeFifo(dir.filePath(pipeName(dead.last()))));
    }
    std::sort(dead.begin(), dead.end());

    const SweepResult result = PipeSweep::run(optionsFor(dir, 5000));
    QCOMPARE(result.removed, dead);
    QVERIFY(result.unanswered.isEmpty());
    QVERIFY(QDir(dir.path()).isEmpty());
    // Recognised as dead from the pid alone: the sweep did not wait for the 5 s deadline.
    QVERIFY2(result.duration < 1.0, qPrintable(QString::number(result.duration)));
}

void tst_PipeSweep::killedRecorderPipeIsRemoved()
{
    QTemporaryDir dir;
    WriterProcess writer;
    QVERIFY(writer.start(dir.path()));
    const qint64 pid = writer.pid();
    writer.kill(); // SIGKILL: the recorder cannot remove its pipe
    QVERIFY(QFile::exists(dir.filePath(pipeName(pid))));

    QTest::ignoreMessage(
        QtInfoMsg,
        qPrintable(QStringLiteral("removed stale pipe %1/%2: process %3 no longer exists")
                       .arg(dir.path(), pipeName(pid))
                       .arg(pid)));
    // The recorder's next FIFO exists only for the instant of a swap; a kill that lands then
    // leaves it behind too.
    const QString spare = QLatin1Char('.') + pipeName(pid) + QStringLiteral(".next");
    QVERIFY(makeFifo(dir.filePath(spare)));
    const SweepResult result = PipeSweep::run(optionsFor(dir));
    QCOMPARE(result.removed, QList<qint64>{pid});
    QVERIFY(!QFile::exists(dir.filePath(pipeName(pid))));
    QVERIFY(!QFile::exists(dir.filePath(spare)));
}

void tst_PipeSweep::silentLiveProcessIsUnansweredAndKept_data()
{
    QTest::addColumn<QString>("mode");
    QTest::newRow("FIFO never opened") << QStringLiteral("silent");
    QTest::newRow("FIFO held open, never written") << QStringLiteral("stuck");
}

void tst_PipeSweep::silentLiveProcessIsUnansweredAndKept()
{
    QFETCH(QString, mode);
    QTemporaryDir dir;
    WriterProcess silent;
    QVERIFY(silent.start(dir.path(), {QStringLiteral("--mode"), mode}));

    for (int sweep = 0; sweep < 2; ++sweep) { // reported again, never removed
        const SweepResult result = PipeSweep::run(optionsFor(dir, 200));
        QCOMPARE(result.unanswered, QList<qint64>{silent.pid()});
        QVERIFY(result.removed.isEmpty());
        QVERIFY(result.processes.isEmpty());
        QVERIFY(QFile::exists(dir.filePath(pipeName(silent.pid()))));
    }
}

void tst_PipeSweep::partialAnswerIsUnanswered()
{
    QTemporaryDir dir;
    WriterProcess partial;
    QVERIFY(partial.start(dir.path(),
                          {QStringLiteral("--mode"), QStringLiteral("partial"),
                           QStringLiteral("--stats"), QStringLiteral("100")}));

    const SweepResult result = PipeSweep::run(optionsFor(dir, 300));
    // Half a snapshot would make totals wrong: it counts as no answer.
    QCOMPARE(result.unanswered, QList<qint64>{partial.pid()});
    QVERIFY(result.processes.isEmpty());
    QVERIFY(QFile::exists(dir.filePath(pipeName(partial.pid()))));
}

void tst_PipeSweep::lineCutShortIsRejected()
{
    QTemporaryDir dir;
    Sleeper owner; // a live pid for the pipe, so that it is read, not removed
    const QString path = dir.filePath(pipeName(owner.pid()));
    QVERIFY(makeFifo(path));
    // A writer that dies in the middle of its last line.
    QProcess writer;
    writer.start(QStringLiteral("/bin/sh"),
                 {QStringLiteral("-c"), QStringLiteral("printf 'a: 1\\nc: 1234' > \"$1\""),
                  QStringLiteral("sh"), path});
    QVERIFY(writer.waitForStarted());

    const SweepResult result = PipeSweep::run(optionsFor(dir));
    QVERIFY(writer.waitForFinished());
    QCOMPARE(result.processes.size(), 1);
    const ProcessStats &process = result.processes.first();
    QCOMPARE(process.stats.size(), 1);
    QCOMPARE(process.stats.first().name, QByteArray("a"));
    QCOMPARE(process.rejectedLines, 1);
}

void tst_PipeSweep::reusedPidPipeIsRemoved()
{
    QTemporaryDir dir;
    WriterProcess silent;
    QVERIFY(silent.start(dir.path(), {QStringLiteral("--mode"), QStringLiteral("silent")}));
    // Make the pipe look an hour older than the process that holds its pid now: the pipe of an
    // earlier process whose pid was reused.
    const QByteArray path = QFile::encodeName(dir.filePath(pipeName(silent.pid())));
    struct timespec times[2];
    ::clock_gettime(CLOCK_REALTIME, &times[0]);
    times[0].tv_sec -= 3600;
    times[1] = times[0];
    QCOMPARE(::utimensat(AT_FDCWD, path.constData(), times, AT_SYMLINK_NOFOLLOW), 0);

    QTest::ignoreMessage(
        QtInfoMsg,
        qPrintable(QStringLiteral("removed stale pipe %1: pid %2 now belongs to a process started "
                                  "after the pipe was made")
                       .arg(QFile::decodeName(path))
                       .arg(silent.pid())));
    const SweepResult result = PipeSweep::run(optionsFor(dir, 200));
    QCOMPARE(result.removed, QList<qint64>{silent.pid()});
    QVERIFY(result.unanswered.isEmpty());
    QVERIFY(!QFile::exists(QFile::decodeName(path)));
}

void tst_PipeSweep::sweepTakesOneTimeoutNotOnePerPipe()
{
    QTemporaryDir dir;
    std::vector<std::unique_ptr<WriterProcess>> writers;
    for (int i = 0; i < 10; ++i) {
        writers.push_back(std::make_unique<WriterProcess>());
        QVERIFY(writers.back()->start(dir.path(),
                                      {QStringLiteral("--mode"), QStringLiteral("silent")}));
    }
    WriterProcess answering;
    QVERIFY(answering.start(dir.path(), {QStringLiteral("--stats"), QStringLiteral("10")}));

    const SweepResult result = PipeSweep::run(optionsFor(dir, 300));
    QCOMPARE(result.unanswered.size(), 10);
    QCOMPARE(result.processes.size(), 1);
    // One deadline for the sweep: about 0.3 s, where one timeout per pipe would take 3 s.
    QVERIFY2(result.duration >= 0.29 && result.duration < 1.5,
             qPrintable(QString::number(result.duration)));
}

void tst_PipeSweep::slowWritersAreReadConcurrently()
{
    QTemporaryDir dir;
    std::vector<std::unique_ptr<WriterProcess>> writers;
    for (int i = 0; i < 8; ++i) {
        writers.push_back(std::make_unique<WriterProcess>());
        QVERIFY(writers.back()->start(dir.path(),
                                      {QStringLiteral("--mode"), QStringLiteral("slow"),
                                       QStringLiteral("--delay"), QStringLiteral("250"),
                                       QStringLiteral("--stats"), QStringLiteral("5")}));
    }

    const SweepResult result = PipeSweep::run(optionsFor(dir, 5000));
    QCOMPARE(result.processes.size(), 8);
    QVERIFY(result.unanswered.isEmpty());
    // About as long as the slowest writer (0.25 s), not the sum of them (2 s).
    QVERIFY2(result.duration >= 0.24 && result.duration < 1.5,
             qPrintable(QString::number(result.duration)));
}

void tst_PipeSweep::missingDirectoryIsAProblemNotAFailure()
{
    QTemporaryDir dir;
    PipeSweep::Options options = optionsFor(dir);
    options.directory = dir.filePath(QStringLiteral("missing"));

    const SweepResult result = PipeSweep::run(options);
    QVERIFY(result.processes.isEmpty());
    QCOMPARE(
        result.problems,
        QStringList{
            QStringLiteral(
                "pipe directory %1 does not exist (yet): no process has started a recorder there")
                .arg(options.directory)});
    QVERIFY(result.timestamp > 0);
}

void tst_PipeSweep::repeatedLinesCostNoMemory()
{
    QTemporaryDir dir;
    WriterProcess flood;
    constexpr qint64 TextBytes = qint64(32) * 1024 * 1024;
    QVERIFY(flood.start(dir.path(),
                        {QStringLiteral("--mode"), QStringLiteral("flood"),
                         QStringLiteral("--flood-line"), QStringLiteral("a:1"),
                         QStringLiteral("--flood-bytes"), QString::number(TextBytes)}));
    const qint64 peakBefore = peakResidentBytes();

    // Time enough to read it all: what is measured is the memory the text costs.
    const SweepResult result = PipeSweep::run(optionsFor(dir, 60000));
    QCOMPARE(result.processes.size(), 1);
    const ProcessStats &process = result.processes.first();
    QCOMPARE(process.stats, (Snapshot{{"a", 1}}));
    QCOMPARE(process.rejectedLines, TextBytes / 4 - 1);
    QVERIFY(!process.truncated);
    // 8 M repeated lines cost nothing beyond the reading: not a copy of the text, not a row each.
    const qint64 growth = peakResidentBytes() - peakBefore;
    QVERIFY2(growth < TextBytes / 4,
             qPrintable(QStringLiteral("peak grew by %1 bytes").arg(growth)));
}

void tst_PipeSweep::floodsAreCutAtTheDeadlineWithoutStarvingOthers()
{
    QTemporaryDir dir;
    std::vector<std::unique_ptr<WriterProcess>> floods;
    for (int i = 0; i < 3; ++i) {
        floods.push_back(std::make_unique<WriterProcess>());
        QVERIFY(
            floods.back()->start(dir.path(), {QStringLiteral("--mode"), QStringLiteral("flood")}));
    }
    WriterProcess first;
    WriterProcess second;
    QVERIFY(first.start(dir.path(), {QStringLiteral("--stats"), QStringLiteral("1000")}));
    QVERIFY(second.start(dir.path(), {QStringLiteral("--stat"), QStringLiteral("x=1")}));
    PipeSweep::Options options = optionsFor(dir, 300);
    options.maxBytesPerPipe = qint64(1) << 40; // never reached: only the deadline ends a flood

    const SweepResult result = PipeSweep::run(options);
    QCOMPARE(result.processes.size(), 2);
    QVERIFY(findProcess(result, first.pid()));
    QVERIFY(findProcess(result, second.pid()));
    for (const auto &flood : floods) {
        const UnansweredProcess *cut = findUnanswered(result, flood->pid());
        QVERIFY(cut);
        QCOMPARE(cut->reason, UnansweredReason::Unfinished);
        QVERIFY2(cut->detail.contains(u"still sending at the deadline"), qPrintable(cut->detail));
    }
    // The deadline holds while reading: 0.3 s, plus at most one chunk's parsing.
    QVERIFY2(result.duration < 1.0, qPrintable(QString::number(result.duration)));
}

void tst_PipeSweep::emptyAnswerIsNotAnAnswer()
{
    // Two readers at the same instant: the recorder serves neither, and both must ask again or
    // report no answer; a process counted with no statistics would lower every total.
    QTemporaryDir dir;
    FifoFeeder feeder(dir.filePath(pipeName(QCoreApplication::applicationPid())),
                      QList<QByteArray>{{}, {}, {}, {}});

    const SweepResult result = PipeSweep::run(optionsFor(dir));
    QVERIFY(result.processes.isEmpty());
    const UnansweredProcess *empty = findUnanswered(result, QCoreApplication::applicationPid());
    QVERIFY(empty);
    QCOMPARE(empty->reason, UnansweredReason::Empty);
    QCOMPARE(empty->detail, QStringLiteral("its FIFO sent nothing, also when asked 2 more times"));
}

void tst_PipeSweep::silentPipeIsBackedOff()
{
    QTemporaryDir dir;
    WriterProcess silent;
    QVERIFY(silent.start(dir.path(), {QStringLiteral("--mode"), QStringLiteral("silent")}));
    PipeBackoff backoff;
    // Which sweeps ask the pipe: three misses in a row, then 1, 2, 4 sweeps left out between tries.
    const QList<bool> asked{true, true,  true,  false, true,  false, false,
                            true, false, false, false, false, true};
    for (qsizetype sweep = 0; sweep < asked.size(); ++sweep) {
        const SweepResult result = PipeSweep::run(optionsFor(dir, 100), &backoff);
        QCOMPARE(result.unanswered, QList<qint64>{silent.pid()});
        QCOMPARE(unansweredReason(result, silent.pid()),
                 asked.at(sweep) ? UnansweredReason::NoAnswer : UnansweredReason::BackedOff);
        if (!asked.at(sweep)) {
            // Left out: the sweep does not wait for it.
            QVERIFY2(result.duration < 0.09, qPrintable(QString::number(result.duration)));
        }
        QVERIFY(QFile::exists(dir.filePath(pipeName(silent.pid()))));
    }
}

void tst_PipeSweep::newFifoEndsTheBackoff()
{
    QTemporaryDir dir;
    const qint64 pid = QCoreApplication::applicationPid();
    QVERIFY(makeFifo(dir.filePath(pipeName(pid))));
    PipeBackoff backoff;
    for (int sweep = 0; sweep < PipeBackoff::FailuresBeforeBackingOff; ++sweep)
        QCOMPARE(unansweredReason(PipeSweep::run(optionsFor(dir, 50), &backoff), pid),
                 UnansweredReason::NoAnswer);
    QCOMPARE(unansweredReason(PipeSweep::run(optionsFor(dir, 50), &backoff), pid),
             UnansweredReason::BackedOff);

    // A new FIFO in its place (a restarted recorder) is asked at once, and answers.
    QVERIFY(QFile::remove(dir.filePath(pipeName(pid))));
    FifoFeeder feeder(dir.filePath(pipeName(pid)), "x: 1\n");
    QCOMPARE(PipeSweep::run(optionsFor(dir, 2000), &backoff).processes.size(), 1);
    QCOMPARE(backoff.size(), 0);
}

void tst_PipeSweep::entryOfAnotherUserIsRefused_data()
{
    QTest::addColumn<bool>("init");
    QTest::newRow("a victim's pid") << false;
    QTest::newRow("1.stats, init's pid") << true;
}

void tst_PipeSweep::entryOfAnotherUserIsRefused()
{
    QFETCH(bool, init);
    if (::geteuid() != 0)
        QSKIP("needs root: makes files as another user (nobody) with setpriv");
    QTemporaryDir dir;
    // Set up as docs/DEPLOYMENT.md describes: everybody may make entries in the directory.
    QVERIFY(::chmod(QFile::encodeName(dir.path()).constData(), 01777) == 0);
    Sleeper victim;
    const qint64 pid = init ? 1 : victim.pid();
    const std::optional<ProcessInfo::UserIds> owner = ProcessInfo::userIds(pid);
    QVERIFY(owner);
    if (owner->contains(OtherUser))
        QSKIP("process 1 runs as nobody here");
    WriterProcess impostor;
    QVERIFY(impostor.startAs(OtherUser, OtherUser, dir.path(),
                             {QStringLiteral("--mode"), QStringLiteral("slow"),
                              QStringLiteral("--as-pid"), QString::number(pid),
                              QStringLiteral("--stat"), QStringLiteral("x=666")}));
    struct stat status;
    QCOMPARE(::stat(QFile::encodeName(dir.filePath(pipeName(pid))).constData(), &status), 0);
    QCOMPARE(status.st_uid, OtherUser);

    const SweepResult result = PipeSweep::run(optionsFor(dir, 300));
    QVERIFY(result.processes.isEmpty());
    QVERIFY(result.unanswered.isEmpty());
    QCOMPARE(result.refused.size(), 1);
    QCOMPARE(result.refused.first().pid, pid);
    QCOMPARE(refusalOf(result, pipeName(pid).toUtf8()),
             QStringLiteral("owned by uid %1, but process %2 runs as uid %3")
                 .arg(OtherUser)
                 .arg(pid)
                 .arg(owner->effective));
    QVERIFY(QFile::exists(dir.filePath(pipeName(pid)))); // refused, not removed
}

void tst_PipeSweep::socketIsPreferredAndTyped()
{
    QTemporaryDir dir;
    WriterProcess writer;
    // Its FIFO never answers: a sweep that asked it would wait the whole 5 s.
    QVERIFY(writer.start(dir.path(),
                         {QStringLiteral("--mode"), QStringLiteral("socket"),
                          QStringLiteral("--counter"), QStringLiteral("requests=5"),
                          QStringLiteral("--stat"), QStringLiteral("load=0.5"),
                          QStringLiteral("--with-window"), QStringLiteral("--silent-fifo")}));
    QVERIFY(QFile::exists(dir.filePath(pipeName(writer.pid()))));

    const SweepResult result = PipeSweep::run(optionsFor(dir, 5000));
    QVERIFY2(result.duration < 2.0, qPrintable(QString::number(result.duration)));
    QVERIFY(result.unanswered.isEmpty());
    QVERIFY(result.refused.isEmpty());
    QCOMPARE(result.processes.size(), 1);
    const ProcessStats &process = result.processes.first();
    QCOMPARE(process.channel, Channel::Socket);
    QCOMPARE(process.rejectedLines, 0);
    QCOMPARE(process.stats.size(), 4);
    const auto kindOf = [&process](QByteArrayView name) {
        for (const StatEntry &entry : process.stats) {
            if (entry.name == name)
                return std::optional(entry.kind);
        }
        return std::optional<StatKind>();
    };
    QCOMPARE(findStat(process, "requests"), StatValue(5));
    QCOMPARE(kindOf("requests"), StatKind::Counter);
    QCOMPARE(kindOf("load"), StatKind::Gauge);
    QCOMPARE(kindOf("latency.median"), StatKind::Window);
    QCOMPARE(process.stats.at(2).name, QByteArray("latency.median"));
    QCOMPARE(process.windows.size(), 1);
    const WindowStats &window = process.windows.first();
    QCOMPARE(window.name, QByteArray("latency.{0}"));
    QCOMPARE(window.count, 4);
    QCOMPARE(window.sum, 10.0);
    QCOMPARE(window.firstRow, 2);
    QCOMPARE(window.rowCount, 2);
    QCOMPARE(window.labels, (QList<QByteArray>{"median", "mean"}));
}

void tst_PipeSweep::incompleteSocketTextIsNoAnswer()
{
    QTemporaryDir dir;
    WriterProcess writer;
    QVERIFY(
        writer.start(dir.path(),
                     {QStringLiteral("--mode"), QStringLiteral("socket"), QStringLiteral("--stats"),
                      QStringLiteral("10"), QStringLiteral("--cut")}));

    const SweepResult result = PipeSweep::run(optionsFor(dir));
    QVERIFY(result.processes.isEmpty());
    const UnansweredProcess *cut = findUnanswered(result, writer.pid());
    QVERIFY(cut);
    QCOMPARE(cut->channel, Channel::Socket);
    QCOMPARE(cut->reason, UnansweredReason::Incomplete);
    QVERIFY2(cut->detail.contains(SnapshotFormat::describe(SnapshotFormat::Error::NoEnd)),
             qPrintable(cut->detail));
}

void tst_PipeSweep::impostorSocketIsRefused()
{
    QTemporaryDir dir;
    Sleeper victim;
    WriterProcess impostor;
    QVERIFY(impostor.start(dir.path(),
                           {QStringLiteral("--mode"), QStringLiteral("socket"),
                            QStringLiteral("--as-pid"), QString::number(victim.pid()),
                            QStringLiteral("--stat"), QStringLiteral("x=666")}));
    WriterProcess honest;
    QVERIFY(honest.start(dir.path(),
                         {QStringLiteral("--mode"), QStringLiteral("socket"),
                          QStringLiteral("--stat"), QStringLiteral("x=1")}));

    const SweepResult result = PipeSweep::run(optionsFor(dir));
    QCOMPARE(result.processes.size(), 1);
    QCOMPARE(result.processes.first().pid, honest.pid());
    QVERIFY(result.unanswered.isEmpty());
    QCOMPARE(result.refused.size(), 1);
    QCOMPARE(refusalOf(result, socketName(victim.pid()).toUtf8()),
             QStringLiteral("served by process %1, not by process %2")
                 .arg(impostor.pid())
                 .arg(victim.pid()));
    QCOMPARE(StatCombiner::combine(result.processes, StatCombiner::Mode::Sum),
             (Snapshot{{"x", 1}}));
    QVERIFY(QFile::exists(dir.filePath(socketName(victim.pid()))));
}

void tst_PipeSweep::staleSocketOfADeadProcessIsRemoved()
{
    QTemporaryDir dir;
    WriterProcess writer;
    QVERIFY(writer.start(dir.path(), {QStringLiteral("--mode"), QStringLiteral("socket")}));
    const qint64 pid = writer.pid();
    writer.kill();
    QVERIFY(QFile::exists(dir.filePath(socketName(pid))));

    QTest::ignoreMessage(
        QtInfoMsg,
        qPrintable(QStringLiteral("removed stale pipe %1/%2: process %3 no longer exists")
                       .arg(dir.path(), socketName(pid))
                       .arg(pid)));
    // The recorder makes its next socket under the spare name before renaming it into place;
    // a kill that lands then leaves that behind too.
    const QString spare = QLatin1Char('.') + pipeName(pid) + QStringLiteral(".next");
    QLocalServer spareSocket;
    QVERIFY(spareSocket.listen(dir.filePath(spare)));
    const SweepResult result = PipeSweep::run(optionsFor(dir, 5000));
    QCOMPARE(result.removed, QList<qint64>{pid});
    QVERIFY(result.unanswered.isEmpty());
    QVERIFY(!QFile::exists(dir.filePath(socketName(pid))));
    QVERIFY(!QFile::exists(dir.filePath(spare)));
    QVERIFY2(result.duration < 1.0, qPrintable(QString::number(result.duration)));
}

void tst_PipeSweep::originalFifosAndSocketsSumAsBefore()
{
    QTemporaryDir dir;
    std::vector<std::unique_ptr<WriterProcess>> writers;
    for (int i = 0; i < 2; ++i) {
        writers.push_back(std::make_unique<WriterProcess>());
        QVERIFY(
            writers.back()->startOriginal(dir.path(),
                                          {QStringLiteral("--stat"), QStringLiteral("requests=10"),
                                           QStringLiteral("--stat"), QStringLiteral("load=0.25")}));
    }
    for (int i = 0; i < 3; ++i) {
        writers.push_back(std::make_unique<WriterProcess>());
        QVERIFY(writers.back()->start(dir.path(),
                                      {QStringLiteral("--mode"), QStringLiteral("socket"),
                                       QStringLiteral("--counter"), QStringLiteral("requests=100"),
                                       QStringLiteral("--stat"), QStringLiteral("load=0.5")}));
    }

    // The original's pipe is missing for a moment after each read: sweep until all answered.
    SweepResult result;
    for (int attempt = 0; attempt < 20 && result.processes.size() != 5; ++attempt)
        result = PipeSweep::run(optionsFor(dir, 500));
    QCOMPARE(result.processes.size(), 5);
    int overSockets = 0;
    for (const ProcessStats &process : result.processes)
        overSockets += process.channel == Channel::Socket ? 1 : 0;
    QCOMPARE(overSockets, 3);
    const Snapshot sums = StatCombiner::combine(result.processes, StatCombiner::Mode::Sum);
    QCOMPARE(sums.size(), 2);
    for (const StatEntry &entry : sums) {
        if (entry.name == "requests")
            QCOMPARE(entry.value, StatValue(320));
        else
            QCOMPARE(entry.value, StatValue(2.0));
    }
}

void tst_PipeSweep::aSweepSharesThePreviousSweepsNames()
{
    QTemporaryDir dir;
    WriterProcess original;
    QVERIFY(original.startOriginal(dir.path(),
                                   {QStringLiteral("--stat"), QStringLiteral("requests=10"),
                                    QStringLiteral("--stat"), QStringLiteral("load=0.25")}));
    WriterProcess ours;
    QVERIFY(
        ours.start(dir.path(),
                   {QStringLiteral("--mode"), QStringLiteral("socket"), QStringLiteral("--counter"),
                    QStringLiteral("requests=100"), QStringLiteral("--stat"),
                    QStringLiteral("load=0.5"), QStringLiteral("--with-window")}));
    const auto sweepUntilBothAnswer = [&](const QList<ProcessStats> &previous) {
        SweepResult result;
        for (int attempt = 0; attempt < 20 && result.processes.size() != 2; ++attempt)
            result = PipeSweep::run(optionsFor(dir, 500), nullptr, previous);
        return result;
    };
    const SweepResult first = sweepUntilBothAnswer({});
    QCOMPARE(first.processes.size(), 2);
    const SweepResult second = sweepUntilBothAnswer(first.processes);
    QCOMPARE(second.processes.size(), 2);

    for (int i = 0; i < 2; ++i) {
        const ProcessStats &before = first.processes[i];
        const ProcessStats &now = second.processes[i];
        QCOMPARE(now.pid, before.pid);
        // The same answer as without the previous sweep, its names the previous sweep's bytes.
        QCOMPARE(now.stats, before.stats);
        QVERIFY(!now.stats.isEmpty());
        for (qsizetype row = 0; row < now.stats.size(); ++row)
            QCOMPARE(static_cast<const void *>(now.stats[row].name.constData()),
                     static_cast<const void *>(before.stats[row].name.constData()));
        QCOMPARE(now.windows.size(), before.windows.size());
        for (qsizetype w = 0; w < now.windows.size(); ++w)
            QCOMPARE(static_cast<const void *>(now.windows[w].name.constData()),
                     static_cast<const void *>(before.windows[w].name.constData()));
    }
    // One answer of each door.
    QVERIFY(second.processes[0].channel != second.processes[1].channel);
}

void tst_PipeSweep::repeatedSocketRecordsCostNoMemory()
{
    QTemporaryDir dir;
    WriterProcess flood;
    constexpr qint64 TextBytes = qint64(64) * 1024 * 1024;
    const QByteArray line = "gauge 1 a\n";
    QVERIFY(flood.start(dir.path(),
                        {QStringLiteral("--mode"), QStringLiteral("socket"),
                         QStringLiteral("--flood-line"), QString::fromLatin1(line.chopped(1)),
                         QStringLiteral("--flood-bytes"), QString::number(TextBytes)}));
    const qint64 peakBefore = peakResidentBytes();

    // Time enough to read it all: what is measured is the memory the text costs.
    PipeSweep::Options options = optionsFor(dir, 120000);
    options.maxBytesPerPipe = TextBytes + 1024; // with its header and end record
    const SweepResult result = PipeSweep::run(options);
    QVERIFY2(result.unansweredDetails.isEmpty(),
             qPrintable(result.unansweredDetails.value(0).detail));
    QCOMPARE(result.processes.size(), 1);
    const ProcessStats &process = result.processes.first();
    // 6.7 M repeated records cost nothing beyond the reading: not the text, not a row each.
    const qint64 growth = peakResidentBytes() - peakBefore;
    QVERIFY2(growth < TextBytes, qPrintable(QStringLiteral("peak grew by %1 bytes").arg(growth)));
    QCOMPARE(process.channel, Channel::Socket);
    QCOMPARE(process.stats, (Snapshot{{"a", 1, StatKind::Gauge}}));
    const qint64 records = TextBytes / line.size();
    QCOMPARE(process.rejectedLines, records - 1);
    QCOMPARE(process.snapshotRejections.size(), SnapshotFormat::MaxReportedRejections);
    QCOMPARE(process.snapshotRejections.first().lineNumber, 3); // after the header and the first
    QCOMPARE(process.snapshotRejections.first().error, SnapshotFormat::Error::RepeatedName);

    // The deadline holds while a socket is sending, as for a FIFO: cut there, unless read whole.
    options.timeoutMs = 50;
    const SweepResult cut = PipeSweep::run(options);
    if (const UnansweredProcess *unanswered = findUnanswered(cut, flood.pid())) {
        QVERIFY2(unanswered->reason == UnansweredReason::Unfinished
                     || unanswered->reason == UnansweredReason::NoAnswer,
                 qPrintable(unanswered->detail));
    } else {
        QCOMPARE(cut.processes.size(), 1);
    }
    QVERIFY2(cut.duration < 0.75, qPrintable(QString::number(cut.duration)));

    // And so does the byte limit: the text is not counted at all.
    options.timeoutMs = 60000;
    options.maxBytesPerPipe = 1 << 20;
    const SweepResult limited = PipeSweep::run(options);
    QVERIFY(limited.processes.isEmpty());
    const UnansweredProcess *tooLong = findUnanswered(limited, flood.pid());
    QVERIFY(tooLong);
    QCOMPARE(tooLong->reason, UnansweredReason::Incomplete);
    QVERIFY2(tooLong->detail.contains(u"sent more than 1048576 bytes"),
             qPrintable(tooLong->detail));
}

QTEST_GUILESS_MAIN(tst_PipeSweep)
#include "tst_pipesweep.moc"

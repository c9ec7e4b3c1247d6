// SPDX-License-Identifier: MIT
// PipeSweep: the collector contract of statvent-web, with real FIFOs and real writer processes.

#include <statventweb/pipesweep.h>
#include "webservice-writers/fifofeeder.h"
#include "webservice-writers/writerprocess.h"

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
    return QStringLiteral("%1.stats").arg(pid);
}

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
    void pidFromName_data();
    void pidFromName();
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
};

void tst_PipeSweep::initTestCase()
{
    // A reader that hangs up must not kill the test's own feeding threads.
    std::signal(SIGPIPE, SIG_IGN);
}

void tst_PipeSweep::pidFromName_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<qint64>("pid");
    QTest::newRow("pid") << QByteArray("1234.stats") << qint64(1234);
    QTest::newRow("pid 1") << QByteArray("1.stats") << qint64(1);
    QTest::newRow("largest pid_t") << QByteArray("2147483647.stats") << qint64(2147483647);
    QTest::newRow("beyond pid_t") << QByteArray("2147483648.stats") << qint64(0);
    QTest::newRow("eleven digits") << QByteArray("12345678901.stats") << qint64(0);
    QTest::newRow("zero") << QByteArray("0.stats") << qint64(0);
    QTest::newRow("leading zero") << QByteArray("0123.stats") << qint64(0);
    QTest::newRow("sign") << QByteArray("+12.stats") << qint64(0);
    QTest::newRow("negative") << QByteArray("-12.stats") << qint64(0);
    QTest::newRow("letters") << QByteArray("12a.stats") << qint64(0);
    QTest::newRow("no pid") << QByteArray(".stats") << qint64(0);
    QTest::newRow("other suffix") << QByteArray("12.stat") << qint64(0);
    QTest::newRow("recorder's spare") << QByteArray(".12.stats.next") << qint64(0);
    QTest::newRow("suffix twice") << QByteArray("12.stats.stats") << qint64(0);
}

void tst_PipeSweep::pidFromName()
{
    QFETCH(QByteArray, name);
    QFETCH(qint64, pid);
    QCOMPARE(PipeSweep::pidFromName(name), pid);
}

void tst_PipeSweep::readsRecorderProcesses()
{
    QTemporaryDir dir;
    WriterProcess first;
    WriterProcess second;
    QVERIFY(first.start(dir.path(), {QStringLiteral("--stat"), QStringLiteral("requests=9223372036854775807"),
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
    QTest::newRow("readme") << QStringLiteral("readme-example.stats") << 3 << QByteArray("My Nice Stat") << StatValue(123.45);
    QTest::newRow("demo") << QStringLiteral("demo-program.stats") << 7 << QByteArray("foo.bar") << StatValue(150);
    QTest::newRow("percentiles") << QStringLiteral("percentiles.stats") << -1 << QByteArray("latency.95th") << StatValue(95.0);
    QTest::newRow("tricky") << QStringLiteral("tricky-names.stats") << -1 << QByteArray("big")
                            << StatValue(std::numeric_limits<qint64>::max());
    QTest::newRow("colons") << QStringLiteral("tricky-names.stats") << -1 << QByteArray("a:b:c") << StatValue(5);
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
    QVERIFY(original.startOriginal(dir.path(), {QStringLiteral("--stat"), QStringLiteral("My Nice Stat=123.45"),
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
    QVERIFY(writer.start(dir.path(), {QStringLiteral("--mode"), QStringLiteral("slow"), QStringLiteral("--linger"),
                                      QStringLiteral("300"), QStringLiteral("--stats"), QStringLiteral("3")}));

    const SweepResult result = PipeSweep::run(optionsFor(dir, 5000));
    QCOMPARE(result.processes.size(), 1);
    QCOMPARE(result.processes.first().stats.size(), 3);
    QVERIFY2(result.duration >= 0.29 && result.duration < 2.0, qPrintable(QString::number(result.duration)));
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
    FifoFeeder feeder(dir.filePath(pipeName(QCoreApplication::applicationPid())), "a: 1\nb: 2\na: 3\n");

    const SweepResult result = PipeSweep::run(optionsFor(dir));
    QCOMPARE(result.processes.size(), 1);
    const ProcessStats &process = result.processes.first();
    QCOMPARE(process.stats, (Snapshot{{"a", 1}, {"b", 2}}));
    QCOMPARE(process.rejectedLines, 1);
}

void tst_PipeSweep::namesThatAreNotUtf8KeepTheirBytes()
{
    QTemporaryDir dir;
    FifoFeeder feeder(dir.filePath(pipeName(QCoreApplication::applicationPid())), "caf\xe9: 1\n\xff\xfe: 2\n");

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
    QCOMPARE(result.processes.size(), 1);
    QVERIFY(result.processes.first().stats.isEmpty());
    QCOMPARE(result.processes.first().rejectedLines, 0);
}

void tst_PipeSweep::emptyAnswerFromAReplacedFifoIsAskedAgain_data()
{
    QTest::addColumn<QList<QByteArray>>("answers");
    QTest::addColumn<int>("expectedX"); // 0: no statistics
    QTest::addColumn<bool>("allAnswersTaken");
    // A recorder that two readers opened at once serves neither, and has a fresh FIFO in place.
    QTest::newRow("empty, then the snapshot") << QList<QByteArray>{{}, "x: 1\n"} << 1 << true;
    QTest::newRow("empty twice, then the snapshot") << QList<QByteArray>{{}, {}, "x: 2\n"} << 2 << true;
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
    QVERIFY(result.unanswered.isEmpty());
    QCOMPARE(result.processes.size(), 1);
    const ProcessStats &process = result.processes.first();
    if (expectedX == 0)
        QVERIFY(process.stats.isEmpty());
    else
        QCOMPARE(findStat(process, "x"), StatValue(expectedX));
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
    QCOMPARE(skipReason(result, regularFile.toUtf8()), QStringLiteral("a regular file, not a FIFO"));
    QCOMPARE(skipReason(result, directory.toUtf8()), QStringLiteral("a directory, not a FIFO"));
    QCOMPARE(skipReason(result, socketName.toUtf8()), QStringLiteral("a socket, not a FIFO"));
    QCOMPARE(skipReason(result, "notes"), QStringLiteral("not named <pid>.stats (a FIFO)"));
    // Nothing was opened through a link, and nothing that is not a stale pipe was removed.
    QVERIFY(!target.readerCame());
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot).size(), 7);
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

    QTest::ignoreMessage(QtInfoMsg, qPrintable(QStringLiteral("removed stale pipe %1/%2: process %3 no longer exists")
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
    QVERIFY(partial.start(dir.path(), {QStringLiteral("--mode"), QStringLiteral("partial"), QStringLiteral("--stats"),
                                       QStringLiteral("100")}));

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
    writer.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("printf 'a: 1\\nc: 1234' > \"$1\""),
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

    QTest::ignoreMessage(QtInfoMsg, qPrintable(QStringLiteral("removed stale pipe %1: pid %2 now belongs to a process started "
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
        QVERIFY(writers.back()->start(dir.path(), {QStringLiteral("--mode"), QStringLiteral("silent")}));
    }
    WriterProcess answering;
    QVERIFY(answering.start(dir.path(), {QStringLiteral("--stats"), QStringLiteral("10")}));

    const SweepResult result = PipeSweep::run(optionsFor(dir, 300));
    QCOMPARE(result.unanswered.size(), 10);
    QCOMPARE(result.processes.size(), 1);
    // One deadline for the sweep: about 0.3 s, where one timeout per pipe would take 3 s.
    QVERIFY2(result.duration >= 0.29 && result.duration < 1.5, qPrintable(QString::number(result.duration)));
}

void tst_PipeSweep::slowWritersAreReadConcurrently()
{
    QTemporaryDir dir;
    std::vector<std::unique_ptr<WriterProcess>> writers;
    for (int i = 0; i < 8; ++i) {
        writers.push_back(std::make_unique<WriterProcess>());
        QVERIFY(writers.back()->start(dir.path(), {QStringLiteral("--mode"), QStringLiteral("slow"), QStringLiteral("--delay"),
                                                   QStringLiteral("250"), QStringLiteral("--stats"), QStringLiteral("5")}));
    }

    const SweepResult result = PipeSweep::run(optionsFor(dir, 5000));
    QCOMPARE(result.processes.size(), 8);
    QVERIFY(result.unanswered.isEmpty());
    // About as long as the slowest writer (0.25 s), not the sum of them (2 s).
    QVERIFY2(result.duration >= 0.24 && result.duration < 1.5, qPrintable(QString::number(result.duration)));
}

void tst_PipeSweep::missingDirectoryIsAProblemNotAFailure()
{
    QTemporaryDir dir;
    PipeSweep::Options options = optionsFor(dir);
    options.directory = dir.filePath(QStringLiteral("missing"));

    const SweepResult result = PipeSweep::run(options);
    QVERIFY(result.processes.isEmpty());
    QCOMPARE(result.problems,
             QStringList{QStringLiteral("pipe directory %1 does not exist (yet): no process has started a recorder there")
                             .arg(options.directory)});
    QVERIFY(result.timestamp > 0);
}

QTEST_GUILESS_MAIN(tst_PipeSweep)
#include "tst_pipesweep.moc"

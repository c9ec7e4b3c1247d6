// SPDX-License-Identifier: MIT
// webservice-testwriter: a writer process for statvent-web's tests and benchmarks.
//
// Mode `recorder` (the default) is a real Statvent application: a registry served by
// Statvent::Recorder. The other modes misbehave on purpose, with a FIFO of their own at
// <pipe-dir>/<pid>.stats:
//   silent   made the FIFO, never opens it (a live process that never answers)
//   stuck    holds the FIFO open read-write and never writes (a hung recorder)
//   slow     waits in open() for a reader like the original statvent, answers after --delay
//            milliseconds, closes --linger milliseconds after writing, then replaces its FIFO
//            (close, unlink, mkfifo: the original's loop), so that no reader gets two copies
//   partial  writes half of its text to each reader, then hangs on to the pipe
//   flood    writes to each reader without end
// Prints "ready <pid>" once its pipe is in place, then runs until killed.

#include <statvent/pipedirectory.h>
#include <statvent/pipeformat.h>
#include <statvent/recorder.h>
#include <statvent/statregistry.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QThread>

#include <cerrno>
#include <csignal>
#include <cstdio>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Statvent;

namespace {

[[noreturn]] void fail(const QString &message)
{
    std::fprintf(stderr, "webservice-testwriter: %s\n", qUtf8Printable(message));
    std::exit(2);
}

void announceReady()
{
    std::printf("ready %d\n", int(::getpid()));
    std::fflush(stdout);
}

//! `NAME=VALUE`, split at the last '=', the value read as the pipe format reads values.
void setStat(StatRegistry &registry, const QByteArray &name, QByteArrayView valueText)
{
    const std::optional<StatValue> value = PipeFormat::parseValue(valueText);
    if (!value)
        fail(QStringLiteral("not a value: %1").arg(QString::fromUtf8(valueText)));
    registry.set(name, *value);
}

void addStats(StatRegistry &registry, const QStringList &assignments, bool hexNames)
{
    for (const QString &assignment : assignments) {
        const QByteArray bytes = assignment.toUtf8();
        const qsizetype equals = bytes.lastIndexOf('=');
        if (equals <= 0)
            fail(QStringLiteral("expected NAME=VALUE, got %1").arg(assignment));
        const QByteArray name = hexNames ? QByteArray::fromHex(bytes.first(equals)) : bytes.first(equals);
        setStat(registry, name, QByteArrayView(bytes).sliced(equals + 1));
    }
}

QByteArray makeFifo(const QString &directory)
{
    const QByteArray path = QFile::encodeName(directory + u'/' + QFile::decodeName(PipeDirectory::pipeName(::getpid())));
    if (::mkfifo(path.constData(), 0644) != 0)
        fail(QStringLiteral("mkfifo %1: %2").arg(QFile::decodeName(path), PipeDirectory::errorText(errno)));
    return path;
}

//! Writes all of \a text unless the reader hangs up first.
void writeAll(int fd, QByteArrayView text)
{
    qsizetype done = 0;
    while (done < text.size()) {
        const ssize_t written = ::write(fd, text.data() + done, size_t(text.size() - done));
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        done += written;
    }
}

[[noreturn]] void sleepForever()
{
    for (;;)
        ::pause();
}

//! Makes the FIFO, then serves each reader that opens it the way \a mode says.
[[noreturn]] void serveReaders(const QString &directory, const QString &mode, const QByteArray &text, int delayMs,
                               int lingerMs)
{
    const QByteArray path = makeFifo(directory);
    announceReady();
    for (;;) {
        const int fd = ::open(path.constData(), O_WRONLY | O_CLOEXEC); // waits for a reader
        if (fd < 0)
            fail(QStringLiteral("open %1: %2").arg(QFile::decodeName(path), PipeDirectory::errorText(errno)));
        if (mode == u"partial") {
            writeAll(fd, QByteArrayView(text).first(text.size() / 2));
            sleepForever();
        }
        if (mode == u"flood") {
            const QByteArray line("flood: 1\n");
            while (::write(fd, line.constData(), size_t(line.size())) >= 0 || errno == EINTR) {
            }
            ::close(fd); // the reader hung up
            continue;
        }
        QThread::msleep(ulong(delayMs));
        writeAll(fd, text);
        QThread::msleep(ulong(lingerMs));
        ::close(fd);
        ::unlink(path.constData());
        makeFifo(directory);
    }
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    std::signal(SIGPIPE, SIG_IGN);
    // A test that crashes must not leave its writers behind (holding its output pipes open).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);

    QCommandLineParser parser;
    const QString pipeDir = QStringLiteral("pipe-dir");
    const QString stats = QStringLiteral("stats");
    const QString stat = QStringLiteral("stat");
    const QString statHex = QStringLiteral("stat-hex");
    const QString mode = QStringLiteral("mode");
    const QString delay = QStringLiteral("delay");
    const QString linger = QStringLiteral("linger");
    parser.addOptions({
        {pipeDir, QStringLiteral("Directory of the pipe."), QStringLiteral("dir")},
        {stats, QStringLiteral("Also N statistics stat.<i> = i."), QStringLiteral("N"), QStringLiteral("0")},
        {stat, QStringLiteral("A statistic NAME=VALUE (repeatable)."), QStringLiteral("assignment")},
        {statHex, QStringLiteral("A statistic HEXNAME=VALUE, the name as hex bytes (repeatable)."), QStringLiteral("assignment")},
        {mode, QStringLiteral("recorder, silent, stuck, slow, partial or flood."), QStringLiteral("mode"), QStringLiteral("recorder")},
        {delay, QStringLiteral("For --mode slow: milliseconds before answering."), QStringLiteral("ms"), QStringLiteral("0")},
        {linger, QStringLiteral("For --mode slow: milliseconds between answering and closing."), QStringLiteral("ms"),
         QStringLiteral("0")},
    });
    parser.process(app);
    if (!parser.isSet(pipeDir))
        fail(QStringLiteral("--pipe-dir is required"));
    const QString directory = parser.value(pipeDir);
    const QString chosenMode = parser.value(mode);
    const QStringList modes{QStringLiteral("recorder"), QStringLiteral("silent"), QStringLiteral("stuck"),
                            QStringLiteral("slow"), QStringLiteral("partial"), QStringLiteral("flood")};
    if (!modes.contains(chosenMode))
        fail(QStringLiteral("unknown mode %1").arg(chosenMode));

    StatRegistry registry;
    const int count = parser.value(stats).toInt();
    for (int i = 0; i < count; ++i)
        registry.set(QStringLiteral("stat.%1").arg(i), i);
    addStats(registry, parser.values(stat), false);
    addStats(registry, parser.values(statHex), true);

    if (chosenMode == u"recorder") {
        Recorder recorder(&registry);
        recorder.setPipeDir(directory);
        if (!recorder.start())
            fail(QStringLiteral("the recorder did not start"));
        announceReady();
        return app.exec();
    }

    QDir().mkpath(directory);
    if (chosenMode == u"slow" || chosenMode == u"partial" || chosenMode == u"flood")
        serveReaders(directory, chosenMode, registry.snapshotText(), parser.value(delay).toInt(), parser.value(linger).toInt());
    const QByteArray path = makeFifo(directory);
    if (chosenMode == u"stuck" && ::open(path.constData(), O_RDWR | O_CLOEXEC) < 0)
        fail(QStringLiteral("open: %1").arg(PipeDirectory::errorText(errno)));
    announceReady();
    sleepForever();
}

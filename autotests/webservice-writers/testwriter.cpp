// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// webservice-testwriter: a writer process for statvent-web's tests and benchmarks.
//
// Mode `recorder` (the default) is a real Statvent application: a registry served by
// Statvent::Recorder; --record adds samples to a window, --windows fills N windows with 100
// samples each. The other modes misbehave on purpose, with a FIFO of their own at
// <pipe-dir>/<pid>.stats:
//   silent   made the FIFO, never opens it (a live process that never answers)
//   stuck    holds the FIFO open read-write and never writes (a hung recorder)
//   slow     waits in open() for a reader like the original statvent, answers after --delay
//            milliseconds, closes --linger milliseconds after writing, then replaces its FIFO
//            (close, unlink, mkfifo: the original's loop), so that no reader gets two copies
//   partial  writes half of its text to each reader, then hangs on to the pipe
//   flood    writes --flood-line to each reader without end, or --flood-bytes of it, then closes
//   socket   serves <pipe-dir>/<pid>.sock: each connection gets the registry as a typed
//            snapshot (Statvent::SnapshotFormat) and end-of-file, as a recorder's socket does;
//            --with-window adds a sample window, --cut drops the end record, --silent-fifo
//            also makes a FIFO <pid>.stats that never answers; with --flood-bytes, each
//            connection gets instead that many bytes of --flood-line records (whole ones) in a
//            complete text
// --as-pid names the FIFO or socket after another pid: an impostor.
// Prints "ready <pid>" once its pipe is in place, then runs until killed.

#include <statvent/pipedirectory.h>
#include <statvent/pipeformat.h>
#include <statvent/recorder.h>
#include <statvent/snapshotformat.h>
#include <statvent/statregistry.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QThread>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <limits>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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
        const QByteArray name =
            hexNames ? QByteArray::fromHex(bytes.first(equals)) : bytes.first(equals);
        setStat(registry, name, QByteArrayView(bytes).sliced(equals + 1));
    }
}

//! `NAME=V1,V2,...`: each value recorded in the window NAME, in that order.
void recordSamples(StatRegistry &registry, const QStringList &assignments)
{
    for (const QString &assignment : assignments) {
        const qsizetype equals = assignment.lastIndexOf(u'=');
        if (equals <= 0)
            fail(QStringLiteral("expected NAME=V1,V2,..., got %1").arg(assignment));
        for (const QString &valueText : assignment.sliced(equals + 1).split(u',')) {
            bool ok = false;
            const double value = valueText.toDouble(&ok);
            if (!ok)
                fail(QStringLiteral("not a sample: %1").arg(valueText));
            registry.record(assignment.first(equals), value);
        }
    }
}

//! The pid the FIFO or socket is named after: this process's, unless --as-pid says otherwise.
qint64 namePid = 0;

QByteArray pathIn(const QString &directory, const QByteArray &name)
{
    return QFile::encodeName(directory + u'/' + QFile::decodeName(name));
}

QByteArray makeFifo(const QString &directory)
{
    const QByteArray path = pathIn(directory, PipeDirectory::pipeName(namePid));
    if (::mkfifo(path.constData(), 0644) != 0)
        fail(QStringLiteral("mkfifo %1: %2")
                 .arg(QFile::decodeName(path), PipeDirectory::errorText(errno)));
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

struct FloodOptions
{
    QByteArray line;
    qint64 bytes = 0; //!< 0: without end
};

void flood(int fd, const FloodOptions &options)
{
    QByteArray block;
    while (block.size() < 64 * 1024)
        block.append(options.line);
    qint64 left = options.bytes > 0 ? options.bytes : std::numeric_limits<qint64>::max();
    while (left > 0) {
        const ssize_t written =
            ::write(fd, block.constData(), size_t(std::min<qint64>(left, block.size())));
        if (written < 0 && errno == EINTR)
            continue;
        if (written < 0)
            return; // the reader hung up
        left -= written;
    }
}

//! The registry as a typed snapshot: \a counters are counters, the others gauges; with a
//! sample window after them if asked.
QByteArray typedText(const StatRegistry &registry, const QList<QByteArray> &counters,
                     bool withWindow, bool cut)
{
    TypedSnapshot snapshot;
    snapshot.stats = registry.snapshot();
    for (StatEntry &entry : snapshot.stats)
        entry.kind = counters.contains(entry.name) ? StatKind::Counter : StatKind::Gauge;
    if (withWindow) {
        WindowStats window;
        window.name = "latency.{0}";
        window.count = 4;
        window.sum = 10.0;
        window.firstRow = snapshot.stats.size();
        window.rowCount = 2;
        window.labels = {"median", "mean"};
        snapshot.stats.append(StatEntry{"latency.median", 2.5, StatKind::Window});
        snapshot.stats.append(StatEntry{"latency.mean", 2.5, StatKind::Window});
        snapshot.windows.append(window);
    }
    QByteArray text = SnapshotFormat::serialize(snapshot);
    if (cut)
        text.truncate(text.lastIndexOf("end "));
    return text;
}

//! A typed snapshot of \a options.bytes of \a options.line records, whole ones, and its end.
void floodSocket(int fd, const FloodOptions &options)
{
    QByteArray header = SnapshotFormat::serialize({});
    header.truncate(header.lastIndexOf("end "));
    writeAll(fd, header);
    const qint64 records = options.bytes / options.line.size();
    flood(fd, FloodOptions{options.line, records * options.line.size()});
    writeAll(fd, QByteArray("end " + QByteArray::number(records) + '\n'));
}

//! Listens on the socket, then gives each connection \a text (or a flood, if \a floodOptions
//! has a size) and end-of-file.
[[noreturn]] void serveSocket(const QString &directory, const QByteArray &text, bool silentFifo,
                              const FloodOptions &floodOptions)
{
    const QByteArray path = pathIn(directory, PipeDirectory::socketName(namePid));
    const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (listener < 0 || path.size() >= qsizetype(sizeof(address.sun_path)))
        fail(QStringLiteral("cannot make a socket for %1").arg(QFile::decodeName(path)));
    std::memcpy(address.sun_path, path.constData(), size_t(path.size()));
    if (::bind(listener, reinterpret_cast<const sockaddr *>(&address), sizeof(address)) != 0
        || ::listen(listener, 128) != 0)
        fail(QStringLiteral("bind/listen %1: %2")
                 .arg(QFile::decodeName(path), PipeDirectory::errorText(errno)));
    if (silentFifo)
        makeFifo(directory);
    announceReady();
    for (;;) {
        const int connection = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (connection < 0)
            continue;
        if (floodOptions.bytes > 0)
            floodSocket(connection, floodOptions);
        else
            writeAll(connection, text);
        ::close(connection);
    }
}

//! Makes the FIFO, then serves each reader that opens it the way \a mode says.
[[noreturn]] void serveReaders(const QString &directory, const QString &mode,
                               const QByteArray &text, int delayMs, int lingerMs,
                               const FloodOptions &floodOptions)
{
    const QByteArray path = makeFifo(directory);
    announceReady();
    for (;;) {
        const int fd = ::open(path.constData(), O_WRONLY | O_CLOEXEC); // waits for a reader
        if (fd < 0)
            fail(QStringLiteral("open %1: %2")
                     .arg(QFile::decodeName(path), PipeDirectory::errorText(errno)));
        if (mode == u"partial") {
            writeAll(fd, QByteArrayView(text).first(text.size() / 2));
            sleepForever();
        }
        if (mode == u"flood") {
            flood(fd, floodOptions);
            ::close(fd);
            if (floodOptions.bytes > 0) {
                // A new FIFO, so that the reader sees the end of this one (as in mode slow).
                ::unlink(path.constData());
                makeFifo(directory);
            }
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
    const QString asPid = QStringLiteral("as-pid");
    const QString floodLine = QStringLiteral("flood-line");
    const QString floodBytes = QStringLiteral("flood-bytes");
    const QString withWindow = QStringLiteral("with-window");
    const QString cut = QStringLiteral("cut");
    const QString silentFifo = QStringLiteral("silent-fifo");
    const QString counter = QStringLiteral("counter");
    const QString record = QStringLiteral("record");
    const QString windows = QStringLiteral("windows");
    parser.addOptions({
        {pipeDir, QStringLiteral("Directory of the pipe."), QStringLiteral("dir")},
        {stats, QStringLiteral("Also N statistics stat.<i> = i."), QStringLiteral("N"),
         QStringLiteral("0")},
        {stat, QStringLiteral("A statistic NAME=VALUE (repeatable)."),
         QStringLiteral("assignment")},
        {statHex, QStringLiteral("A statistic HEXNAME=VALUE, the name as hex bytes (repeatable)."),
         QStringLiteral("assignment")},
        {record,
         QStringLiteral("For --mode recorder: samples NAME=V1,V2,... recorded in the window NAME "
                        "(repeatable)."),
         QStringLiteral("samples")},
        {windows,
         QStringLiteral("For --mode recorder: also N windows window.<i>.{0}, each holding the "
                        "samples 1 to 100 times i + 1."),
         QStringLiteral("N"), QStringLiteral("0")},
        {mode, QStringLiteral("recorder, silent, stuck, slow, partial, flood or socket."),
         QStringLiteral("mode"), QStringLiteral("recorder")},
        {asPid, QStringLiteral("Name the FIFO or socket after this pid, not our own."),
         QStringLiteral("pid")},
        {floodLine, QStringLiteral("For --mode flood or socket: the line repeated."),
         QStringLiteral("line"), QStringLiteral("flood: 1")},
        {floodBytes,
         QStringLiteral("For --mode flood or socket: bytes sent before end-of-file (0: no end, or "
                        "for a socket no flood)."),
         QStringLiteral("bytes"), QStringLiteral("0")},
        {counter,
         QStringLiteral(
             "For --mode socket: a counter NAME=VALUE (repeatable); other stats are gauges."),
         QStringLiteral("assignment")},
        {withWindow, QStringLiteral("For --mode socket: add a sample window latency.{0}.")},
        {cut, QStringLiteral("For --mode socket: leave out the end record.")},
        {silentFifo, QStringLiteral("For --mode socket: also make a FIFO that never answers.")},
        {delay, QStringLiteral("For --mode slow: milliseconds before answering."),
         QStringLiteral("ms"), QStringLiteral("0")},
        {linger, QStringLiteral("For --mode slow: milliseconds between answering and closing."),
         QStringLiteral("ms"), QStringLiteral("0")},
    });
    parser.process(app);
    if (!parser.isSet(pipeDir))
        fail(QStringLiteral("--pipe-dir is required"));
    const QString directory = parser.value(pipeDir);
    const QString chosenMode = parser.value(mode);
    const QStringList modes{QStringLiteral("recorder"), QStringLiteral("silent"),
                            QStringLiteral("stuck"),    QStringLiteral("slow"),
                            QStringLiteral("partial"),  QStringLiteral("flood"),
                            QStringLiteral("socket")};
    if (!modes.contains(chosenMode))
        fail(QStringLiteral("unknown mode %1").arg(chosenMode));

    StatRegistry registry;
    const int count = parser.value(stats).toInt();
    for (int i = 0; i < count; ++i)
        registry.set(QStringLiteral("stat.%1").arg(i), i);
    addStats(registry, parser.values(stat), false);
    addStats(registry, parser.values(statHex), true);
    addStats(registry, parser.values(counter), false);
    QList<QByteArray> counterNames;
    for (const QString &assignment : parser.values(counter))
        counterNames.append(assignment.toUtf8().first(assignment.toUtf8().lastIndexOf('=')));

    if (chosenMode == u"recorder") {
        recordSamples(registry, parser.values(record));
        const int windowCount = parser.value(windows).toInt();
        for (int i = 0; i < windowCount; ++i) {
            const QString name = QStringLiteral("window.%1.{0}").arg(i);
            for (int sample = 1; sample <= 100; ++sample)
                registry.record(name, double(sample * (i + 1)));
        }
        Recorder recorder(&registry);
        recorder.setPipeDir(directory);
        if (!recorder.start())
            fail(QStringLiteral("the recorder did not start"));
        announceReady();
        return app.exec();
    }

    namePid = parser.isSet(asPid) ? parser.value(asPid).toLongLong() : qint64(::getpid());
    QDir().mkpath(directory);
    const FloodOptions floodOptions{parser.value(floodLine).toUtf8() + '\n',
                                    parser.value(floodBytes).toLongLong()};
    if (chosenMode == u"socket")
        serveSocket(directory,
                    typedText(registry, counterNames, parser.isSet(withWindow), parser.isSet(cut)),
                    parser.isSet(silentFifo), floodOptions);
    if (chosenMode == u"slow" || chosenMode == u"partial" || chosenMode == u"flood") {
        serveReaders(directory, chosenMode, registry.snapshotText(), parser.value(delay).toInt(),
                     parser.value(linger).toInt(), floodOptions);
    }
    const QByteArray path = makeFifo(directory);
    if (chosenMode == u"stuck" && ::open(path.constData(), O_RDWR | O_CLOEXEC) < 0)
        fail(QStringLiteral("open: %1").arg(PipeDirectory::errorText(errno)));
    announceReady();
    sleepForever();
}

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// statvent-web: serves the statistics of every process on the host (see docs/HTTP-API.md).

#include <statventweb/guardedtcpserver.h>
#include <statventweb/jsonwriter.h>
#include <statventweb/pipecollector.h>
#include <statventweb/pipesweep.h>
#include <statventweb/statsserver.h>
#include <statventweb/terminationsignals.h>
#include <statventweb/weblogging.h>

#include <statvent/recorder.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHostAddress>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>

#include <signal.h>
#include <sys/resource.h>

using namespace StatventWeb;

namespace {

constexpr quint16 DefaultPort = 7828;

//! Exit codes: 1 when the service cannot run, 2 for a bad command line.
constexpr int ExitFailure = 1;
constexpr int ExitUsage = 2;

int usageError(const QString &message)
{
    std::fprintf(stderr, "statvent-web: %s\nTry 'statvent-web --help' for more information.\n",
                 qUtf8Printable(message));
    return ExitUsage;
}

std::optional<qint64> integerOption(const QCommandLineParser &parser, const QString &name,
                                    qint64 minimum, qint64 maximum, QString *error)
{
    bool ok = false;
    const QString text = parser.value(name);
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < minimum || value > maximum) {
        *error = QStringLiteral("invalid --%1 \"%2\": expected an integer from %3 to %4")
                     .arg(name, text)
                     .arg(minimum)
                     .arg(maximum);
        return std::nullopt;
    }
    return value;
}

/*!
 * One descriptor per pipe is open during a sweep, and one per client connection: allow as many
 * as the hard limit does. Returns the limit now in force (0 if unknown).
 */
rlim_t raiseOpenFileLimit()
{
    rlimit limit;
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return 0;
    const rlim_t before = limit.rlim_cur;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
            limit.rlim_cur = before;
    }
    qCDebug(lcStatventWeb, "descriptor limit: %llu (was %llu, hard limit %llu)",
            static_cast<unsigned long long>(limit.rlim_cur),
            static_cast<unsigned long long>(before),
            static_cast<unsigned long long>(limit.rlim_max));
    return limit.rlim_cur;
}

QString urlHost(const QHostAddress &address)
{
    return address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + address.toString() + u']'
                                                               : address.toString();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("statvent-web"));
    QCoreApplication::setApplicationVersion(QStringLiteral(STATVENT_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Serves the statistics of every Statvent process on this host as JSON and "
                       "Prometheus text."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QString port = QStringLiteral("port");
    const QString ip = QStringLiteral("ip");
    const QString path = QStringLiteral("path");
    const QString pipeDir = QStringLiteral("pipe-dir");
    const QString timeout = QStringLiteral("timeout");
    const QString maxPipeBytes = QStringLiteral("max-pipe-bytes");
    const QString once = QStringLiteral("once");
    const QString idleTimeout = QStringLiteral("idle-timeout");
    const QString headerTimeout = QStringLiteral("header-timeout");
    const QString maxConnections = QStringLiteral("max-connections");
    parser.addOptions({
        {{QStringLiteral("p"), port},
         QStringLiteral("TCP port to listen on (default %1); 0 picks a free one.").arg(DefaultPort),
         QStringLiteral("port"),
         QString::number(DefaultPort)},
        {{QStringLiteral("i"), ip},
         QStringLiteral("Address to listen on (default 127.0.0.1, loopback only); 0.0.0.0 or :: "
                        "serves every interface."),
         QStringLiteral("address"),
         QStringLiteral("127.0.0.1")},
        {{QStringLiteral("l"), path},
         QStringLiteral("URL path of the JSON statistics (default %1).")
             .arg(StatsServer::DefaultStatsPath),
         QStringLiteral("path"),
         StatsServer::DefaultStatsPath},
        {{QStringLiteral("d"), pipeDir},
         QStringLiteral(
             "Directory of the processes' pipes ($STATVENT_PIPE_DIR, else /tmp/stats-pipe)."),
         QStringLiteral("directory"),
         Statvent::Recorder::defaultPipeDir()},
        {timeout,
         QStringLiteral("Milliseconds one sweep waits, in all, for slow processes (default %1).")
             .arg(PipeSweep::DefaultTimeoutMs),
         QStringLiteral("ms"), QString::number(PipeSweep::DefaultTimeoutMs)},
        {maxPipeBytes,
         QStringLiteral("Bytes read from one pipe at most (default %1).")
             .arg(PipeSweep::DefaultMaxBytesPerPipe),
         QStringLiteral("bytes"), QString::number(PipeSweep::DefaultMaxBytesPerPipe)},
        {idleTimeout,
         QStringLiteral(
             "Seconds a client connection may stay idle before it is closed (default %1).")
             .arg(std::chrono::duration_cast<std::chrono::seconds>(
                      GuardedTcpServer::DefaultIdleTimeout)
                      .count()),
         QStringLiteral("seconds"),
         QString::number(
             std::chrono::duration_cast<std::chrono::seconds>(GuardedTcpServer::DefaultIdleTimeout)
                 .count())},
        {headerTimeout,
         QStringLiteral("Seconds a client has to send a whole request (line, headers and any body) "
                        "from its first byte, "
                        "however slowly it sends (default %1); then it is answered 408 and closed.")
             .arg(std::chrono::duration_cast<std::chrono::seconds>(
                      GuardedTcpServer::DefaultRequestTimeout)
                      .count()),
         QStringLiteral("seconds"),
         QString::number(std::chrono::duration_cast<std::chrono::seconds>(
                             GuardedTcpServer::DefaultRequestTimeout)
                             .count())},
        {maxConnections,
         QStringLiteral(
             "Client connections open at once, at most (default %1; at most half the descriptor "
             "limit). "
             "At the maximum, a new client makes room by closing the oldest incomplete request "
             "(else the longest idle connection); it waits only while all are being answered.")
             .arg(GuardedTcpServer::DefaultMaxConnections),
         QStringLiteral("n"), QString::number(GuardedTcpServer::DefaultMaxConnections)},
        {once,
         QStringLiteral("Sweep once, print the JSON statistics on standard output and exit.")},
    });

    if (!parser.parse(QCoreApplication::arguments()))
        return usageError(parser.errorText());
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(0);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument \"%1\"")
                              .arg(parser.positionalArguments().constFirst()));

    QString error;
    const std::optional<qint64> portNumber = integerOption(parser, port, 0, 65535, &error);
    const std::optional<qint64> timeoutMs = integerOption(parser, timeout, 1, 60'000, &error);
    const std::optional<qint64> maxBytes = integerOption(
        parser, maxPipeBytes, Statvent::PipeFormat::MaxLineLength, qint64(1) << 40, &error);
    const std::optional<qint64> idleSeconds = integerOption(parser, idleTimeout, 1, 86'400, &error);
    const std::optional<qint64> headerSeconds =
        integerOption(parser, headerTimeout, 1, 86'400, &error);
    const std::optional<qint64> connectionCap =
        integerOption(parser, maxConnections, 1, 1'000'000, &error);
    if (!portNumber || !timeoutMs || !maxBytes || !idleSeconds || !headerSeconds || !connectionCap)
        return usageError(error);
    const QHostAddress address(parser.value(ip));
    if (address.isNull())
        return usageError(QStringLiteral("invalid --ip \"%1\": expected an IPv4 or IPv6 address")
                              .arg(parser.value(ip)));
    const QString statsPath = parser.value(path);
    if (const QString problem = StatsServer::checkStatsPath(statsPath); !problem.isEmpty())
        return usageError(QStringLiteral("invalid --path \"%1\": %2").arg(statsPath, problem));

    const rlim_t descriptorLimit = raiseOpenFileLimit();
    PipeCollector collector;
    collector.setPipeDir(parser.value(pipeDir));
    collector.setTimeout(int(*timeoutMs));
    collector.setMaxBytesPerPipe(*maxBytes);

    if (parser.isSet(once)) {
        QObject::connect(&collector, &PipeCollector::sweepFinished, &app,
                         [](const std::shared_ptr<const SweepResult> &result) {
                             const QByteArray document =
                                 JsonWriter::stats(*result, StatCombiner::Mode::Sum) + '\n';
                             std::fwrite(document.constData(), 1, size_t(document.size()), stdout);
                             QCoreApplication::exit(std::fflush(stdout) == 0 ? 0 : ExitFailure);
                         });
        collector.requestSweep();
        return app.exec();
    }

    StatsServer server(&collector);
    server.setStatsPath(statsPath);
    // Half the descriptors stay for the pipes of a sweep, so connections never exhaust them.
    qint64 connections = *connectionCap;
    if (descriptorLimit > 0 && descriptorLimit != RLIM_INFINITY)
        connections = std::min(connections, std::max(qint64(1), qint64(descriptorLimit / 2)));
    server.setLimits({.maxConnections = int(connections),
                      .idleTimeout = std::chrono::seconds(*idleSeconds),
                      .requestTimeout = std::chrono::seconds(*headerSeconds)});
    qCDebug(lcStatventWeb, "at most %lld client connections at once", connections);
    if (!server.startListening(address, quint16(*portNumber))) {
        std::fprintf(stderr, "statvent-web: cannot listen on %s port %lld: %s\n",
                     qUtf8Printable(address.toString()), *portNumber,
                     qUtf8Printable(server.errorString()));
        return ExitFailure;
    }
    TerminationSignals termination;
    QObject::connect(&termination, &TerminationSignals::received, &app, [](int signalNumber) {
        std::fprintf(stderr, "statvent-web: %s received, shutting down\n",
                     signalNumber == SIGINT ? "SIGINT" : "SIGTERM");
        QCoreApplication::quit();
    });
    std::fprintf(stderr, "statvent-web: serving http://%s:%u%s (and /metrics, /healthz) from %s\n",
                 qUtf8Printable(urlHost(address)), unsigned(server.port()),
                 qUtf8Printable(statsPath), qUtf8Printable(collector.pipeDir()));
    return app.exec();
}

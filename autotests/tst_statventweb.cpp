// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// statvent-web, the program: command line, --once, listening, clean shutdown on signals.

#include "exactpercentile.h"
#include "webservice-writers/writerprocess.h"

#include <statvent/histogram.h>

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <functional>
#include <memory>
#include <numeric>
#include <optional>

#include <sys/resource.h>

using StatventTest::exactPercentile;

namespace {

const QString Program = QStringLiteral(STATVENT_BIN_DIR "/statvent-web");

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run run(const QStringList &arguments)
{
    QProcess process;
    process.start(Program, arguments);
    Run result;
    if (!process.waitForFinished(20000)) {
        process.kill();
        process.waitForFinished();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

//! A statvent-web serving in the background; start() returns the port it announced.
class Service
{
public:
    ~Service()
    {
        m_process.kill();
        m_process.waitForFinished();
    }

    quint16 start(const QStringList &arguments)
    {
        m_process.setReadChannel(QProcess::StandardError);
        m_process.start(Program, arguments);
        static const QRegularExpression announcement(
            QStringLiteral("serving http://([^ ]+):(\\d+)/"));
        QRegularExpressionMatch match;
        QByteArray err;
        while (!(match = announcement.match(QString::fromUtf8(err))).hasMatch()) {
            if (!m_process.waitForReadyRead(10000))
                return 0;
            err += m_process.readAllStandardError();
        }
        m_announcement = err;
        return quint16(match.captured(2).toUInt());
    }

    QProcess &process() { return m_process; }
    QByteArray announcement() const { return m_announcement; }

private:
    QProcess m_process;
    QByteArray m_announcement;
};

struct Answer
{
    int status = 0; //!< 0 if no answer came
    QByteArray body;
};

Answer httpGet(quint16 port, const QString &path)
{
    QNetworkAccessManager network;
    std::unique_ptr<QNetworkReply> reply(network.get(
        QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(path)))));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    if (!finished.wait(10000))
        return {};
    return {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll()};
}

int httpStatus(quint16 port, const QString &path)
{
    return httpGet(port, path).status;
}

/*!
 * The body of the first answer to GET \a path that \a complete accepts, asking again for at most
 * 10 s: an original writer's FIFO is missing for a moment after each reader, as in the original.
 */
QByteArray getUntil(quint16 port, const QString &path,
                    const std::function<bool(const QByteArray &)> &complete)
{
    QByteArray body;
    const bool completed = QTest::qWaitFor(
        [&] {
            body = httpGet(port, path).body;
            return complete(body);
        },
        10000);
    if (!completed)
        qWarning("no complete answer to GET %s within 10 s", qPrintable(path));
    return body;
}

//! A statvent-recorder-child: a real application's recorder, serving its FIFO and its socket.
class RecorderChild
{
public:
    ~RecorderChild()
    {
        m_process.kill();
        m_process.waitForFinished();
    }

    //! Returns once the child has published its pipe and socket.
    bool start(const QStringList &arguments)
    {
        m_process.start(QStringLiteral(STATVENT_RECORDER_CHILD), arguments);
        const QDeadlineTimer deadline(10000);
        while (!m_process.canReadLine()) {
            if (deadline.hasExpired() || !m_process.waitForReadyRead(int(deadline.remainingTime())))
                return false;
        }
        return m_process.readLine().startsWith("ready ");
    }

    qint64 pid() const { return m_process.processId(); }

private:
    QProcess m_process;
};

//! One sample of a /metrics answer and the type its family's TYPE line gives.
struct MetricSample
{
    QByteArray type;
    double value = 0;
};

//! The samples of a /metrics answer, keyed by `metric{labels}`.
QHash<QByteArray, MetricSample> parseMetrics(const QByteArray &text)
{
    QHash<QByteArray, MetricSample> samples;
    QByteArray type;
    for (const QByteArray &line : text.split('\n')) {
        if (line.startsWith("# TYPE ")) {
            type = line.sliced(line.lastIndexOf(' ') + 1);
            continue;
        }
        const qsizetype space = line.lastIndexOf(' ');
        if (line.startsWith('#') || space < 0)
            continue;
        samples.insert(line.first(space), {type, line.sliced(space + 1).toDouble()});
    }
    return samples;
}

QByteArray combinedSeries(QByteArrayView metric, QByteArrayView name, QByteArrayView quantile = {})
{
    QByteArray series =
        metric.toByteArray() + "{name=\"" + name.toByteArray() + "\",aggregate=\"sum\"";
    if (!quantile.isEmpty())
        series += ",quantile=\"" + quantile.toByteArray() + '"';
    return series + '}';
}

/*!
 * One pipe directory with a recorder child for each kind, each also setting child.stat.0 to
 * child.stat.3, and two original writers, one of which also writes child.stat.3; served by a
 * statvent-web.
 */
struct MixedDirectory
{
    static constexpr int Processes = 6;

    QTemporaryDir dir;
    RecorderChild children[4];
    WriterProcess originals[2];
    QHash<QByteArray, qint64> pidOf; //!< the pid of the child that makes each kind.* statistic
    Service service;
    quint16 port = 0;
};

//! The window every writer of the percentile tests records in, and its rows by label.
const QString Window = QStringLiteral("latency.{0}");
const char *const PercentileLabels[] = {"median", "95th", "99th"};
const double Percentiles[] = {50, 95, 99};

/*!
 * The samples of writer \a writer of three whose windows hold very different ones: 100 each,
 * 1-2 ms, 10-20 ms and 100-1000 ms, evenly spread.
 */
QList<double> samplesOf(int writer)
{
    const double ranges[3][2] = {{1, 2}, {10, 20}, {100, 1000}};
    QList<double> samples;
    for (int i = 0; i < 100; ++i)
        samples.append(ranges[writer][0] + (ranges[writer][1] - ranges[writer][0]) * i / 99.0);
    return samples;
}

//! `--record latency.{0}=<samples>`, each written so that it reads back as the same double.
QStringList recordArguments(const QList<double> &samples)
{
    QStringList texts;
    for (double sample : samples)
        texts.append(QString::number(sample, 'g', 17));
    return {QStringLiteral("--record"), Window + u'=' + texts.join(u',')};
}

double sumOf(const QList<double> &samples)
{
    return std::accumulate(samples.cbegin(), samples.cend(), 0.0);
}

//! The first answer to GET \a path that counts \a processes processes, as JSON.
QJsonObject statsOf(quint16 port, const QString &path, qsizetype processes)
{
    const auto count = [](const QJsonObject &document) {
        const QJsonValue value = document.value(u"processes");
        return value.isObject() ? value.toObject().size() : value.toInteger();
    };
    const QByteArray body = getUntil(port, path, [&](const QByteArray &answer) {
        return count(QJsonDocument::fromJson(answer).object()) == processes;
    });
    return QJsonDocument::fromJson(body).object();
}

//! The histogram of a `histogram` object, rebuilt as a reader of the document does.
std::optional<Statvent::Histogram> histogramOf(const QJsonObject &object, double sum)
{
    const auto buckets = [](const QJsonValue &value) {
        QList<Statvent::Histogram::Bucket> result;
        for (const QJsonValue &pair : value.toArray())
            result.append({pair.toArray().at(0).toInt(), pair.toArray().at(1).toInteger()});
        return result;
    };
    if (object.value(u"scale").toInt() != Statvent::Histogram::Scale)
        return std::nullopt;
    return Statvent::Histogram::fromParts(
        object.value(u"zeroCount").toInteger(-1), buckets(object.value(u"negative")),
        buckets(object.value(u"positive")), object.value(u"min").toDouble(),
        object.value(u"max").toDouble(), sum);
}

} // namespace

class tst_StatventWeb : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void help();
    void version();
    void badCommandLines_data();
    void badCommandLines();
    void onceSweepsAndPrintsJson();
    void onceWithoutDirectory();
    void servesOnLoopbackByDefault();
    void portInUse();
    void idleTimeoutOption();
    void headerTimeoutOption();
    void raisesDescriptorLimitAndCapsConnections();
    void signalsShutDownCleanly_data();
    void signalsShutDownCleanly();
    void kindsReachMetricsAndProcessView_data();
    void kindsReachMetricsAndProcessView();
    void windowBecomesHistogram();
    void summedPercentilesAreTheHosts();
    void originalWriterKeepsWindowRowsSummed();
    void cleanupTestCase();

private:
    bool startMixedDirectory();

    std::unique_ptr<MixedDirectory> m_mixed;
};

void tst_StatventWeb::help()
{
    const Run result = run({QStringLiteral("--help")});
    QCOMPARE(result.exitCode, 0);
    for (const char *option :
         {"--port", "--ip", "--path", "--pipe-dir", "--timeout", "--max-pipe-bytes",
          "--idle-timeout", "--header-timeout", "--max-connections", "--once"})
        QVERIFY2(result.out.contains(option), option);
}

void tst_StatventWeb::version()
{
    const Run result = run({QStringLiteral("--version")});
    QCOMPARE(result.exitCode, 0);
    QVERIFY(result.out.startsWith("statvent-web "));
}

void tst_StatventWeb::badCommandLines_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("unknown option")
        << QStringList{QStringLiteral("--bogus")} << QByteArray("Unknown option 'bogus'.");
    QTest::newRow("missing value")
        << QStringList{QStringLiteral("--port")} << QByteArray("Missing value after '--port'.");
    QTest::newRow("port not a number")
        << QStringList{QStringLiteral("--port"), QStringLiteral("http")}
        << QByteArray("invalid --port \"http\": expected an integer from 0 to 65535");
    QTest::newRow("port too large")
        << QStringList{QStringLiteral("--port"), QStringLiteral("65536")}
        << QByteArray("invalid --port \"65536\": expected an integer from 0 to 65535");
    QTest::newRow("bad address")
        << QStringList{QStringLiteral("--ip"), QStringLiteral("localhost.example")}
        << QByteArray("invalid --ip \"localhost.example\": expected an IPv4 or IPv6 address");
    QTest::newRow("zero timeout")
        << QStringList{QStringLiteral("--timeout"), QStringLiteral("0")}
        << QByteArray("invalid --timeout \"0\": expected an integer from 1 to 60000");
    QTest::newRow("tiny byte limit")
        << QStringList{QStringLiteral("--max-pipe-bytes"), QStringLiteral("10")}
        << QByteArray("invalid --max-pipe-bytes \"10\": expected an integer from 4160 to");
    QTest::newRow("zero idle timeout")
        << QStringList{QStringLiteral("--idle-timeout"), QStringLiteral("0")}
        << QByteArray("invalid --idle-timeout \"0\": expected an integer from 1 to 86400");
    QTest::newRow("idle timeout in ms")
        << QStringList{QStringLiteral("--idle-timeout"), QStringLiteral("0.5")}
        << QByteArray("invalid --idle-timeout \"0.5\": expected an integer from 1 to 86400");
    QTest::newRow("zero header timeout")
        << QStringList{QStringLiteral("--header-timeout"), QStringLiteral("0")}
        << QByteArray("invalid --header-timeout \"0\": expected an integer from 1 to 86400");
    QTest::newRow("no connections")
        << QStringList{QStringLiteral("--max-connections"), QStringLiteral("0")}
        << QByteArray("invalid --max-connections \"0\": expected an integer from 1 to 1000000");
    QTest::newRow("relative path")
        << QStringList{QStringLiteral("--path"), QStringLiteral("stats")}
        << QByteArray("invalid --path \"stats\": the path must start with '/'");
    QTest::newRow("path taken")
        << QStringList{QStringLiteral("--path"), QStringLiteral("/metrics")}
        << QByteArray("invalid --path \"/metrics\": /metrics is taken by another route");
    QTest::newRow("stray argument")
        << QStringList{QStringLiteral("extra")} << QByteArray("unexpected argument \"extra\"");
}

void tst_StatventWeb::badCommandLines()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, message);
    const Run result = run(arguments);
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(result.err.startsWith(QByteArray(QByteArray("statvent-web: ") + message)),
             result.err.constData());
    QVERIFY(result.err.contains("Try 'statvent-web --help'"));
    QVERIFY(result.out.isEmpty());
}

void tst_StatventWeb::onceSweepsAndPrintsJson()
{
    QTemporaryDir dir;
    WriterProcess first;
    WriterProcess second;
    QVERIFY(first.start(dir.path(), {QStringLiteral("--stat"), QStringLiteral("x=2")}));
    QVERIFY(second.start(dir.path(), {QStringLiteral("--stat"), QStringLiteral("x=3")}));

    const Run result = run({QStringLiteral("--once"), QStringLiteral("--pipe-dir"), dir.path()});
    QCOMPARE(result.exitCode, 0);
    QVERIFY(result.out.endsWith("}\n"));
    const QJsonObject document = QJsonDocument::fromJson(result.out).object();
    QCOMPARE(document.value(u"stats").toObject().value(u"x").toInteger(), 5);
    QCOMPARE(document.value(u"processes").toInteger(), 2);
    QVERIFY(result.err.isEmpty());
}

void tst_StatventWeb::onceWithoutDirectory()
{
    QTemporaryDir dir;
    const QString missing = dir.filePath(QStringLiteral("missing"));
    // The directory comes from the environment when --pipe-dir is not given.
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("STATVENT_PIPE_DIR"), missing);
    process.setProcessEnvironment(environment);
    process.start(Program, {QStringLiteral("--once")});
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 0);
    QCOMPARE(QJsonDocument::fromJson(process.readAllStandardOutput())
                 .object()
                 .value(u"processes")
                 .toInteger(),
             0);
    QVERIFY(process.readAllStandardError().contains(
        QStringLiteral("pipe directory %1 does not exist (yet)").arg(missing).toUtf8()));
}

void tst_StatventWeb::servesOnLoopbackByDefault()
{
    QTemporaryDir dir;
    Service service;
    const quint16 port = service.start(
        {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--pipe-dir"), dir.path()});
    QVERIFY(port);
    QVERIFY2(
        service.announcement().contains(
            QStringLiteral("serving http://127.0.0.1:%1/stats (and /metrics, /healthz) from %2")
                .arg(port)
                .arg(dir.path())
                .toUtf8()),
        service.announcement().constData());
    QCOMPARE(httpStatus(port, QStringLiteral("/healthz")), 200);
    QCOMPARE(httpStatus(port, QStringLiteral("/stats")), 200);
}

void tst_StatventWeb::portInUse()
{
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress::LocalHost, 0));
    const Run result = run({QStringLiteral("--port"), QString::number(occupant.serverPort())});
    QCOMPARE(result.exitCode, 1);
    QCOMPARE(result.err,
             QStringLiteral("statvent-web: cannot listen on 127.0.0.1 port %1: The bound address "
                            "is already in use\n")
                 .arg(occupant.serverPort())
                 .toUtf8());
}

void tst_StatventWeb::idleTimeoutOption()
{
    QTemporaryDir dir;
    Service service;
    const quint16 port =
        service.start({QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--pipe-dir"),
                       dir.path(), QStringLiteral("--idle-timeout"), QStringLiteral("1")});
    QVERIFY(port);
    QTcpSocket idle;
    QElapsedTimer clock;
    clock.start();
    idle.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(idle.waitForConnected(5000));
    QTRY_COMPARE_WITH_TIMEOUT(idle.state(), QAbstractSocket::UnconnectedState, 5000);
    QVERIFY2(clock.elapsed() >= 900, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(httpStatus(port, QStringLiteral("/healthz")), 200);
}

void tst_StatventWeb::headerTimeoutOption()
{
    QTemporaryDir dir;
    Service service;
    const quint16 port =
        service.start({QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--pipe-dir"),
                       dir.path(), QStringLiteral("--header-timeout"), QStringLiteral("1")});
    QVERIFY(port);
    // A byte of headers every 100 ms, far within the idle timeout: cut a second after the first.
    QTcpSocket slow;
    slow.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(slow.waitForConnected(5000));
    QElapsedTimer clock;
    clock.start();
    const QByteArray request("GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: ");
    for (qsizetype sent = 0;
         slow.state() == QAbstractSocket::ConnectedState && clock.elapsed() < 5000; ++sent) {
        slow.write(request.mid(sent % request.size(), 1));
        slow.waitForBytesWritten(100);
        slow.waitForReadyRead(100);
    }
    QCOMPARE(slow.state(), QAbstractSocket::UnconnectedState);
    QVERIFY2(clock.elapsed() >= 900 && clock.elapsed() < 3000,
             qPrintable(QString::number(clock.elapsed())));
    QVERIFY(slow.readAll().startsWith("HTTP/1.1 408 "));
    QCOMPARE(httpStatus(port, QStringLiteral("/healthz")), 200);
}

void tst_StatventWeb::raisesDescriptorLimitAndCapsConnections()
{
    rlimit own;
    QCOMPARE(::getrlimit(RLIMIT_NOFILE, &own), 0);
    if (own.rlim_max < 128 || own.rlim_max == RLIM_INFINITY)
        QSKIP("needs a finite hard descriptor limit of at least 128");
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_LOGGING_RULES"),
                       QStringLiteral("statvent.web.debug=true"));
    process.setProcessEnvironment(environment);
    // Started with a soft limit of 64: it raises it to the hard limit, and caps connections at
    // half of that, below --max-connections.
    process.setChildProcessModifier([] {
        rlimit limit;
        ::getrlimit(RLIMIT_NOFILE, &limit);
        limit.rlim_cur = 64;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    });
    QTemporaryDir dir;
    process.start(Program,
                  {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--pipe-dir"),
                   dir.path(), QStringLiteral("--max-connections"), QStringLiteral("1000000")});
    QByteArray err;
    QVERIFY(QTest::qWaitFor(
        [&] {
            err += process.readAllStandardError();
            return err.contains("serving http://") || process.state() == QProcess::NotRunning;
        },
        10000));
    process.terminate();
    QVERIFY(process.waitForFinished(5000));
    err += process.readAllStandardError();
    QVERIFY2(err.contains(QStringLiteral("descriptor limit: %1 (was 64, hard limit %1)")
                              .arg(own.rlim_max)
                              .toUtf8()),
             err.constData());
    QVERIFY2(err.contains(QStringLiteral("at most %1 client connections at once")
                              .arg(std::min<rlim_t>(own.rlim_max / 2, 1'000'000))
                              .toUtf8()),
             err.constData());
}

void tst_StatventWeb::signalsShutDownCleanly_data()
{
    QTest::addColumn<int>("signalNumber");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("SIGTERM") << int(SIGTERM)
                             << QByteArray("statvent-web: SIGTERM received, shutting down\n");
    QTest::newRow("SIGINT") << int(SIGINT)
                            << QByteArray("statvent-web: SIGINT received, shutting down\n");
}

void tst_StatventWeb::signalsShutDownCleanly()
{
    QFETCH(int, signalNumber);
    QFETCH(QByteArray, message);
    QTemporaryDir dir;
    WriterProcess silent; // a sweep in flight when the signal comes
    QVERIFY(silent.start(dir.path(), {QStringLiteral("--mode"), QStringLiteral("silent")}));
    Service service;
    const quint16 port =
        service.start({QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--pipe-dir"),
                       dir.path(), QStringLiteral("--timeout"), QStringLiteral("1000")});
    QVERIFY(port);
    QNetworkAccessManager network;
    std::unique_ptr<QNetworkReply> pending(
        network.get(QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1/stats").arg(port)))));
    QTest::qWait(100);

    QCOMPARE(::kill(pid_t(service.process().processId()), signalNumber), 0);
    QVERIFY(service.process().waitForFinished(5000));
    QCOMPARE(service.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(service.process().exitCode(), 0);
    QCOMPARE(service.process().readAllStandardError(), message);
}

bool tst_StatventWeb::startMixedDirectory()
{
    if (m_mixed)
        return true;
    auto mixed = std::make_unique<MixedDirectory>();
    const std::pair<const char *, const char *> kinds[] = {{"set-then-incr", "kind.set_then_incr"},
                                                           {"incr-negative", "kind.incr_negative"},
                                                           {"count", "kind.count"},
                                                           {"window", "kind.window"}};
    for (int i = 0; i < 4; ++i) {
        const auto &[kind, name] = kinds[i];
        if (!mixed->children[i].start({QStringLiteral("--pipe-dir"), mixed->dir.path(),
                                       QStringLiteral("--stats"), QStringLiteral("4"),
                                       QStringLiteral("--kind"), QLatin1String(kind),
                                       QStringLiteral("--name"), QLatin1String(name)}))
            return false;
        mixed->pidOf.insert(name, mixed->children[i].pid());
    }
    if (!mixed->originals[0].startOriginal(
            mixed->dir.path(),
            {QStringLiteral("--stat"), QStringLiteral("orig.total=2"), QStringLiteral("--stat"),
             QStringLiteral("child.stat.3=100")})
        || !mixed->originals[1].startOriginal(
            mixed->dir.path(), {QStringLiteral("--stat"), QStringLiteral("orig.total=3")}))
        return false;
    mixed->port = mixed->service.start({QStringLiteral("--port"), QStringLiteral("0"),
                                        QStringLiteral("--pipe-dir"), mixed->dir.path()});
    if (!mixed->port)
        return false;
    m_mixed = std::move(mixed);
    return true;
}

void tst_StatventWeb::kindsReachMetricsAndProcessView_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<double>("sum");
    QTest::addColumn<QByteArray>("metric");
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<int>("socketReporters");
    QTest::addColumn<int>("fifoReporters");
    QTest::addColumn<QString>("socketKind");
    // Issue 15: the kind is derived where the statistic is made and reaches the TYPE line.
    QTest::newRow("set then incr: gauge")
        << QByteArray("kind.set_then_incr") << 1.0 << QByteArray("statvent_value")
        << QByteArray("gauge") << 1 << 0 << QStringLiteral("gauge");
    QTest::newRow("incr by -1: gauge")
        << QByteArray("kind.incr_negative") << -1.0 << QByteArray("statvent_value")
        << QByteArray("gauge") << 1 << 0 << QStringLiteral("gauge");
    QTest::newRow("only counted: counter")
        << QByteArray("kind.count") << 6.0 << QByteArray("statvent_stat_total")
        << QByteArray("counter") << 1 << 0 << QStringLiteral("counter");
    QTest::newRow("set in four processes: gauge")
        << QByteArray("child.stat.2") << 8.0 << QByteArray("statvent_value") << QByteArray("gauge")
        << 4 << 0 << QStringLiteral("gauge");
    // The original's FIFO says nothing of kinds: untyped, summed as it always was.
    QTest::newRow("original writers only: untyped")
        << QByteArray("orig.total") << 5.0 << QByteArray("statvent_stat") << QByteArray("untyped")
        << 0 << 2 << QString();
    QTest::newRow("original and new writers: untyped")
        << QByteArray("child.stat.3") << 112.0 << QByteArray("statvent_stat")
        << QByteArray("untyped") << 4 << 1 << QStringLiteral("gauge");
}

void tst_StatventWeb::kindsReachMetricsAndProcessView()
{
    QFETCH(QByteArray, name);
    QFETCH(double, sum);
    QFETCH(QByteArray, metric);
    QFETCH(QByteArray, type);
    QFETCH(int, socketReporters);
    QFETCH(int, fifoReporters);
    QFETCH(QString, socketKind);
    QVERIFY(startMixedDirectory());
    const quint16 port = m_mixed->port;
    const QByteArray everyone =
        "\nstatvent_processes " + QByteArray::number(MixedDirectory::Processes) + '\n';

    const QByteArray metrics =
        getUntil(port, QStringLiteral("/metrics"),
                 [&](const QByteArray &body) { return body.contains(everyone); });
    QVERIFY2(metrics.contains(everyone), metrics.constData());
    const QHash<QByteArray, MetricSample> samples = parseMetrics(metrics);
    const auto found = samples.constFind(combinedSeries(metric, name));
    QVERIFY2(found != samples.cend(), metrics.constData());
    QCOMPARE(found->type, type);
    QCOMPARE(found->value, sum);
    const QByteArray nameLabel = "{name=\"" + name + '"';
    QCOMPARE(int(std::count_if(samples.keyBegin(), samples.keyEnd(),
                               [&](const QByteArray &key) { return key.contains(nameLabel); })),
             1);

    const QByteArray combined =
        getUntil(port, QStringLiteral("/stats"), [](const QByteArray &body) {
            return QJsonDocument::fromJson(body).object().value(u"processes").toInteger()
                == MixedDirectory::Processes;
        });
    QCOMPARE(QJsonDocument::fromJson(combined).object().value(u"processes").toInteger(),
             MixedDirectory::Processes);
    const QJsonObject stats = QJsonDocument::fromJson(combined).object().value(u"stats").toObject();
    QCOMPARE(stats.value(QString::fromUtf8(name)).toDouble(), sum);

    const QByteArray byProcess =
        getUntil(port, QStringLiteral("/stats?by=process"), [](const QByteArray &body) {
            return QJsonDocument::fromJson(body).object().value(u"processes").toObject().size()
                == MixedDirectory::Processes;
        });
    const QJsonObject processes =
        QJsonDocument::fromJson(byProcess).object().value(u"processes").toObject();
    QCOMPARE(processes.size(), MixedDirectory::Processes);
    int socketSeen = 0;
    int fifoSeen = 0;
    for (auto process = processes.begin(); process != processes.end(); ++process) {
        const QJsonObject view = process.value().toObject();
        if (!view.value(u"stats").toObject().contains(QString::fromUtf8(name)))
            continue;
        const QString kind =
            view.value(u"kinds").toObject().value(QString::fromUtf8(name)).toString();
        if (view.value(u"channel").toString() == u"socket") {
            ++socketSeen;
            QCOMPARE(kind, socketKind);
            if (m_mixed->pidOf.contains(name))
                QCOMPARE(process.key().toLongLong(), m_mixed->pidOf.value(name));
        } else {
            ++fifoSeen;
            QCOMPARE(view.value(u"channel").toString(), QStringLiteral("fifo"));
            QCOMPARE(kind, QStringLiteral("untyped"));
        }
    }
    QCOMPARE(socketSeen, socketReporters);
    QCOMPARE(fifoSeen, fifoReporters);
}

void tst_StatventWeb::windowBecomesHistogram()
{
    QVERIFY(startMixedDirectory());
    const quint16 port = m_mixed->port;
    const QByteArray everyone =
        "\nstatvent_processes " + QByteArray::number(MixedDirectory::Processes) + '\n';
    const QByteArray metrics =
        getUntil(port, QStringLiteral("/metrics"),
                 [&](const QByteArray &body) { return body.contains(everyone); });
    QVERIFY2(metrics.contains(everyone), metrics.constData());
    const QHash<QByteArray, MetricSample> samples = parseMetrics(metrics);

    // The child recorded the samples 1 to 100 in the window kind.window.{0}: its percentiles
    // are its histogram's (within the bound; 100th exact), its buckets count them.
    const QByteArray window = "kind.window.{0}";
    const std::pair<const char *, double> quantiles[] = {
        {"0.5", 50}, {"0.95", 95}, {"0.99", 99}, {"1", 100}};
    for (const auto &[quantile, value] : quantiles) {
        const auto found =
            samples.constFind(combinedSeries("statvent_window_quantile", window, quantile));
        QVERIFY2(found != samples.cend(), quantile);
        QCOMPARE(found->type, QByteArray("untyped"));
        QVERIFY2(std::abs(found->value - value) <= Statvent::Histogram::RelativeErrorBound * value,
                 quantile);
    }
    QCOMPARE(samples.value(combinedSeries("statvent_window_quantile", window, "1")).value, 100.0);
    const QByteArray labels = "{name=\"" + window + '"';
    const std::pair<QByteArray, double> buckets[] = {
        {"statvent_window_bucket" + labels + ",le=\"0.5\"}", 0},
        {"statvent_window_bucket" + labels + ",le=\"16.0\"}", 16},
        {"statvent_window_bucket" + labels + ",le=\"22.627416997969522\"}", 22},
        {"statvent_window_bucket" + labels + ",le=\"+Inf\"}", 100},
        {"statvent_window_count" + labels + '}', 100},
        {"statvent_window_sum" + labels + '}', 5050}};
    for (const auto &[series, value] : buckets) {
        const auto found = samples.constFind(series);
        QVERIFY2(found != samples.cend(), series.constData());
        QCOMPARE(found->type, QByteArray("histogram"));
        QCOMPARE(found->value, value);
    }
    const auto mean = samples.constFind(combinedSeries("statvent_window_mean", window));
    QVERIFY(mean != samples.cend());
    QCOMPARE(mean->type, QByteArray("gauge"));
    QCOMPARE(mean->value, 50.5);
    // Its rows are nowhere else: four quantiles, the buckets of 121 bounds and +Inf, _count,
    // _sum and the mean.
    QCOMPARE(int(std::count_if(samples.keyBegin(), samples.keyEnd(),
                               [](const QByteArray &key) { return key.contains("kind.window."); })),
             4 + 122 + 2 + 1);

    const QByteArray byProcess =
        getUntil(port, QStringLiteral("/stats?by=process"), [](const QByteArray &body) {
            return QJsonDocument::fromJson(body).object().value(u"processes").toObject().size()
                == MixedDirectory::Processes;
        });
    const QJsonObject view = QJsonDocument::fromJson(byProcess)
                                 .object()
                                 .value(u"processes")
                                 .toObject()
                                 .value(QString::number(m_mixed->pidOf.value("kind.window")))
                                 .toObject();
    QCOMPARE(view.value(u"channel").toString(), QStringLiteral("socket"));
    const QJsonObject kinds = view.value(u"kinds").toObject();
    for (const char *label : {"median", "95th", "99th", "100th", "mean"})
        QCOMPARE(kinds.value(QStringLiteral("kind.window.%1").arg(QLatin1String(label))).toString(),
                 QStringLiteral("window"));
    QCOMPARE(kinds.value(u"child.stat.0").toString(), QStringLiteral("gauge"));
}

void tst_StatventWeb::summedPercentilesAreTheHosts()
{
    // Issue 16: three real recorders whose windows hold very different samples.
    QTemporaryDir dir;
    WriterProcess writers[3];
    QList<double> all;
    for (int w = 0; w < 3; ++w) {
        QVERIFY(writers[w].start(dir.path(), recordArguments(samplesOf(w))));
        all += samplesOf(w);
    }
    Service service;
    const quint16 port = service.start(
        {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--pipe-dir"), dir.path()});
    QVERIFY(port);

    const QJsonObject combined = statsOf(port, QStringLiteral("/stats"), 3);
    const QJsonObject stats = combined.value(u"stats").toObject();
    const QJsonObject window = combined.value(u"windows").toObject().value(Window).toObject();
    QCOMPARE(window.value(u"merged").toBool(), true);
    QCOMPARE(window.value(u"count").toInteger(), 300);
    QVERIFY(std::abs(window.value(u"sum").toDouble() - sumOf(all)) <= 1e-12 * sumOf(all));
    QCOMPARE(window.value(u"rows").toObject().value(u"99th").toString(),
             QStringLiteral("latency.99th"));
    QVERIFY(!window.contains(u"histogram"));
    for (int i = 0; i < 3; ++i) {
        const double exact = exactPercentile(all, Percentiles[i]);
        const double value =
            stats.value(QStringLiteral("latency.%1").arg(QLatin1String(PercentileLabels[i])))
                .toDouble();
        QVERIFY2(std::abs(value - exact) <= exact * Statvent::Histogram::RelativeErrorBound,
                 qPrintable(QStringLiteral("%1: %2, exact %3")
                                .arg(QLatin1String(PercentileLabels[i]))
                                .arg(value)
                                .arg(exact)));
    }
    // The summed median would be about 1.5 + 15 + 550.
    QVERIFY(stats.value(u"latency.median").toDouble() < 21);
    QCOMPARE(stats.value(u"latency.100th").toDouble(), 1000.0);
    QVERIFY(std::abs(stats.value(u"latency.mean").toDouble() - sumOf(all) / 300)
            <= 1e-12 * sumOf(all));

    // Each process's own rows are its exact percentiles.
    const QJsonObject processes =
        statsOf(port, QStringLiteral("/stats?by=process"), 3).value(u"processes").toObject();
    for (int w = 0; w < 3; ++w) {
        const QList<double> samples = samplesOf(w);
        const QJsonObject process = processes.value(QString::number(writers[w].pid())).toObject();
        const QJsonObject own = process.value(u"stats").toObject();
        for (int i = 0; i < 3; ++i)
            QCOMPARE(own.value(QStringLiteral("latency.%1").arg(QLatin1String(PercentileLabels[i])))
                         .toDouble(),
                     exactPercentile(samples, Percentiles[i]));
        QCOMPARE(own.value(u"latency.100th").toDouble(), samples.constLast());
        const QJsonObject ownWindow = process.value(u"windows").toObject().value(Window).toObject();
        QCOMPARE(ownWindow.value(u"count").toInteger(), 100);
        QVERIFY(!ownWindow.contains(u"merged"));
    }

    // ?histograms=1: the merged histogram of all 300 samples, as the library reads it back.
    const QJsonObject withHistogram = statsOf(port, QStringLiteral("/stats?histograms=1"), 3)
                                          .value(u"windows")
                                          .toObject()
                                          .value(Window)
                                          .toObject();
    const std::optional<Statvent::Histogram> histogram = histogramOf(
        withHistogram.value(u"histogram").toObject(), withHistogram.value(u"sum").toDouble());
    QVERIFY(histogram);
    QCOMPARE(histogram->count(), 300);
    QCOMPARE(histogram->min(), 1.0);
    QCOMPARE(histogram->max(), 1000.0);
    QCOMPARE(histogram->percentile(99), stats.value(u"latency.99th").toDouble());
}

void tst_StatventWeb::originalWriterKeepsWindowRowsSummed()
{
    // An original writer's FIFO has rows named like the window's, and no histogram: the rows
    // are summed as before, and the service says the window is not merged.
    QTemporaryDir dir;
    WriterProcess writer;
    QVERIFY(writer.start(dir.path(), recordArguments(samplesOf(0))));
    const std::pair<const char *, double> originalRows[] = {
        {"median", 15.5}, {"95th", 19.5}, {"99th", 19.75}, {"100th", 20.0}, {"mean", 15.25}};
    QStringList arguments;
    for (const auto &[label, value] : originalRows)
        arguments
            << QStringLiteral("--stat")
            << QStringLiteral("latency.%1=%2").arg(QLatin1String(label)).arg(value, 0, 'f', 2);
    WriterProcess original;
    QVERIFY(original.startOriginal(dir.path(), arguments));
    Service service;
    const quint16 port = service.start(
        {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--pipe-dir"), dir.path()});
    QVERIFY(port);

    const QList<double> samples = samplesOf(0);
    const QJsonObject combined = statsOf(port, QStringLiteral("/stats?histograms=1"), 2);
    const QJsonObject stats = combined.value(u"stats").toObject();
    const QJsonObject window = combined.value(u"windows").toObject().value(Window).toObject();
    QCOMPARE(window.value(u"merged").toBool(true), false);
    // The totals of the processes that reported the window over their socket.
    QCOMPARE(window.value(u"count").toInteger(), 100);
    QCOMPARE(window.value(u"sum").toDouble(), sumOf(samples));
    // A histogram without the original's samples would not be the host's.
    QVERIFY(!window.contains(u"histogram"));
    for (int i = 0; i < 3; ++i)
        QCOMPARE(stats.value(QStringLiteral("latency.%1").arg(QLatin1String(PercentileLabels[i])))
                     .toDouble(),
                 exactPercentile(samples, Percentiles[i]) + originalRows[i].second);
    QCOMPARE(stats.value(u"latency.100th").toDouble(), 2.0 + 20.0);
    QCOMPARE(stats.value(u"latency.mean").toDouble(), sumOf(samples) / 100 + 15.25);

    const QJsonObject processes = statsOf(port, QStringLiteral("/stats?by=process&histograms=1"), 2)
                                      .value(u"processes")
                                      .toObject();
    const QJsonObject fifo = processes.value(QString::number(original.pid())).toObject();
    QCOMPARE(fifo.value(u"channel").toString(), QStringLiteral("fifo"));
    QCOMPARE(fifo.value(u"windows").toObject(), QJsonObject());
    const QJsonObject own = processes.value(QString::number(writer.pid()))
                                .toObject()
                                .value(u"windows")
                                .toObject()
                                .value(Window)
                                .toObject();
    const std::optional<Statvent::Histogram> histogram =
        histogramOf(own.value(u"histogram").toObject(), own.value(u"sum").toDouble());
    QVERIFY(histogram);
    QCOMPARE(histogram->count(), 100);
}

void tst_StatventWeb::cleanupTestCase()
{
    m_mixed.reset();
}

QTEST_GUILESS_MAIN(tst_StatventWeb)
#include "tst_statventweb.moc"

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// Bad HTTP against the statvent-web program (docs/RELIABILITY.md, "Bad HTTP"): raw garbage,
// oversized request lines and headers (431), half-open requests that never finish, 500 idle
// connections, more connections than its cap. Whatever one client does, the service keeps
// answering the others, stays up, and gives back every descriptor once the clients are gone.
// Real program, real sockets, loopback.

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>
#include <vector>

#include <unistd.h>

namespace {

const QString BinDir = QStringLiteral(STATVENT_BIN_DIR);

//! Starts \a program with \a arguments and waits for \a pattern in its output; returns the match.
QRegularExpressionMatch startAndWaitFor(QProcess &process, const QString &program,
                                        const QStringList &arguments,
                                        QProcess::ProcessChannel channel,
                                        const QRegularExpression &pattern)
{
    process.setReadChannel(channel);
    process.start(program, arguments);
    QByteArray output;
    QRegularExpressionMatch match;
    while (!(match = pattern.match(QString::fromUtf8(output))).hasMatch()) {
        if (!process.waitForReadyRead(10000))
            break;
        output += process.readAll();
    }
    return match;
}

//! How many sockets \a pid has open (its other descriptors, pipes and eventfds, come and go with
//! Qt's threads and sweeps).
int socketCount(qint64 pid)
{
    const QString directory = QStringLiteral("/proc/%1/fd").arg(pid);
    int sockets = 0;
    for (const QString &entry : QDir(directory).entryList(QDir::NoDotAndDotDot | QDir::System)) {
        char target[64] = {};
        const ssize_t length = ::readlink(QFile::encodeName(directory + u'/' + entry).constData(),
                                          target, sizeof target - 1);
        if (length > 0 && QByteArrayView(target, length).startsWith("socket:"))
            ++sockets;
    }
    return sockets;
}

} // namespace

class tst_HttpAbuse : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void garbage_data();
    void garbage();
    void halfOpenRequestsDoNotHoldOthersUp();
    void idleConnections();
    void floodBeyondTheCap();
    void slowlorisDoesNotHoldHealthzUp();

private:
    //! A whole GET on a new connection: the status code, 0 if there was no answer within 10 s.
    int get(const QByteArray &path, QByteArray *body = nullptr);
    //! The same, on the service listening on \a port.
    int get(const QByteArray &path, quint16 port, QByteArray *body = nullptr);
    std::unique_ptr<QTcpSocket> connectToService(quint16 port = 0);
    void verifyServiceAnswers();

    QTemporaryDir m_pipeDir;
    QProcess m_service;
    QProcess m_writer;
    quint16 m_port = 0;
};

void tst_HttpAbuse::initTestCase()
{
    QVERIFY(m_pipeDir.isValid());
    // A writer with a known statistic, so that an answer shows sweeps still work.
    const QRegularExpressionMatch ready =
        startAndWaitFor(m_writer, BinDir + u"/webservice-testwriter",
                        {QStringLiteral("--pipe-dir"), m_pipeDir.path(), QStringLiteral("--stat"),
                         QStringLiteral("abuse.marker=42")},
                        QProcess::StandardOutput, QRegularExpression(QStringLiteral("ready \\d+")));
    QVERIFY2(ready.hasMatch(), m_writer.readAllStandardError().constData());
    const QRegularExpressionMatch serving = startAndWaitFor(
        m_service, BinDir + u"/statvent-web",
        {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--pipe-dir"),
         m_pipeDir.path()},
        QProcess::StandardError,
        QRegularExpression(QStringLiteral("serving http://127\\.0\\.0\\.1:(\\d+)/")));
    QVERIFY2(serving.hasMatch(), "statvent-web did not announce its port");
    m_port = quint16(serving.captured(1).toUInt());
    verifyServiceAnswers();
}

void tst_HttpAbuse::cleanupTestCase()
{
    for (QProcess *process : {&m_service, &m_writer}) {
        process->terminate();
        if (!process->waitForFinished(5000))
            process->kill();
    }
}

std::unique_ptr<QTcpSocket> tst_HttpAbuse::connectToService(quint16 port)
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->connectToHost(QStringLiteral("127.0.0.1"), port ? port : m_port);
    return socket;
}

int tst_HttpAbuse::get(const QByteArray &path, QByteArray *body)
{
    return get(path, m_port, body);
}

int tst_HttpAbuse::get(const QByteArray &path, quint16 port, QByteArray *body)
{
    const std::unique_ptr<QTcpSocket> socket = connectToService(port);
    if (!socket->waitForConnected(10000))
        return 0;
    // Read up to the end of the body that Content-Length announces: the connection stays open.
    socket->write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    static const QRegularExpression head(
        QStringLiteral("\\AHTTP/1\\.1 (\\d{3}) .*\r\ncontent-length: *(\\d+)\r\n"),
        QRegularExpression::DotMatchesEverythingOption | QRegularExpression::CaseInsensitiveOption);
    QByteArray answer;
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 10000) {
        answer += socket->readAll();
        const qsizetype headEnd = answer.indexOf("\r\n\r\n");
        if (headEnd >= 0) {
            const QRegularExpressionMatch match =
                head.match(QString::fromLatin1(answer.left(headEnd + 2)));
            if (!match.hasMatch())
                return 0;
            const QByteArray content = answer.mid(headEnd + 4);
            if (content.size() >= match.captured(2).toLongLong()) {
                if (body)
                    *body = content;
                return match.captured(1).toInt();
            }
        }
        if (socket->state() != QAbstractSocket::ConnectedState)
            return 0;
        socket->waitForReadyRead(100);
    }
    return 0;
}

void tst_HttpAbuse::verifyServiceAnswers()
{
    QCOMPARE(m_service.state(), QProcess::Running);
    QCOMPARE(get("/healthz"), 200);
    QByteArray body;
    QCOMPARE(get("/stats", &body), 200);
    QVERIFY2(body.contains("\"abuse.marker\":42"), body.constData());
}

void tst_HttpAbuse::garbage_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QByteArray>(
        "answer"); // how the answer starts; empty: any HTTP answer, a hang-up or nothing

    QByteArray junk(64 * 1024, Qt::Uninitialized);
    QRandomGenerator generator(20251125);
    for (char &byte : junk)
        byte = char(generator.bounded(256));
    const QByteArray megabyte(1024 * 1024, 'a');

    QTest::newRow("random bytes") << junk << QByteArray();
    QTest::newRow("not HTTP") << QByteArray("HELLO\r\n\r\n") << QByteArray();
    QTest::newRow("TLS hello") << QByteArray::fromHex("16030100a5010000a10303") + junk.left(160)
                               << QByteArray();
    QTest::newRow("unknown method")
        << QByteArray("BREW /stats HTTP/1.1\r\nHost: a\r\n\r\n") << QByteArray();
    QTest::newRow("unknown version")
        << QByteArray("GET /stats HTTP/9.9\r\nHost: a\r\n\r\n") << QByteArray();
    QTest::newRow("NUL in the path")
        << QByteArrayLiteral("GET /st\0ats HTTP/1.1\r\nHost: a\r\n\r\n") << QByteArray();
    QTest::newRow("header without colon")
        << QByteArray("GET /stats HTTP/1.1\r\nHost a\r\n\r\n") << QByteArray();
    QTest::newRow("bare LF line ends")
        << QByteArray("GET /stats HTTP/1.1\nHost: a\n\n") << QByteArray();
    QTest::newRow("negative Content-Length")
        << QByteArray("POST /stats HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n")
        << QByteArray();
    QTest::newRow("bad chunked body")
        << QByteArray("POST /stats HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
        << QByteArray();
    QTest::newRow("1 MiB request line") << "GET /" + megabyte + " HTTP/1.1\r\nHost: a\r\n\r\n"
                                        << QByteArray("HTTP/1.1 431 ");
    QTest::newRow("1 MiB header") << "GET /stats HTTP/1.1\r\nHost: a\r\nX-Big: " + megabyte
            + "\r\n\r\n" << QByteArray("HTTP/1.1 431 ");
    QTest::newRow("100,000 headers")
        << "GET /stats HTTP/1.1\r\n" + QByteArray("X: y\r\n").repeated(100'000) + "\r\n"
        << QByteArray("HTTP/1.1 431 ");
    QTest::newRow("query of 10,000 parameters")
        << "GET /stats?" + QByteArray("a=1&").repeated(10'000) + " HTTP/1.1\r\nHost: a\r\n\r\n"
        << QByteArray();
}

void tst_HttpAbuse::garbage()
{
    QFETCH(QByteArray, request);
    QFETCH(QByteArray, answer);
    const std::unique_ptr<QTcpSocket> abuser = connectToService();
    QVERIFY(abuser->waitForConnected(10000));
    abuser->write(request);
    // Until all is sent, or the service hangs up on it.
    while (abuser->bytesToWrite() > 0 && abuser->waitForBytesWritten(10000)) {
    }

    // Whatever the service makes of it, it answers someone else meanwhile.
    verifyServiceAnswers();

    // And the abuser gets an HTTP answer, a hang-up, or nothing at all: never bytes that are not HTTP.
    // A request beyond 64 KiB gets 431, then end-of-file.
    abuser->waitForReadyRead(500);
    const QByteArray received = abuser->readAll();
    if (answer.isEmpty()) {
        QVERIFY2(received.isEmpty() || received.startsWith("HTTP/1.1 "),
                 received.left(200).constData());
    } else {
        QVERIFY2(received.startsWith(answer), received.left(200).constData());
        QTRY_COMPARE_WITH_TIMEOUT(abuser->state(), QAbstractSocket::UnconnectedState, 5000);
    }
    verifyServiceAnswers();
}

void tst_HttpAbuse::halfOpenRequestsDoNotHoldOthersUp()
{
    const QList<QByteArray> unfinished = {
        "GET /stats HTT", // request line cut
        "GET /stats HTTP/1.1\r\nHost: a\r\n", // headers never end
        "POST /stats HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\nabc", // body never comes
        "POST /stats HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n", // chunk never comes
        "", // connects, says nothing
    };
    std::vector<std::unique_ptr<QTcpSocket>> abusers;
    for (int copy = 0; copy < 4; ++copy) {
        for (const QByteArray &request : unfinished) {
            abusers.push_back(connectToService());
            QVERIFY(abusers.back()->waitForConnected(10000));
            abusers.back()->write(request);
            abusers.back()->waitForBytesWritten(1000);
        }
    }
    // A slow client too: one byte of a valid request every 50 ms, while others are served.
    const QByteArray slowRequest = "GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
    const std::unique_ptr<QTcpSocket> slow = connectToService();
    QVERIFY(slow->waitForConnected(10000));
    for (qsizetype sent = 0; sent < slowRequest.size(); ++sent) {
        slow->write(slowRequest.mid(sent, 1));
        slow->waitForBytesWritten(1000);
        if (sent % 10 == 0)
            verifyServiceAnswers();
        QTest::qWait(50);
    }
    // The slow client, once it has said everything, gets its answer.
    QByteArray answer;
    QTRY_VERIFY_WITH_TIMEOUT((answer += slow->readAll()).startsWith("HTTP/1.1 200 "), 10000);
    verifyServiceAnswers();
}

void tst_HttpAbuse::idleConnections()
{
    // Counted in sockets, not in descriptors measured before: connections of the earlier tests
    // may still be closing then, which made this test flaky.
    const qint64 servicePid = m_service.processId();
    constexpr int Idle = 500; // below the default cap of 512
    std::vector<std::unique_ptr<QTcpSocket>> idle;
    for (int i = 0; i < Idle; ++i) {
        idle.push_back(connectToService());
        QVERIFY(idle.back()->waitForConnected(10000));
    }
    // The service has accepted every one of them (each is a socket of its own, besides the
    // listening one) ...
    QTRY_VERIFY_WITH_TIMEOUT(socketCount(servicePid) > Idle, 20000);
    // ... and still answers others.
    for (int i = 0; i < 5; ++i)
        verifyServiceAnswers();
    idle.clear();
    // Every one is given back once the clients hang up.
    QTRY_VERIFY_WITH_TIMEOUT(socketCount(servicePid) < 10, 20000);
    verifyServiceAnswers();
}

void tst_HttpAbuse::floodBeyondTheCap()
{
    // A service of its own, with a small cap and a short idle timeout.
    QProcess service;
    const QRegularExpressionMatch serving = startAndWaitFor(
        service, BinDir + u"/statvent-web",
        {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--pipe-dir"),
         m_pipeDir.path(), QStringLiteral("--max-connections"), QStringLiteral("20"),
         QStringLiteral("--idle-timeout"), QStringLiteral("1")},
        QProcess::StandardError,
        QRegularExpression(QStringLiteral("serving http://127\\.0\\.0\\.1:(\\d+)/")));
    QVERIFY2(serving.hasMatch(), "statvent-web did not announce its port");
    const quint16 port = quint16(serving.captured(1).toUInt());
    std::vector<std::unique_ptr<QTcpSocket>> idle;
    for (int i = 0; i < 40; ++i) { // the kernel queues those beyond the cap
        idle.push_back(std::make_unique<QTcpSocket>());
        idle.back()->connectToHost(QStringLiteral("127.0.0.1"), port);
        QVERIFY(idle.back()->waitForConnected(10000));
    }
    // It holds the cap (and the listening socket), not more ...
    QTRY_COMPARE_WITH_TIMEOUT(socketCount(service.processId()), 20 + 1, 5000);
    // ... and a client that asks is answered once idle connections time out, within seconds.
    QTcpSocket client;
    client.connectToHost(QStringLiteral("127.0.0.1"), port);
    QVERIFY(client.waitForConnected(10000));
    client.write("GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    QByteArray answer;
    QTRY_VERIFY_WITH_TIMEOUT((answer += client.readAll()).startsWith("HTTP/1.1 200 "), 10000);
    // Every idle connection is closed by the service in the end.
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(idle.begin(), idle.end(),
                                         [](const auto &socket) {
                                             return socket->state()
                                                 == QAbstractSocket::UnconnectedState;
                                         }),
                             10000);
    service.terminate();
    QVERIFY(service.waitForFinished(5000));
    QCOMPARE(service.exitCode(), 0);
}

void tst_HttpAbuse::slowlorisDoesNotHoldHealthzUp()
{
    // docs/RELIABILITY.md, "Slowloris", scaled down: twice as many slow clients as the service's
    // cap, each sending one header byte every 500 ms (far within the idle timeout) and coming
    // back when closed; /healthz must answer within a second all along.
    constexpr int Cap = 16;
    constexpr int Attackers = 2 * Cap;
    constexpr int ByteInterval = 500; // ms
    constexpr int AttackMs = 4000;
    QProcess service;
    const QRegularExpressionMatch serving = startAndWaitFor(
        service, BinDir + u"/statvent-web",
        {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--pipe-dir"),
         m_pipeDir.path(), QStringLiteral("--max-connections"), QString::number(Cap)},
        QProcess::StandardError,
        QRegularExpression(QStringLiteral("serving http://127\\.0\\.0\\.1:(\\d+)/")));
    QVERIFY2(serving.hasMatch(), "statvent-web did not announce its port");
    const quint16 port = quint16(serving.captured(1).toUInt());
    const QByteArray head = "GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: " + QByteArray(4096, 's');

    struct Attacker
    {
        std::unique_ptr<QTcpSocket> socket;
        qsizetype sent = 0;
        qint64 due = 0; // ms on the attack's clock
    };
    std::vector<Attacker> attackers(Attackers);
    QElapsedTimer clock;
    clock.start();
    const auto connect = [port](Attacker &attacker) {
        attacker.socket = std::make_unique<QTcpSocket>();
        attacker.socket->connectToHost(QStringLiteral("127.0.0.1"), port);
        attacker.sent = 0;
    };
    for (int i = 0; i < Attackers; ++i) {
        connect(attackers[std::size_t(i)]);
        attackers[std::size_t(i)].due = ByteInterval * i / Attackers;
    }
    int probes = 0;
    int reconnections = 0;
    qint64 slowest = 0;
    qint64 nextProbe = 200;
    while (clock.elapsed() < AttackMs) {
        for (Attacker &attacker : attackers) {
            if (clock.elapsed() < attacker.due)
                continue;
            if (attacker.socket->state() == QAbstractSocket::UnconnectedState) {
                connect(attacker); // closed by the service: back at once, as an attacker would
                ++reconnections;
            }
            attacker.socket->write(head.mid(attacker.sent % head.size(), 1));
            ++attacker.sent;
            attacker.due = clock.elapsed() + ByteInterval;
        }
        if (clock.elapsed() >= nextProbe) {
            QElapsedTimer probe;
            probe.start();
            QCOMPARE(get("/healthz", port), 200);
            slowest = std::max(slowest, probe.elapsed());
            ++probes;
            nextProbe = clock.elapsed() + 250;
        }
        QTest::qWait(10);
    }
    qInfo("%d probes of /healthz, the slowest answered in %lld ms; %d slow clients came back after "
          "being closed",
          probes, slowest, reconnections);
    QVERIFY(probes >= 8);
    QVERIFY2(slowest < 1000, qPrintable(QString::number(slowest)));
    attackers.clear();
    service.terminate();
    QVERIFY(service.waitForFinished(5000));
    QCOMPARE(service.exitCode(), 0);
}

QTEST_GUILESS_MAIN(tst_HttpAbuse)
#include "tst_httpabuse.moc"

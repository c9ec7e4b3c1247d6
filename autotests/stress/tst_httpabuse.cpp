// SPDX-License-Identifier: MIT
// Bad HTTP against the statvent-web program (docs/RELIABILITY.md, "Bad HTTP"): raw garbage,
// oversized request lines and headers, half-open requests that never finish, 500 idle
// connections. Whatever one client does, the service keeps answering the others, stays up, and
// gives back every descriptor once the clients are gone. Real program, real sockets, loopback.

#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <vector>

namespace {

const QString BinDir = QStringLiteral(STATVENT_BIN_DIR);

//! Starts \a program with \a arguments and waits for \a pattern in its output; returns the match.
QRegularExpressionMatch startAndWaitFor(QProcess &process, const QString &program, const QStringList &arguments,
                                        QProcess::ProcessChannel channel, const QRegularExpression &pattern)
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

//! How many descriptors \a pid has open.
int descriptorCount(qint64 pid)
{
    return int(QDir(QStringLiteral("/proc/%1/fd").arg(pid)).entryList(QDir::NoDotAndDotDot | QDir::System).size());
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

private:
    //! A whole GET on a new connection: the status code, 0 if there was no answer within 10 s.
    int get(const QByteArray &path, QByteArray *body = nullptr);
    std::unique_ptr<QTcpSocket> connectToService();
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
                        {QStringLiteral("--pipe-dir"), m_pipeDir.path(), QStringLiteral("--stat"), QStringLiteral("abuse.marker=42")},
                        QProcess::StandardOutput, QRegularExpression(QStringLiteral("ready \\d+")));
    QVERIFY2(ready.hasMatch(), m_writer.readAllStandardError().constData());
    const QRegularExpressionMatch serving =
        startAndWaitFor(m_service, BinDir + u"/statvent-web",
                        {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--pipe-dir"), m_pipeDir.path()},
                        QProcess::StandardError, QRegularExpression(QStringLiteral("serving http://127\\.0\\.0\\.1:(\\d+)/")));
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

std::unique_ptr<QTcpSocket> tst_HttpAbuse::connectToService()
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->connectToHost(QStringLiteral("127.0.0.1"), m_port);
    return socket;
}

int tst_HttpAbuse::get(const QByteArray &path, QByteArray *body)
{
    const std::unique_ptr<QTcpSocket> socket = connectToService();
    if (!socket->waitForConnected(10000))
        return 0;
    // Read up to the end of the body that Content-Length announces: the service keeps the
    // connection open after answering, even when asked to close it (docs/RELIABILITY.md).
    socket->write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    static const QRegularExpression head(QStringLiteral("\\AHTTP/1\\.1 (\\d{3}) .*\r\ncontent-length: *(\\d+)\r\n"),
                                         QRegularExpression::DotMatchesEverythingOption | QRegularExpression::CaseInsensitiveOption);
    QByteArray answer;
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 10000) {
        answer += socket->readAll();
        const qsizetype headEnd = answer.indexOf("\r\n\r\n");
        if (headEnd >= 0) {
            const QRegularExpressionMatch match = head.match(QString::fromLatin1(answer.left(headEnd + 2)));
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

    QByteArray junk(64 * 1024, Qt::Uninitialized);
    QRandomGenerator generator(20251125);
    for (char &byte : junk)
        byte = char(generator.bounded(256));
    const QByteArray megabyte(1024 * 1024, 'a');

    QTest::newRow("random bytes") << junk;
    QTest::newRow("not HTTP") << QByteArray("HELLO\r\n\r\n");
    QTest::newRow("TLS hello") << QByteArray::fromHex("16030100a5010000a10303") + junk.left(160);
    QTest::newRow("unknown method") << QByteArray("BREW /stats HTTP/1.1\r\nHost: a\r\n\r\n");
    QTest::newRow("unknown version") << QByteArray("GET /stats HTTP/9.9\r\nHost: a\r\n\r\n");
    QTest::newRow("NUL in the path") << QByteArrayLiteral("GET /st\0ats HTTP/1.1\r\nHost: a\r\n\r\n");
    QTest::newRow("header without colon") << QByteArray("GET /stats HTTP/1.1\r\nHost a\r\n\r\n");
    QTest::newRow("bare LF line ends") << QByteArray("GET /stats HTTP/1.1\nHost: a\n\n");
    QTest::newRow("negative Content-Length") << QByteArray("POST /stats HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n");
    QTest::newRow("bad chunked body") << QByteArray("POST /stats HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
    QTest::newRow("1 MiB request line") << "GET /" + megabyte + " HTTP/1.1\r\nHost: a\r\n\r\n";
    QTest::newRow("1 MiB header") << "GET /stats HTTP/1.1\r\nHost: a\r\nX-Big: " + megabyte + "\r\n\r\n";
    QTest::newRow("100,000 headers") << "GET /stats HTTP/1.1\r\n" + QByteArray("X: y\r\n").repeated(100'000) + "\r\n";
    QTest::newRow("query of 10,000 parameters") << "GET /stats?" + QByteArray("a=1&").repeated(10'000) + " HTTP/1.1\r\nHost: a\r\n\r\n";
}

void tst_HttpAbuse::garbage()
{
    QFETCH(QByteArray, request);
    const std::unique_ptr<QTcpSocket> abuser = connectToService();
    QVERIFY(abuser->waitForConnected(10000));
    abuser->write(request);
    // Until all is sent, or the service hangs up on it.
    while (abuser->bytesToWrite() > 0 && abuser->waitForBytesWritten(10000)) {
    }

    // Whatever the service makes of it, it answers someone else meanwhile.
    verifyServiceAnswers();

    // And the abuser gets an HTTP answer, a hang-up, or nothing at all: never bytes that are not HTTP.
    abuser->waitForReadyRead(500);
    const QByteArray answer = abuser->readAll();
    QVERIFY2(answer.isEmpty() || answer.startsWith("HTTP/1.1 "), answer.left(200).constData());
    verifyServiceAnswers();
}

void tst_HttpAbuse::halfOpenRequestsDoNotHoldOthersUp()
{
    const QList<QByteArray> unfinished = {
        "GET /stats HTT",                                                            // request line cut
        "GET /stats HTTP/1.1\r\nHost: a\r\n",                                          // headers never end
        "POST /stats HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\nabc",      // body never comes
        "POST /stats HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n", // chunk never comes
        "",                                                                          // connects, says nothing
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
    const qint64 servicePid = m_service.processId();
    const int before = descriptorCount(servicePid);
    constexpr int Idle = 500;
    std::vector<std::unique_ptr<QTcpSocket>> idle;
    for (int i = 0; i < Idle; ++i) {
        idle.push_back(connectToService());
        QVERIFY(idle.back()->waitForConnected(10000));
    }
    // The service has accepted every one of them (each is a descriptor of its own) ...
    QTRY_VERIFY_WITH_TIMEOUT(descriptorCount(servicePid) >= before + Idle, 20000);
    // ... and still answers others.
    for (int i = 0; i < 5; ++i)
        verifyServiceAnswers();
    idle.clear();
    // Every descriptor comes back once the clients hang up (give or take Qt's pool threads).
    QTRY_VERIFY_WITH_TIMEOUT(descriptorCount(servicePid) <= before + 2, 20000);
    verifyServiceAnswers();
}

QTEST_GUILESS_MAIN(tst_HttpAbuse)
#include "tst_httpabuse.moc"

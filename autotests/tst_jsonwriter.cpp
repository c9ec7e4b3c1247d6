// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// JsonWriter: statvent-web's JSON documents, checked byte for byte and through real parsers.

#include <statventweb/jsonwriter.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <cmath>
#include <limits>

using namespace Statvent;
using namespace StatventWeb;

namespace {

SweepResult sampleResult()
{
    SweepResult result;
    ProcessStats first;
    first.pid = 10;
    first.stats = {
        {"requests", std::numeric_limits<qint64>::max()}, {"load", 0.5}, {"latency.100th", 40.0}};
    first.rejectedLines = 2;
    ProcessStats second;
    second.pid = 20;
    second.stats = {{"requests", 1}, {"latency.100th", 90.0}, {"caf\xe9", 3}};
    result.processes = {first, second};
    result.unanswered = {30, 31};
    result.removed = {40};
    result.timestamp = 1764057600.123;
    return result;
}

QJsonObject parse(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    [&] { QCOMPARE(error.error, QJsonParseError::NoError); }();
    return document.object();
}

} // namespace

class tst_JsonWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void appendNumber_data();
    void appendNumber();
    void appendString_data();
    void appendString();
    void stats();
    void statsOverflowIsAReal();
    void byProcess();
    void message();
    void namesThatAreNotUtf8RoundTripThroughPython();
};

void tst_JsonWriter::appendNumber_data()
{
    QTest::addColumn<StatValue>("value");
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("zero") << StatValue(0) << QByteArray("0");
    QTest::newRow("int64 max exact")
        << StatValue(std::numeric_limits<qint64>::max()) << QByteArray("9223372036854775807");
    QTest::newRow("int64 min exact")
        << StatValue(std::numeric_limits<qint64>::min()) << QByteArray("-9223372036854775808");
    QTest::newRow("integral real keeps its point") << StatValue(3.0) << QByteArray("3.0");
    QTest::newRow("small real") << StatValue(1e-9) << QByteArray("1e-09");
    QTest::newRow("shortest round trip") << StatValue(0.1) << QByteArray("0.1");
    QTest::newRow("negative real") << StatValue(-2.5) << QByteArray("-2.5");
    QTest::newRow("overflowed sum") << StatValue(std::numeric_limits<double>::infinity())
                                    << QByteArray("1.7976931348623157e+308");
    QTest::newRow("overflowed negative sum") << StatValue(-std::numeric_limits<double>::infinity())
                                             << QByteArray("-1.7976931348623157e+308");
}

void tst_JsonWriter::appendNumber()
{
    QFETCH(StatValue, value);
    QFETCH(QByteArray, json);
    QByteArray out;
    JsonWriter::appendNumber(out, value);
    QCOMPARE(out, json);
    // A real JSON parser reads it back as the same number.
    const QJsonValue parsed = QJsonDocument::fromJson("[" + out + "]").array().first();
    if (value.isInteger())
        QCOMPARE(parsed.toInteger(), value.toInteger());
    else if (value.isFinite())
        QCOMPARE(parsed.toDouble(), value.toReal());
}

void tst_JsonWriter::appendString_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("plain") << QByteArray("a.b.c") << QByteArray("\"a.b.c\"");
    QTest::newRow("empty") << QByteArray() << QByteArray("\"\"");
    QTest::newRow("quote and backslash") << QByteArray("a\"b\\c") << QByteArray("\"a\\\"b\\\\c\"");
    QTest::newRow("tab, CR, LF") << QByteArray("a\tb\rc\nd") << QByteArray("\"a\\tb\\rc\\nd\"");
    QTest::newRow("control character")
        << QByteArray("a\x01z\x1f") << QByteArray("\"a\\u0001z\\u001f\"");
    QTest::newRow("DEL and slash stay") << QByteArray("a\x7f/") << QByteArray("\"a\x7f/\"");
    QTest::newRow("valid UTF-8 stays")
        << QByteArray("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80")
        << QByteArray("\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    QTest::newRow("Latin-1 byte") << QByteArray("caf\xe9") << QByteArray("\"caf\\udce9\"");
    QTest::newRow("lone continuation") << QByteArray("\x80") << QByteArray("\"\\udc80\"");
    QTest::newRow("overlong NUL") << QByteArray("\xc0\x80") << QByteArray("\"\\udcc0\\udc80\"");
    QTest::newRow("overlong three bytes")
        << QByteArray("\xe0\x80\xaf") << QByteArray("\"\\udce0\\udc80\\udcaf\"");
    QTest::newRow("encoded surrogate")
        << QByteArray("\xed\xa0\x80") << QByteArray("\"\\udced\\udca0\\udc80\"");
    QTest::newRow("above U+10FFFF")
        << QByteArray("\xf4\x90\x80\x80") << QByteArray("\"\\udcf4\\udc90\\udc80\\udc80\"");
    QTest::newRow("cut sequence then ASCII")
        << QByteArray("\xe2\x82x") << QByteArray("\"\\udce2\\udc82x\"");
    QTest::newRow("cut at the end")
        << QByteArray("a\xf0\x9f\x98") << QByteArray("\"a\\udcf0\\udc9f\\udc98\"");
    QTest::newRow("0xff") << QByteArray("\xff") << QByteArray("\"\\udcff\"");
}

void tst_JsonWriter::appendString()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, json);
    QByteArray out;
    JsonWriter::appendString(out, bytes);
    QCOMPARE(out, json);
    QVERIFY(out.isValidUtf8());
    QJsonParseError error;
    QJsonDocument::fromJson("[" + out + "]", &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
}

void tst_JsonWriter::stats()
{
    const QByteArray json = JsonWriter::stats(sampleResult(), StatCombiner::Mode::Sum);
    QVERIFY(json.contains("\"latency.100th\":130.0"));
    const QJsonObject document = parse(json);
    QCOMPARE(document.keys(),
             (QStringList{QStringLiteral("aggregate"), QStringLiteral("processes"),
                          QStringLiteral("stats"), QStringLiteral("timestamp"),
                          QStringLiteral("unanswered")}));
    QCOMPARE(document.value(u"aggregate").toString(), QStringLiteral("sum"));
    QCOMPARE(document.value(u"processes").toInteger(), 2);
    QCOMPARE(document.value(u"unanswered").toInteger(), 2);
    QCOMPARE(document.value(u"timestamp").toDouble(), 1764057600.123);
    const QJsonObject stats = document.value(u"stats").toObject();
    QCOMPARE(stats.size(), 4);
    QCOMPARE(stats.value(u"load").toDouble(), 0.5);

    const QByteArray maxJson = JsonWriter::stats(sampleResult(), StatCombiner::Mode::Max);
    QVERIFY(maxJson.contains("\"requests\":9223372036854775807"));
    QVERIFY(maxJson.contains("\"latency.100th\":90.0"));
    QVERIFY(maxJson.contains("\"aggregate\":\"max\""));
}

void tst_JsonWriter::statsOverflowIsAReal()
{
    // INT64_MAX + 1 does not fit: a real, written as such, not a wrapped negative integer.
    const QByteArray json = JsonWriter::stats(sampleResult(), StatCombiner::Mode::Sum);
    QVERIFY2(json.contains("\"requests\":9223372036854775808.0,"), json.constData());
}

void tst_JsonWriter::byProcess()
{
    SweepResult result = sampleResult();
    // Spoke over its socket: each statistic with its kind.
    ProcessStats third;
    third.pid = 25;
    third.channel = Channel::Socket;
    third.stats = {{"requests", 4, StatKind::Counter},
                   {"load", -1, StatKind::Gauge},
                   {"latency.100th", 70.0, StatKind::Window}};
    result.processes.append(third);
    const QJsonObject document = parse(JsonWriter::byProcess(result));
    QCOMPARE(document.keys(),
             (QStringList{QStringLiteral("processes"), QStringLiteral("removed"),
                          QStringLiteral("timestamp"), QStringLiteral("unanswered")}));
    const QJsonObject processes = document.value(u"processes").toObject();
    QCOMPARE(processes.keys(),
             (QStringList{QStringLiteral("10"), QStringLiteral("20"), QStringLiteral("25")}));
    const QJsonObject first = processes.value(u"10").toObject();
    QCOMPARE(first.keys(),
             (QStringList{QStringLiteral("channel"), QStringLiteral("kinds"),
                          QStringLiteral("rejectedLines"), QStringLiteral("stats"),
                          QStringLiteral("truncated")}));
    // A FIFO carries no kinds.
    QCOMPARE(first.value(u"channel").toString(), QStringLiteral("fifo"));
    QCOMPARE(first.value(u"kinds").toObject(),
             (QJsonObject{{QStringLiteral("requests"), QStringLiteral("untyped")},
                          {QStringLiteral("load"), QStringLiteral("untyped")},
                          {QStringLiteral("latency.100th"), QStringLiteral("untyped")}}));
    const QJsonObject typed = processes.value(u"25").toObject();
    QCOMPARE(typed.value(u"channel").toString(), QStringLiteral("socket"));
    QCOMPARE(typed.value(u"kinds").toObject(),
             (QJsonObject{{QStringLiteral("requests"), QStringLiteral("counter")},
                          {QStringLiteral("load"), QStringLiteral("gauge")},
                          {QStringLiteral("latency.100th"), QStringLiteral("window")}}));
    QCOMPARE(typed.value(u"stats").toObject().value(u"load").toInteger(), -1);
    QCOMPARE(first.value(u"rejectedLines").toInteger(), 2);
    QCOMPARE(first.value(u"truncated").toBool(true), false);
    QCOMPARE(first.value(u"stats").toObject().value(u"requests").toInteger(),
             std::numeric_limits<qint64>::max());
    QCOMPARE(processes.value(u"20")
                 .toObject()
                 .value(u"stats")
                 .toObject()
                 .value(u"latency.100th")
                 .toDouble(),
             90.0);
    QCOMPARE(document.value(u"unanswered").toArray(), (QJsonArray{30, 31}));
    QCOMPARE(document.value(u"removed").toArray(), QJsonArray{40});
}

void tst_JsonWriter::message()
{
    QCOMPARE(
        JsonWriter::message(u"The requested resource was not found", u"/a \"b\""),
        QByteArray(
            "{\"message\":\"The requested resource was not found\",\"path\":\"/a \\\"b\\\"\"}"));
}

void tst_JsonWriter::namesThatAreNotUtf8RoundTripThroughPython()
{
    // Python's surrogateescape decoding gives back the exact bytes of every name.
    const QByteArray json = JsonWriter::byProcess(sampleResult());
    QProcess python;
    python.start(
        QStringLiteral("/usr/bin/python3"),
        {QStringLiteral("-c"),
         QStringLiteral(
             "import json, sys\n"
             "d = json.load(sys.stdin)\n"
             "for name in d['processes']['20']['stats']:\n"
             "    sys.stdout.buffer.write(name.encode('utf-8', 'surrogateescape') + b'\\n')\n")});
    python.write(json);
    python.closeWriteChannel();
    QVERIFY(python.waitForFinished(10000));
    QCOMPARE(python.exitCode(), 0);
    QCOMPARE(python.readAllStandardOutput(), QByteArray("requests\nlatency.100th\ncaf\xe9\n"));
}

QTEST_GUILESS_MAIN(tst_JsonWriter)
#include "tst_jsonwriter.moc"

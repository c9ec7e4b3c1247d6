// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// JsonWriter: statvent-web's JSON documents, checked byte for byte and through real parsers.

#include "exactpercentile.h"
#include "webservice-writers/sentstats.h"

#include <statventweb/jsonwriter.h>

#include <statvent/aggregates.h>
#include <statvent/pipeformat.h>
#include <statvent/statregistry.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>

using namespace Statvent;
using namespace StatventWeb;
using StatventTest::exactPercentile;
using StatventTest::overFifo;
using StatventTest::overSocket;

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

//! `[[index, count], ...]` as buckets; empty, with \a ok false, if it is not that.
QList<Histogram::Bucket> bucketsOf(const QJsonValue &value, bool *ok)
{
    QList<Histogram::Bucket> buckets;
    for (const QJsonValue &pair : value.toArray()) {
        const QJsonArray parts = pair.toArray();
        if (parts.size() != 2 || !parts.at(0).isDouble() || !parts.at(1).isDouble())
            *ok = false;
        buckets.append({int(parts.at(0).toInteger()), parts.at(1).toInteger()});
    }
    return buckets;
}

//! The histogram a `histogram` object describes, as a reader of the document rebuilds it.
std::optional<Histogram> histogramOf(const QJsonObject &object, double sum)
{
    bool ok = object.value(u"scale").toInt() == Histogram::Scale;
    const QList<Histogram::Bucket> negative = bucketsOf(object.value(u"negative"), &ok);
    const QList<Histogram::Bucket> positive = bucketsOf(object.value(u"positive"), &ok);
    if (!ok)
        return std::nullopt;
    return Histogram::fromParts(object.value(u"zeroCount").toInteger(-1), negative, positive,
                                object.value(u"min").toDouble(), object.value(u"max").toDouble(),
                                sum);
}

//! Three processes whose windows hold very different samples: 1-2, 10-20 and 100-1000.
struct ThreeProcesses
{
    StatRegistry registries[3];
    QList<double> samples[3];
    QList<double> all;

    ThreeProcesses()
    {
        const double ranges[3][2] = {{1, 2}, {10, 20}, {100, 1000}};
        for (int p = 0; p < 3; ++p) {
            for (int i = 0; i < 100; ++i) {
                const double sample = ranges[p][0] + (ranges[p][1] - ranges[p][0]) * i / 99.0;
                registries[p].record("latency.{0}", sample);
                samples[p].append(sample);
                all.append(sample);
            }
            registries[p].incr("requests", 100);
        }
    }

    SweepResult overSockets(int processes = 3) const
    {
        SweepResult result;
        for (int p = 0; p < processes; ++p)
            result.processes.append(overSocket(101 + p, registries[p]));
        return result;
    }
};

const QByteArray LatencyRows = "\"rows\":{\"median\":\"latency.median\",\"95th\":\"latency.95th\","
                               "\"99th\":\"latency.99th\",\"100th\":\"latency.100th\","
                               "\"mean\":\"latency.mean\"}";

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
    void appendHistogram_data();
    void appendHistogram();
    void summedWindowsAreMerged();
    void windowsThatAreNotMerged_data();
    void windowsThatAreNotMerged();
    void byProcess();
    void byProcessWindows();
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
                          QStringLiteral("unanswered"), QStringLiteral("windows")}));
    // FIFO processes report no windows.
    QCOMPARE(document.value(u"windows").toObject(), QJsonObject());
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

void tst_JsonWriter::appendHistogram_data()
{
    QTest::addColumn<QList<double>>("samples");
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("empty") << QList<double>()
                           << QByteArray("{\"scale\":4,\"zeroCount\":0,\"min\":0.0,\"max\":0.0,"
                                         "\"negative\":[],\"positive\":[]}");
    // Powers of two end their bucket: 1.0 in bucket 0, 2.0 in bucket 16; negatives by magnitude.
    QTest::newRow("zeros, negatives, powers of two")
        << QList<double>{0.0, -1.0, 1.0, 2.0, 2.0, -0.0, -3.0}
        << QByteArray("{\"scale\":4,\"zeroCount\":2,\"min\":-3.0,\"max\":2.0,"
                      "\"negative\":[[0,1],[26,1]],\"positive\":[[0,1],[16,2]]}");
    QTest::newRow("underflow and overflow buckets")
        << QList<double>{1e-30, 1e30, 5e-324}
        << QByteArray("{\"scale\":4,\"zeroCount\":0,\"min\":5e-324,\"max\":1e+30,"
                      "\"negative\":[],\"positive\":[[-1024,2],[1025,1]]}");
}

void tst_JsonWriter::appendHistogram()
{
    QFETCH(QList<double>, samples);
    QFETCH(QByteArray, json);
    const Histogram histogram = Histogram::fromSamples(samples);
    QByteArray out;
    JsonWriter::appendHistogram(out, histogram);
    QCOMPARE(out, json);
    // A reader rebuilds the same histogram from the document and the window's sum.
    const std::optional<Histogram> parsed = histogramOf(parse(out), histogram.sum());
    QVERIFY(parsed);
    QCOMPARE(*parsed, histogram);
}

void tst_JsonWriter::summedWindowsAreMerged()
{
    const ThreeProcesses host;
    const SweepResult result = host.overSockets();
    const QByteArray json = JsonWriter::stats(result, StatCombiner::Mode::Sum);
    // The rows in the window's order (a parsed QJsonObject would sort them).
    QVERIFY2(json.contains(
                 QByteArray(",\"windows\":{\"latency.{0}\":{" + LatencyRows + ",\"merged\":true,")),
             json.constData());
    const QJsonObject document = parse(json);
    const QJsonObject windows = document.value(u"windows").toObject();
    QCOMPARE(windows.keys(), QStringList{QStringLiteral("latency.{0}")});
    const QJsonObject window = windows.value(u"latency.{0}").toObject();
    QCOMPARE(window.keys(),
             (QStringList{QStringLiteral("count"), QStringLiteral("merged"), QStringLiteral("rows"),
                          QStringLiteral("sum")}));
    QCOMPARE(window.value(u"count").toInteger(), 300);
    const double sum = std::accumulate(host.all.cbegin(), host.all.cend(), 0.0);
    QVERIFY(std::abs(window.value(u"sum").toDouble() - sum) <= 1e-9 * sum);

    // The rows in `stats` are the host's percentiles, not sums of the processes'.
    const QJsonObject stats = document.value(u"stats").toObject();
    for (double p : {50.0, 95.0, 99.0}) {
        const double exact = exactPercentile(host.all, p);
        const double merged =
            stats.value(QString::fromUtf8("latency." + Aggregates::percentileLabel(p))).toDouble();
        QVERIFY2(std::abs(merged - exact) <= exact * Histogram::RelativeErrorBound,
                 qPrintable(QStringLiteral("p%1: %2, exact %3").arg(p).arg(merged).arg(exact)));
    }
    QCOMPARE(stats.value(u"latency.100th").toDouble(), 1000.0);
    QCOMPARE(stats.value(u"requests").toInteger(), 300);

    // With histograms=1: the merged histogram, which a reader rebuilds with all 300 samples.
    const QJsonObject withHistogram =
        parse(JsonWriter::stats(result, StatCombiner::Mode::Sum, JsonWriter::Histograms::Included))
            .value(u"windows")
            .toObject()
            .value(u"latency.{0}")
            .toObject();
    const std::optional<Histogram> histogram = histogramOf(
        withHistogram.value(u"histogram").toObject(), withHistogram.value(u"sum").toDouble());
    QVERIFY(histogram);
    QCOMPARE(histogram->count(), 300);
    Histogram expected = Histogram::fromSamples(host.samples[0]);
    expected.merge(Histogram::fromSamples(host.samples[1]));
    expected.merge(Histogram::fromSamples(host.samples[2]));
    QCOMPARE(histogram->positiveBuckets(), expected.positiveBuckets());
    QCOMPARE(histogram->min(), 1.0);
    QCOMPARE(histogram->max(), 1000.0);
    QCOMPARE(histogram->percentile(50), stats.value(u"latency.median").toDouble());
}

void tst_JsonWriter::windowsThatAreNotMerged_data()
{
    QTest::addColumn<StatCombiner::Mode>("mode");
    QTest::addColumn<bool>("fifoWriter");
    QTest::addColumn<bool>("withoutHistogram");
    QTest::addColumn<bool>("otherPercentiles");
    QTest::addColumn<qint64>("count");
    QTest::addColumn<double>("maximum"); // latency.100th in `stats`
    QTest::addColumn<bool>("histogram"); // given with histograms=1
    // The second process's rows come through its FIFO: they are summed, and a histogram of the
    // socket's samples only would not be the host's.
    QTest::newRow("a FIFO writer reports the rows")
        << StatCombiner::Mode::Sum << true << false << false << qint64(100) << 22.0 << false;
    QTest::newRow("a window without a histogram")
        << StatCombiner::Mode::Sum << false << true << false << qint64(200) << 22.0 << false;
    // The second process makes median, 99.9th and mean rows: no 100th of its own to add, and
    // the histogram is given only where the rows could be merged from it.
    QTest::newRow("other percentiles")
        << StatCombiner::Mode::Sum << false << false << true << qint64(200) << 2.0 << false;
    // Other modes combine the rows by the mode; the host's histogram is still there.
    QTest::newRow("max") << StatCombiner::Mode::Max << false << false << false << qint64(200)
                         << 20.0 << true;
    QTest::newRow("min") << StatCombiner::Mode::Min << false << false << false << qint64(200) << 2.0
                         << true;
}

void tst_JsonWriter::windowsThatAreNotMerged()
{
    QFETCH(StatCombiner::Mode, mode);
    QFETCH(bool, fifoWriter);
    QFETCH(bool, withoutHistogram);
    QFETCH(bool, otherPercentiles);
    QFETCH(qint64, count);
    QFETCH(double, maximum);
    QFETCH(bool, histogram);
    ThreeProcesses host;
    if (otherPercentiles)
        host.registries[1].setPercentiles({50, 99.9});
    SweepResult result = host.overSockets(2);
    if (fifoWriter)
        result.processes[1] = overFifo(102, host.registries[1]);
    if (withoutHistogram)
        result.processes[1].windows[0].histogram.reset();

    const QByteArray json = JsonWriter::stats(result, mode, JsonWriter::Histograms::Included);
    QVERIFY2(json.contains(QByteArray("\"latency.{0}\":{" + LatencyRows + ",\"merged\":false,")),
             json.constData());
    const QJsonObject document = parse(json);
    QCOMPARE(document.value(u"stats").toObject().value(u"latency.100th").toDouble(), maximum);
    const QJsonObject window =
        document.value(u"windows").toObject().value(u"latency.{0}").toObject();
    QCOMPARE(window.value(u"merged").toBool(true), false);
    QCOMPARE(window.value(u"count").toInteger(), count);
    QCOMPARE(window.contains(u"histogram"), histogram);
    if (histogram) {
        const std::optional<Histogram> parsed =
            histogramOf(window.value(u"histogram").toObject(), window.value(u"sum").toDouble());
        QVERIFY(parsed);
        QCOMPARE(parsed->count(), count);
    }
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
                          QStringLiteral("truncated"), QStringLiteral("windows")}));
    QCOMPARE(first.value(u"windows").toObject(), QJsonObject());
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

void tst_JsonWriter::byProcessWindows()
{
    const ThreeProcesses host;
    SweepResult result = host.overSockets(2);
    result.processes.append(overFifo(103, host.registries[2]));
    const QByteArray json = JsonWriter::byProcess(result);
    // A process's own rows are exact: no `merged`.
    QVERIFY2(json.contains(
                 QByteArray("\"windows\":{\"latency.{0}\":{" + LatencyRows + ",\"count\":100,")),
             json.constData());
    const QJsonObject processes = parse(json).value(u"processes").toObject();
    for (int p = 0; p < 2; ++p) {
        const QJsonObject process = processes.value(QString::number(101 + p)).toObject();
        const QJsonObject windows = process.value(u"windows").toObject();
        QCOMPARE(windows.keys(), QStringList{QStringLiteral("latency.{0}")});
        const QJsonObject window = windows.value(u"latency.{0}").toObject();
        QCOMPARE(
            window.keys(),
            (QStringList{QStringLiteral("count"), QStringLiteral("rows"), QStringLiteral("sum")}));
        QCOMPARE(window.value(u"count").toInteger(), 100);
        QCOMPARE(window.value(u"sum").toDouble(),
                 std::accumulate(host.samples[p].cbegin(), host.samples[p].cend(), 0.0));
        const QJsonObject stats = process.value(u"stats").toObject();
        QCOMPARE(stats.value(u"latency.99th").toDouble(), exactPercentile(host.samples[p], 99));
    }
    // A FIFO says nothing of windows.
    QCOMPARE(processes.value(u"103").toObject().value(u"windows").toObject(), QJsonObject());

    // With histograms=1, each socket process's own histogram, exactly as it sent it.
    const QJsonObject withHistograms =
        parse(JsonWriter::byProcess(result, JsonWriter::Histograms::Included))
            .value(u"processes")
            .toObject();
    for (int p = 0; p < 2; ++p) {
        const QJsonObject window = withHistograms.value(QString::number(101 + p))
                                       .toObject()
                                       .value(u"windows")
                                       .toObject()
                                       .value(u"latency.{0}")
                                       .toObject();
        const std::optional<Histogram> histogram =
            histogramOf(window.value(u"histogram").toObject(), window.value(u"sum").toDouble());
        QVERIFY(histogram);
        QCOMPARE(*histogram, *result.processes.at(p).windows.at(0).histogram);
    }
    QCOMPARE(withHistograms.value(u"103").toObject().value(u"windows").toObject(), QJsonObject());
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

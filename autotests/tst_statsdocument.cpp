// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "scriptedstatsserver.h"
#include "statventtest.h"
#include <statventdashboard/statsdocument.h>

#include <statvent/aggregates.h>
#include <statvent/histogram.h>

#include <QJsonDocument>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

using namespace StatventDashboard;
using namespace Qt::StringLiterals;
using Statvent::StatValue;

class tst_StatsDocument : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void perProcessDocument();
    void totalsAreSummedLikeTheService();
    void integersStayExact();
    void summedDocument();
    void summedDocumentOfTheOriginalService();
    void emptyProcessList();
    void refusesBadDocuments_data();
    void refusesBadDocuments();
    void keepsAtMostMaxStatsWholeStats();
    void kindsOfProcessesAndTotals_data();
    void kindsOfProcessesAndTotals();
    void summedDocumentHasNoKinds();
    void windowsWithHistogramsGiveTruePercentiles();
    void windowReportedWithoutHistogramStaysSummed();
    void windowsWithoutHistogramsAreNotMerged();
    void summedDocumentSaysWhichWindowsAreMerged();
};

namespace {

// A window named "latency.{0}" holding \a samples, as the service describes it.
QByteArray windowJson(const QList<double> &samples, bool withHistogram = true)
{
    const QVariantMap rows{{u"median"_s, u"latency.median"_s},
                           {u"95th"_s, u"latency.95th"_s},
                           {u"99th"_s, u"latency.99th"_s},
                           {u"100th"_s, u"latency.100th"_s},
                           {u"mean"_s, u"latency.mean"_s}};
    return QJsonDocument(ScriptedStatsServer::windowEntry(rows, samples, withHistogram))
        .toJson(QJsonDocument::Compact);
}

// The five rows of a window holding \a samples, as a process computes them.
QByteArray rowsJson(QList<double> samples)
{
    Statvent::Snapshot rows;
    Statvent::Aggregates::appendRows(rows, "latency.{0}", samples, {50, 95, 99, 100});
    QByteArrayList members;
    for (const Statvent::StatEntry &row : std::as_const(rows))
        members.append('"' + row.name + "\": " + QByteArray::number(row.value.toReal(), 'g', 17));
    return members.join(", ");
}

QByteArray socketProcessJson(const QList<double> &samples, bool withHistogram = true)
{
    return R"({"stats": {)" + rowsJson(samples) + R"(}, "windows": {"latency.{0}": )"
        + windowJson(samples, withHistogram) + R"(}, "channel": "socket"})";
}

QByteArray fifoProcessJson(const QList<double> &samples)
{
    return R"({"stats": {)" + rowsJson(samples) + R"(}, "windows": {}, "channel": "fifo"})";
}

QList<double> uniform(double from, double to, int count)
{
    QList<double> samples;
    for (int i = 0; i < count; ++i)
        samples.append(from + (to - from) * i / (count - 1));
    return samples;
}

} // namespace

void tst_StatsDocument::perProcessDocument()
{
    const QByteArray json = R"({"processes": {
        "4243": {"stats": {"requests": 7, "latency.median": 2.5}, "rejectedLines": 2},
        "17":   {"stats": {"requests": 3}, "rejectedLines": 0}},
        "unanswered": [99, 100], "removed": [5], "timestamp": 1764057600.25})";
    QString error;
    const StatsDocument document = StatsDocument::parse(json, &error);
    QVERIFY2(document.isValid(), qPrintable(error));
    QVERIFY(document.hasProcesses());
    QCOMPARE(document.timestamp(), 1764057600.25);
    QCOMPARE(document.processCount(), 2);
    QCOMPARE(document.unansweredCount(), 2);
    QCOMPARE(document.processes().size(), 2);
    QCOMPARE(document.processes()[0].pid, 17); // ordered by pid, not by text
    QCOMPARE(document.processes()[1].pid, 4243);
    QCOMPARE(document.processes()[1].rejectedLines, 2);
    QVERIFY(document.process(4243));
    QCOMPARE(document.process(4243)->stats.value(u"latency.median"_s), StatValue(2.5));
    QCOMPARE(document.process(4242), nullptr);
}

void tst_StatsDocument::totalsAreSummedLikeTheService()
{
    const QByteArray json = R"({"processes": {
        "1": {"stats": {"requests": 7, "load": 0.5, "only.here": 1}},
        "2": {"stats": {"requests": 3, "load": 1}}}, "timestamp": 10})";
    const StatsDocument document = StatsDocument::parse(json);
    QVERIFY(document.isValid());
    QCOMPARE(document.totals().size(), 3);
    QCOMPARE(document.totals().value(u"requests"_s), StatValue(10));
    QCOMPARE(document.totals().value(u"load"_s), StatValue(1.5)); // int + real = real
    QCOMPARE(document.totals().value(u"only.here"_s), StatValue(1));
}

void tst_StatsDocument::integersStayExact()
{
    // 2^63 - 1 survives as an integer; summed with 1 it overflows into a real, as the service does.
    const QByteArray json = R"({"processes": {
        "1": {"stats": {"big": 9223372036854775807}},
        "2": {"stats": {"big": 1}}}, "timestamp": 10})";
    const StatsDocument document = StatsDocument::parse(json);
    QVERIFY(document.isValid());
    QCOMPARE(document.process(1)->stats.value(u"big"_s),
             StatValue(std::numeric_limits<qint64>::max()));
    QCOMPARE(document.totals().value(u"big"_s), StatValue(9223372036854775808.0));
}

void tst_StatsDocument::summedDocument()
{
    const QByteArray json = R"({"stats": {"a": 1, "b": 2.5}, "timestamp": 12.5, "aggregate": "sum",
                                "processes": 3, "unanswered": 1})";
    const StatsDocument document = StatsDocument::parse(json);
    QVERIFY(document.isValid());
    QVERIFY(!document.hasProcesses());
    QVERIFY(document.processes().isEmpty());
    QCOMPARE(document.processCount(), 3);
    QCOMPARE(document.unansweredCount(), 1);
    QCOMPARE(document.totals().value(u"b"_s), StatValue(2.5));
}

void tst_StatsDocument::summedDocumentOfTheOriginalService()
{
    // The Python statvent.web ignores ?by=process and says nothing about processes.
    const StatsDocument document =
        StatsDocument::parse(R"({"stats": {"a.b.c.d": 42}, "timestamp": 1.5})");
    QVERIFY(document.isValid());
    QCOMPARE(document.processCount(), -1);
    QCOMPARE(document.totals().value(u"a.b.c.d"_s), StatValue(42));
}

void tst_StatsDocument::emptyProcessList()
{
    const StatsDocument document =
        StatsDocument::parse(R"({"processes": {}, "unanswered": [], "timestamp": 3})");
    QVERIFY(document.isValid());
    QCOMPARE(document.processCount(), 0);
    QVERIFY(document.totals().isEmpty());
}

void tst_StatsDocument::refusesBadDocuments_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");

    QTest::newRow("empty") << QByteArray() << u"not JSON"_s;
    QTest::newRow("html") << QByteArray("<html><body>502 Bad Gateway</body></html>")
                          << u"not JSON: "_s;
    QTest::newRow("truncated") << QByteArray(R"({"stats": {"a": 1)") << u"not JSON: "_s;
    QTest::newRow("array") << QByteArray("[1, 2]") << u"the document is an array, not an object"_s;
    QTest::newRow("number") << QByteArray("42") << u"not JSON"_s;
    QTest::newRow("no timestamp") << QByteArray(R"({"stats": {}})")
                                  << u"\"timestamp\" is missing, not a number"_s;
    QTest::newRow("string timestamp") << QByteArray(R"({"stats": {}, "timestamp": "now"})")
                                      << u"\"timestamp\" is a string, not a number"_s;
    QTest::newRow("negative timestamp") << QByteArray(R"({"stats": {}, "timestamp": -1})")
                                        << u"\"timestamp\" is -1, not a time after 1970"_s;
    QTest::newRow("neither") << QByteArray(R"({"timestamp": 1})")
                             << u"the document has neither \"stats\" nor \"processes\""_s;
    QTest::newRow("stats array") << QByteArray(R"({"stats": [1], "timestamp": 1})")
                                 << u"\"stats\" is an array, not an object"_s;
    QTest::newRow("string value") << QByteArray(R"({"stats": {"a": "12"}, "timestamp": 1})")
                                  << u"stat \"a\" in \"stats\" is a string, not a number"_s;
    QTest::newRow("null value") << QByteArray(R"({"stats": {"a": null}, "timestamp": 1})")
                                << u"stat \"a\" in \"stats\" is null, not a number"_s;
    const auto withWindow = [](const QByteArray &window) -> QByteArray {
        return R"({"processes": {"7": {"stats": {}, "windows": {"w": )" + window
            + R"(}}}, "timestamp": 1})";
    };
    QTest::newRow("windows array")
        << QByteArray(R"({"processes": {"7": {"stats": {}, "windows": []}}, "timestamp": 1})")
        << u"\"windows\" of process \"7\" is an array, not an object"_s;
    QTest::newRow("window a number")
        << withWindow("5")
        << u"window \"w\" in \"windows\" of process \"7\" is a number, not an object"_s;
    QTest::newRow("window without rows")
        << withWindow(R"({"count": 1, "sum": 1})")
        << u"\"rows\" of window \"w\" in \"windows\" of process \"7\" is missing, not an object"_s;
    QTest::newRow("row not a name")
        << withWindow(R"({"rows": {"median": 5}, "count": 1, "sum": 1})")
        << u"row \"median\" of window \"w\""_s;
    QTest::newRow("count a string")
        << withWindow(R"({"rows": {}, "count": "1", "sum": 1})")
        << u"\"count\" of window \"w\" in \"windows\" of process \"7\" is a string, not a number"_s;
    QTest::newRow("histogram of another scale")
        << withWindow(R"({"rows": {}, "count": 1, "sum": 1, "histogram": {"scale": 3,
                      "zeroCount": 0, "min": 1, "max": 1, "negative": [], "positive": [[0, 1]]}})")
        << u"\"histogram\" of window \"w\" in \"windows\" of process \"7\" is not of scale 4"_s;
    QTest::newRow("buckets out of order")
        << withWindow(R"({"rows": {}, "count": 2, "sum": 3, "histogram": {"scale": 4,
                      "zeroCount": 0, "min": 1, "max": 2, "negative": [],
                      "positive": [[16, 1], [0, 1]]}})")
        << u"\"histogram\" of window \"w\" in \"windows\" of process \"7\" is not a valid histogram"_s;
    QTest::newRow("bucket not a pair")
        << withWindow(R"({"rows": {}, "count": 1, "sum": 1, "histogram": {"scale": 4,
                      "zeroCount": 0, "min": 1, "max": 1, "negative": [], "positive": [[0]]}})")
        << u"\"positive\" of \"histogram\" of window \"w\" in \"windows\" of process \"7\" holds something else than [index, count] pairs"_s;
    QTest::newRow("histogram min missing")
        << withWindow(R"({"rows": {}, "count": 1, "sum": 1, "histogram": {"scale": 4,
                      "zeroCount": 0, "max": 1, "negative": [], "positive": [[0, 1]]}})")
        << u"\"min\" of \"histogram\" of window \"w\""_s;
    QTest::newRow("processes array") << QByteArray(R"({"processes": [], "timestamp": 1})")
                                     << u"\"processes\" is an array, not an object"_s;
    QTest::newRow("summed processes string")
        << QByteArray(R"({"stats": {}, "processes": "3", "timestamp": 1})")
        << u"\"processes\" is a string, not a number or an object"_s;
    QTest::newRow("pid not a number")
        << QByteArray(R"({"processes": {"abc": {"stats": {}}}, "timestamp": 1})")
        << u"process \"abc\" is not named by a pid"_s;
    QTest::newRow("pid zero") << QByteArray(
        R"({"processes": {"0": {"stats": {}}}, "timestamp": 1})")
                              << u"process \"0\" is not named by a pid"_s;
    QTest::newRow("process not object") << QByteArray(R"({"processes": {"12": 5}, "timestamp": 1})")
                                        << u"process \"12\" is a number, not an object"_s;
    QTest::newRow("process without stats")
        << QByteArray(R"({"processes": {"12": {}}, "timestamp": 1})")
        << u"\"stats\" of process \"12\" is missing, not an object"_s;
    QTest::newRow("process bad value")
        << QByteArray(R"({"processes": {"12": {"stats": {"x": true}}}, "timestamp": 1})")
        << u"stat \"x\" in \"stats\" of process \"12\" is a boolean, not a number"_s;
    QTest::newRow("kinds not object") << QByteArray(
        R"({"processes": {"12": {"stats": {"x": 1}, "kinds": ["counter"]}}, "timestamp": 1})")
                                      << u"\"kinds\" of process \"12\" is an array, not an object"_s;
    QTest::newRow("kind not string")
        << QByteArray(
               R"({"processes": {"12": {"stats": {"x": 1}, "kinds": {"x": 1}}}, "timestamp": 1})")
        << u"kind of \"x\" in \"kinds\" of process \"12\" is a number, not a string"_s;
    QTest::newRow("unanswered not array")
        << QByteArray(R"({"processes": {}, "unanswered": 3, "timestamp": 1})")
        << u"\"unanswered\" is a number, not an array of pids"_s;
}

void tst_StatsDocument::refusesBadDocuments()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    QString reported;
    const StatsDocument document = StatsDocument::parse(json, &reported);
    QVERIFY(!document.isValid());
    QVERIFY2(reported.startsWith(error), qPrintable(u"reported: "_s + reported));
    QVERIFY(document.totals().isEmpty());
}

void tst_StatsDocument::keepsAtMostMaxStatsWholeStats()
{
    // Process 1 fills the cap; process 2 has the same names plus 10 more, and a value that is no
    // number beyond the cap still refuses the document.
    auto stats = [](int first, int count) -> QByteArray {
        QByteArray json = "{";
        for (int i = first; i < first + count; ++i)
            json += (i > first ? ",\"s" : "\"s") + QByteArray::number(100'000 + i) + "\": 2";
        return json + "}";
    };
    const qsizetype max = StatsDocument::MaxStats;
    const QByteArray json = "{\"processes\": {\"1\": {\"stats\": " + stats(0, int(max))
        + "}, \"2\": {\"stats\": " + stats(0, int(max) + 10) + "}}, \"timestamp\": 1764057600}";
    QString error;
    const StatsDocument document = StatsDocument::parse(json, &error);
    QVERIFY2(document.isValid(), qPrintable(error));
    QCOMPARE(document.totals().size(), max);
    QCOMPARE(document.processes()[1].stats.size(), max);
    QCOMPARE(document.leftOutCount(), qint64(10));
    QCOMPARE(document.totals().value(u"s100000"_s).toInteger(), qint64(4)); // summed over both
    QVERIFY(!document.totals().contains(u"s1%1"_s.arg(max, 5, 10, QChar(u'0'))));

    QByteArray bad = json;
    bad.replace(bad.lastIndexOf("\": 2"), 4, "\": \"x\"");
    QVERIFY(!StatsDocument::parse(bad, &error).isValid());
    QVERIFY2(error.startsWith(u"stat \""_s), qPrintable(error));
}

void tst_StatsDocument::kindsOfProcessesAndTotals_data()
{
    // The kind of "x" in each of two processes (empty: no "kinds" object, as a process read
    // over its FIFO), what the dashboard reads for each, and the kind of the total.
    QTest::addColumn<QString>("first");
    QTest::addColumn<QString>("second");
    QTest::addColumn<Statvent::StatKind>("firstRead");
    QTest::addColumn<Statvent::StatKind>("secondRead");
    QTest::addColumn<Statvent::StatKind>("total");
    using Statvent::StatKind;
    QTest::newRow("counters") << u"counter"_s << u"counter"_s << StatKind::Counter
                              << StatKind::Counter << StatKind::Counter;
    QTest::newRow("gauges") << u"gauge"_s << u"gauge"_s << StatKind::Gauge << StatKind::Gauge
                            << StatKind::Gauge;
    QTest::newRow("counter and gauge")
        << u"counter"_s << u"gauge"_s << StatKind::Counter << StatKind::Gauge << StatKind::Gauge;
    QTest::newRow("windows") << u"window"_s << u"window"_s << StatKind::Window << StatKind::Window
                             << StatKind::Window;
    QTest::newRow("window and counter") << u"window"_s << u"counter"_s << StatKind::Window
                                        << StatKind::Counter << StatKind::Untyped;
    QTest::newRow("counter and FIFO")
        << u"counter"_s << QString() << StatKind::Counter << StatKind::Untyped << StatKind::Untyped;
    QTest::newRow("counter and untyped") << u"counter"_s << u"untyped"_s << StatKind::Counter
                                         << StatKind::Untyped << StatKind::Untyped;
    QTest::newRow("FIFOs") << QString() << QString() << StatKind::Untyped << StatKind::Untyped
                           << StatKind::Untyped;
    // A kind of a newer service: read as untyped, so the dashboard guesses as for a FIFO.
    QTest::newRow("unknown kind") << u"histogram"_s << u"histogram"_s << StatKind::Untyped
                                  << StatKind::Untyped << StatKind::Untyped;
}

void tst_StatsDocument::kindsOfProcessesAndTotals()
{
    QFETCH(QString, first);
    QFETCH(QString, second);
    QFETCH(Statvent::StatKind, firstRead);
    QFETCH(Statvent::StatKind, secondRead);
    QFETCH(Statvent::StatKind, total);
    const auto process = [](const QString &kind) {
        // "gone" has a kind but no value: not a stat of the process.
        return kind.isEmpty() ? QByteArray(R"({"stats": {"x": 1}, "channel": "fifo"})")
                              : QByteArray(R"({"stats": {"x": 1}, "kinds": {"x": ")" + kind.toUtf8()
                                           + R"(", "gone": "counter"}, "channel": "socket"})");
    };
    const QByteArray json = R"({"processes": {"1": )" + process(first) + R"(, "2": )"
        + process(second) + R"(}, "timestamp": 10})";
    QString error;
    const StatsDocument document = StatsDocument::parse(json, &error);
    QVERIFY2(document.isValid(), qPrintable(error));
    QCOMPARE(document.process(1)->kinds.value(u"x"_s, Statvent::StatKind::Untyped), firstRead);
    QCOMPARE(document.process(2)->kinds.value(u"x"_s, Statvent::StatKind::Untyped), secondRead);
    QVERIFY(!document.process(1)->kinds.contains(u"gone"_s));
    QCOMPARE(document.totalKinds().value(u"x"_s, Statvent::StatKind::Untyped), total);
    QVERIFY(!document.totalKinds().contains(u"gone"_s));
    QCOMPARE(document.totals().value(u"x"_s), StatValue(2));
}

void tst_StatsDocument::summedDocumentHasNoKinds()
{
    const StatsDocument document =
        StatsDocument::parse(R"({"stats": {"x": 1}, "processes": 1, "timestamp": 10})");
    QVERIFY(document.isValid());
    QVERIFY(document.totalKinds().isEmpty());
}

void tst_StatsDocument::windowsWithHistogramsGiveTruePercentiles()
{
    // Three processes whose windows hold very different samples: summed percentiles would be
    // far off (a "median" of about 565); the merged histogram's are the host's.
    const QList<double> fast = uniform(1, 2, 100);
    const QList<double> medium = uniform(10, 20, 100);
    const QList<double> slow = uniform(100, 1000, 100);
    const QByteArray json = R"({"processes": {"1": )" + socketProcessJson(fast) + R"(, "2": )"
        + socketProcessJson(medium) + R"(, "3": )" + socketProcessJson(slow)
        + R"(}, "timestamp": 10})";
    QString error;
    const StatsDocument document = StatsDocument::parse(json, &error);
    QVERIFY2(document.isValid(), qPrintable(error));

    QList<double> all = fast + medium + slow;
    std::sort(all.begin(), all.end());
    const StatsDocument::Window window = document.totalWindows().value(u"latency.{0}"_s);
    QVERIFY(window.merged);
    QCOMPARE(window.count, 300);
    QVERIFY(window.histogram);
    QCOMPARE(window.histogram->count(), 300);
    QCOMPARE(window.rows.size(), 5);
    QCOMPARE(window.rows.first(), std::pair(u"median"_s, u"latency.median"_s));
    QCOMPARE(window.rows.last(), std::pair(u"mean"_s, u"latency.mean"_s));
    for (const auto &[label, p] :
         {std::pair(u"median"_s, 50.0), std::pair(u"95th"_s, 95.0), std::pair(u"99th"_s, 99.0)}) {
        const double exact = Statvent::Aggregates::percentile(all, p);
        const double shown = document.totals().value(u"latency."_s + label).toReal();
        QVERIFY2(std::abs(shown - exact) <= Statvent::Histogram::RelativeErrorBound * exact,
                 qPrintable(u"%1: %2, exact %3"_s.arg(label).arg(shown).arg(exact)));
    }
    QCOMPARE(document.totals().value(u"latency.100th"_s).toReal(), 1000.0);
    const double mean = std::accumulate(all.cbegin(), all.cend(), 0.0) / 300;
    QVERIFY(qFuzzyCompare(document.totals().value(u"latency.mean"_s).toReal(), mean));
    // Each process's own rows are left as they came: exact.
    QCOMPARE(document.process(1)->stats.value(u"latency.100th"_s).toReal(), 2.0);
    QVERIFY(document.process(1)->windows.value(u"latency.{0}"_s).merged);
}

void tst_StatsDocument::windowReportedWithoutHistogramStaysSummed()
{
    // An original writer over its FIFO reports the same rows with no window: no true percentile
    // can be made, so the rows are summed as the service sums them.
    const QList<double> samples = uniform(1, 2, 100);
    const QByteArray json = R"({"processes": {"1": )" + socketProcessJson(samples) + R"(, "2": )"
        + fifoProcessJson(samples) + R"(}, "timestamp": 10})";
    QString error;
    const StatsDocument document = StatsDocument::parse(json, &error);
    QVERIFY2(document.isValid(), qPrintable(error));
    const StatsDocument::Window window = document.totalWindows().value(u"latency.{0}"_s);
    QVERIFY(!window.merged);
    QVERIFY(!window.histogram); // the socket process's alone is not the host's
    QCOMPARE(window.count, 100);
    QCOMPARE(document.totals().value(u"latency.100th"_s).toReal(), 4.0);
    QVERIFY(document.process(2)->windows.isEmpty());
}

void tst_StatsDocument::windowsWithoutHistogramsAreNotMerged()
{
    // Asked without ?histograms=1 (or from a process that sent none): rows and totals only.
    const QList<double> samples = uniform(10, 20, 50);
    const QByteArray json = R"({"processes": {"1": )" + socketProcessJson(samples, false)
        + R"(, "2": )" + socketProcessJson(samples, false) + R"(}, "timestamp": 10})";
    const StatsDocument document = StatsDocument::parse(json);
    QVERIFY(document.isValid());
    const StatsDocument::Window window = document.totalWindows().value(u"latency.{0}"_s);
    QVERIFY(!window.merged);
    QVERIFY(!window.histogram);
    QCOMPARE(window.count, 100);
    QCOMPARE(window.sum, 2 * std::accumulate(samples.cbegin(), samples.cend(), 0.0));
    QCOMPARE(document.totals().value(u"latency.100th"_s).toReal(), 40.0);
}

void tst_StatsDocument::summedDocumentSaysWhichWindowsAreMerged()
{
    const QByteArray json = R"({"stats": {"latency.median": 1.5, "q.median": 3, "q.mean": 3},
        "windows": {"latency.{0}": )"
        + windowJson(uniform(1, 2, 10)).chopped(1)
        + R"(, "merged": true}, "q.{0}": {"rows": {"median": "q.median", "mean": "q.mean"},
        "merged": false, "count": 4, "sum": 12}}, "processes": 2, "timestamp": 10})";
    QString error;
    const StatsDocument document = StatsDocument::parse(json, &error);
    QVERIFY2(document.isValid(), qPrintable(error));
    QCOMPARE(document.totalWindows().size(), 2);
    QVERIFY(document.totalWindows().value(u"latency.{0}"_s).merged);
    QCOMPARE(document.totalWindows().value(u"latency.{0}"_s).histogram->count(), 10);
    QVERIFY(!document.totalWindows().value(u"q.{0}"_s).merged);
    // The service computed the values: they are taken as they are.
    QCOMPARE(document.totals().value(u"latency.median"_s), StatValue(1.5));
}

QTEST_GUILESS_MAIN(tst_StatsDocument)
#include "tst_statsdocument.moc"

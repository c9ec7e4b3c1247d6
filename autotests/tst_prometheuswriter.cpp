// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// PrometheusWriter: the text exposition format 0.0.4, checked by hand and by promtool.

#include <statventweb/prometheuswriter.h>

#include <statvent/aggregates.h>
#include <statvent/histogram.h>

#include <QMap>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

#include <algorithm>
#include <limits>

using namespace Statvent;
using namespace StatventWeb;

namespace {

SweepResult sampleResult()
{
    SweepResult result;
    ProcessStats first;
    first.pid = 10;
    first.stats = {{"requests", 5}, {"load", 0.5}, {"path \"quoted\" \\ back", 1}, {"caf\xe9", 3}};
    ProcessStats second;
    second.pid = 20;
    second.stats = {
        {"requests", 7}, {"caf\xc3\xa9", 4}, {"huge", std::numeric_limits<double>::max()}};
    ProcessStats third;
    third.pid = 30;
    third.stats = {{"huge", std::numeric_limits<double>::max()}, {"http.GET /api?x=1: ok", 2}};
    third.rejectedLines = 3;
    result.processes = {first, second, third};
    result.unanswered = {40};
    result.removed = {50, 51};
    result.duration = 0.0125;
    return result;
}

/*!
 * Two processes that spoke over the socket (kinds, a window without a histogram, as an older
 * writer sends it) and one over its FIFO: `errors` is a counter in one and a gauge in the other.
 */
SweepResult typedResult()
{
    using Kind = StatKind;
    const auto windowOf = [](qsizetype firstRow, qint64 count, double sum) {
        return WindowStats{"latency.{0}",
                           count,
                           sum,
                           firstRow,
                           5,
                           {"median", "5th", "99th", "99.9th", "mean"},
                           {}};
    };
    ProcessStats first;
    first.pid = 10;
    first.channel = Channel::Socket;
    first.stats = {{"requests", 5, Kind::Counter},
                   {"errors", 1, Kind::Counter},
                   {"load", 0.5, Kind::Gauge},
                   {"latency.median", 3.0, Kind::Window},
                   {"latency.5th", 1.0, Kind::Window},
                   {"latency.99th", 9.0, Kind::Window},
                   {"latency.99.9th", 9.5, Kind::Window},
                   {"latency.mean", 4.0, Kind::Window}};
    first.windows = {windowOf(3, 10, 40.0)};
    ProcessStats second;
    second.pid = 20;
    second.channel = Channel::Socket;
    second.stats = {{"requests", 7, Kind::Counter},        {"errors", 2, Kind::Gauge},
                    {"latency.median", 5.0, Kind::Window}, {"latency.5th", 2.0, Kind::Window},
                    {"latency.99th", 11.0, Kind::Window},  {"latency.99.9th", 12.0, Kind::Window},
                    {"latency.mean", 6.0, Kind::Window}};
    second.windows = {windowOf(2, 5, 30.0)};
    ProcessStats third;
    third.pid = 30;
    third.stats = {{"fifo.only", 1}};
    SweepResult result;
    result.processes = {first, second, third};
    return result;
}

//! The samples of the window `latency.{0}` in each process of histogramResult(), by pid.
const QMap<qint64, QList<double>> &windowSamples()
{
    // Negative and zero samples are below every bound; 1e13 is above the last (2^40).
    static const QMap<qint64, QList<double>> samples{
        {10, {0.5, 1, 1.5, 2, 3, 4, 8, 100, 1000, 5000}},
        {20, {-1, 0, 2, 3, 7, 1e13}},
    };
    return samples;
}

const QList<QByteArray> WindowLabels{"median", "99th", "100th", "mean"};

/*!
 * Two socket processes whose window `latency.{0}` holds windowSamples(), with its histogram
 * and its rows as a recorder computes them; \a withoutHistogram: the second sends none.
 */
SweepResult histogramResult(bool withoutHistogram = false)
{
    SweepResult result;
    for (auto it = windowSamples().cbegin(); it != windowSamples().cend(); ++it) {
        QList<double> sorted = it.value();
        std::sort(sorted.begin(), sorted.end());
        ProcessStats process;
        process.pid = it.key();
        process.channel = Channel::Socket;
        process.stats = {{"requests", 1, StatKind::Counter}};
        const Histogram histogram = Histogram::fromSamples(it.value());
        WindowStats window{
            "latency.{0}",       histogram.count(), histogram.sum(), process.stats.size(),
            WindowLabels.size(), WindowLabels,      histogram};
        if (withoutHistogram && process.pid == 20)
            window.histogram.reset();
        for (const QByteArray &label : WindowLabels) {
            const std::optional<double> p = Aggregates::percentileOf(label);
            process.stats.append({"latency." + label,
                                  p ? Aggregates::percentile(sorted, *p) : histogram.mean(),
                                  StatKind::Window});
        }
        process.windows = {window};
        result.processes.append(process);
    }
    return result;
}

//! One `_bucket` series: its `le` values and counts, in the order of the text.
struct BucketSeries
{
    QList<QByteArray> bounds;
    QList<qint64> counts;
};

//! The `statvent_window_bucket` series of \a text, by their labels other than `le`.
QMap<QByteArray, BucketSeries> bucketSeries(const QByteArray &text)
{
    QMap<QByteArray, BucketSeries> series;
    for (const QByteArray &line : text.split('\n')) {
        if (!line.startsWith("statvent_window_bucket{"))
            continue;
        const qsizetype le = line.lastIndexOf(",le=\"");
        const qsizetype end = line.indexOf("\"} ", le);
        BucketSeries &entry = series[line.sliced(23, le - 23)];
        entry.bounds.append(line.sliced(le + 5, end - le - 5));
        entry.counts.append(line.sliced(end + 3).toLongLong());
    }
    return series;
}

//! The value of the sample line that starts with \a prefix (metric and labels), or NaN.
double sampleValue(const QByteArray &text, const QByteArray &prefix)
{
    const qsizetype at = text.indexOf(QByteArray('\n' + prefix + ' '));
    if (at < 0)
        return std::numeric_limits<double>::quiet_NaN();
    const qsizetype start = at + prefix.size() + 2;
    return text.sliced(start, text.indexOf('\n', start) - start).toDouble();
}

//! What `promtool check <arguments>` says about \a input: empty when it is satisfied.
QString promtoolProblems(const QStringList &arguments, const QByteArray &input = {})
{
    const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
    if (promtool.isEmpty())
        return QStringLiteral("promtool not found: install the Debian package prometheus");
    QProcess process;
    process.start(promtool, QStringList{QStringLiteral("check")} + arguments);
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(30000))
        return QStringLiteral("promtool did not finish");
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return QString::fromUtf8(process.readAllStandardOutput() + process.readAllStandardError());
    return {};
}

} // namespace

class tst_PrometheusWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void nameLabels_data();
    void nameLabels();
    void values_data();
    void values();
    void combined();
    void byProcess();
    void typedCombined_data();
    void typedCombined();
    void typedByProcess();
    void buckets_data();
    void buckets();
    void mergedBucketsAddUp();
    void mergedPercentiles();
    void windowWithoutHistogram();
    void promtoolAcceptsBothViews_data();
    void promtoolAcceptsBothViews();
    void promtoolAcceptsTheDocumentedScrapeConfig();
};

void tst_PrometheusWriter::nameLabels_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("labels");
    QTest::newRow("plain") << QByteArray("a.b.c") << QByteArray("name=\"a.b.c\"");
    QTest::newRow("escapes") << QByteArray("a\"b\\c\nd") << QByteArray("name=\"a\\\"b\\\\c\\nd\"");
    QTest::newRow("UTF-8 stays") << QByteArray("caf\xc3\xa9") << QByteArray("name=\"caf\xc3\xa9\"");
    QTest::newRow("not UTF-8: marked, bytes in hex")
        << QByteArray("caf\xe9") << QByteArray("name=\"caf\xef\xbf\xbd\",name_hex=\"636166e9\"");
}

void tst_PrometheusWriter::nameLabels()
{
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, labels);
    QByteArray out;
    PrometheusWriter::appendNameLabels(out, name);
    QCOMPARE(out, labels);
}

void tst_PrometheusWriter::values_data()
{
    QTest::addColumn<StatValue>("value");
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("int") << StatValue(std::numeric_limits<qint64>::max())
                         << QByteArray("9223372036854775807");
    QTest::newRow("real") << StatValue(0.25) << QByteArray("0.25");
    QTest::newRow("tiny real") << StatValue(1e-9) << QByteArray("1e-09");
    QTest::newRow("overflow") << StatValue(std::numeric_limits<double>::infinity())
                              << QByteArray("+Inf");
    QTest::newRow("negative overflow")
        << StatValue(-std::numeric_limits<double>::infinity()) << QByteArray("-Inf");
}

void tst_PrometheusWriter::values()
{
    QFETCH(StatValue, value);
    QFETCH(QByteArray, text);
    QByteArray out;
    PrometheusWriter::appendValue(out, value);
    QCOMPARE(out, text);
}

void tst_PrometheusWriter::combined()
{
    const QByteArray text = PrometheusWriter::combined(sampleResult(), StatCombiner::Mode::Sum);
    QVERIFY(
        text.startsWith("# HELP statvent_stat A Statvent statistic, named by the label name; "
                        "combined across processes "
                        "by the function in the label aggregate.\n# TYPE statvent_stat untyped\n"));
    QVERIFY(text.contains("statvent_stat{name=\"requests\",aggregate=\"sum\"} 12\n"));
    QVERIFY(text.contains("statvent_stat{name=\"load\",aggregate=\"sum\"} 0.5\n"));
    QVERIFY(text.contains(
        "statvent_stat{name=\"path \\\"quoted\\\" \\\\ back\",aggregate=\"sum\"} 1\n"));
    QVERIFY(text.contains("statvent_stat{name=\"huge\",aggregate=\"sum\"} +Inf\n"));
    // The valid name and the Latin-1 one that shows the same once marked stay two series.
    QVERIFY(text.contains("statvent_stat{name=\"caf\xc3\xa9\",aggregate=\"sum\"} 4\n"));
    QVERIFY(text.contains(
        "statvent_stat{name=\"caf\xef\xbf\xbd\",name_hex=\"636166e9\",aggregate=\"sum\"} 3\n"));
    QVERIFY(text.contains("# TYPE statvent_processes gauge\nstatvent_processes 3\n"));
    QVERIFY(text.contains("statvent_unanswered_pipes 1\n"));
    QVERIFY(text.contains("statvent_removed_pipes 2\n"));
    QVERIFY(text.contains("statvent_rejected_lines 3\n"));
    QVERIFY(text.contains("statvent_sweep_duration_seconds 0.0125\n"));

    const QByteArray maximum = PrometheusWriter::combined(sampleResult(), StatCombiner::Mode::Max);
    QVERIFY(maximum.contains("statvent_stat{name=\"requests\",aggregate=\"max\"} 7\n"));
}

void tst_PrometheusWriter::byProcess()
{
    const QByteArray text = PrometheusWriter::byProcess(sampleResult());
    QVERIFY(text.contains("statvent_stat{name=\"requests\",pid=\"10\"} 5\n"));
    QVERIFY(text.contains("statvent_stat{name=\"requests\",pid=\"20\"} 7\n"));
    QVERIFY(text.contains("statvent_stat{name=\"huge\",pid=\"30\"} 1.7976931348623157e+308\n"));
    QVERIFY(!text.contains("aggregate="));
}

void tst_PrometheusWriter::typedCombined_data()
{
    QTest::addColumn<StatCombiner::Mode>("mode");
    QTest::addColumn<QByteArrayList>("lines"); // each a whole line of the text, in this order
    QTest::addColumn<QByteArrayList>("absent"); // parts of no line

    QTest::newRow("sum") << StatCombiner::Mode::Sum
                         << QByteArrayList{
                                "# TYPE statvent_stat untyped",
                                "statvent_stat{name=\"fifo.only\",aggregate=\"sum\"} 1",
                                "# TYPE statvent_stat_total counter",
                                "statvent_stat_total{name=\"requests\",aggregate=\"sum\"} 12",
                                "# TYPE statvent_value gauge",
                                // A counter in one process, a gauge in another: a gauge.
                                "statvent_value{name=\"errors\",aggregate=\"sum\"} 3",
                                "statvent_value{name=\"load\",aggregate=\"sum\"} 0.5",
                                // No histograms: summed percentiles, no buckets, no _count.
                                "# TYPE statvent_window_quantile untyped",
                                "statvent_window_quantile{name=\"latency.{0}\",aggregate=\"sum\",quantile=\"0.5\"} 8.0",
                                "statvent_window_quantile{name=\"latency.{0}\",aggregate=\"sum\",quantile=\"0.05\"} 3.0",
                                "statvent_window_quantile{name=\"latency.{0}\",aggregate=\"sum\",quantile=\"0.99\"} 20.0",
                                "statvent_window_quantile{name=\"latency.{0}\",aggregate=\"sum\",quantile=\"0.999\"} 21.5",
                                "# TYPE statvent_window_mean gauge",
                                "statvent_window_mean{name=\"latency.{0}\",aggregate=\"sum\"} 10.0",
                                "# TYPE statvent_processes gauge",
                            }
                         << QByteArrayList{"latency.median",
                                           "name=\"errors\",aggregate=\"sum\"} 3\n# TYPE",
                                           "statvent_window_count", "statvent_window_bucket",
                                           "# TYPE statvent_window "};
    // The largest of counters can go down: a gauge.
    QTest::newRow("max") << StatCombiner::Mode::Max
                         << QByteArrayList{
                                "# TYPE statvent_value gauge",
                                "statvent_value{name=\"requests\",aggregate=\"max\"} 7",
                                "statvent_value{name=\"errors\",aggregate=\"max\"} 2",
                                "statvent_window_quantile{name=\"latency.{0}\",aggregate=\"max\",quantile=\"0.99\"} 11.0",
                            }
                         << QByteArrayList{"statvent_stat_total"};
}

void tst_PrometheusWriter::typedCombined()
{
    QFETCH(StatCombiner::Mode, mode);
    QFETCH(QByteArrayList, lines);
    QFETCH(QByteArrayList, absent);
    const QByteArray text = PrometheusWriter::combined(typedResult(), mode);
    qsizetype from = 0;
    for (const QByteArray &line : lines) {
        const qsizetype at = text.indexOf(QByteArray('\n' + line + '\n'), from);
        QVERIFY2(at >= 0,
                 qPrintable(QString::fromUtf8(line + "\nnot found (in order) in\n" + text)));
        from = at + 1;
    }
    for (const QByteArray &part : absent)
        QVERIFY2(!text.contains(part), part.constData());
}

void tst_PrometheusWriter::typedByProcess()
{
    const QByteArray text = PrometheusWriter::byProcess(typedResult());
    for (const char *line : {
             "statvent_stat{name=\"fifo.only\",pid=\"30\"} 1\n",
             "statvent_stat_total{name=\"requests\",pid=\"10\"} 5\n",
             "statvent_stat_total{name=\"requests\",pid=\"20\"} 7\n",
             "statvent_stat_total{name=\"errors\",pid=\"10\"} 1\n",
             "statvent_value{name=\"errors\",pid=\"20\"} 2\n",
             "statvent_window_quantile{name=\"latency.{0}\",pid=\"10\",quantile=\"0.5\"} 3.0\n",
             "statvent_window_quantile{name=\"latency.{0}\",pid=\"20\",quantile=\"0.999\"} 12.0\n",
             "statvent_window_mean{name=\"latency.{0}\",pid=\"20\"} 6.0\n",
         })
        QVERIFY2(text.contains(line),
                 qPrintable(QString::fromUtf8(QByteArray(line) + "not in\n" + text)));
    // Each family once (one group per metric).
    for (const char *type : {"# TYPE statvent_stat_total ", "# TYPE statvent_value ",
                             "# TYPE statvent_window_quantile "})
        QCOMPARE(text.count(type), 1);
    QVERIFY(!text.contains("statvent_window_bucket"));
}

void tst_PrometheusWriter::buckets_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArrayList>("series"); // each series' labels other than le
    QTest::addColumn<QList<qint64>>("pids"); // whose samples each series counts (0: all)
    const SweepResult result = histogramResult();
    QTest::newRow("sum") << PrometheusWriter::combined(result, StatCombiner::Mode::Sum)
                         << QByteArrayList{"name=\"latency.{0}\""} << QList<qint64>{0};
    QTest::newRow("max") << PrometheusWriter::combined(result, StatCombiner::Mode::Max)
                         << QByteArrayList{"name=\"latency.{0}\""} << QList<qint64>{0};
    QTest::newRow("by process") << PrometheusWriter::byProcess(result)
                                << QByteArrayList{"name=\"latency.{0}\",pid=\"10\"",
                                                  "name=\"latency.{0}\",pid=\"20\""}
                                << QList<qint64>{10, 20};
}

void tst_PrometheusWriter::buckets()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArrayList, series);
    QFETCH(QList<qint64>, pids);
    QVERIFY(text.contains("\n# TYPE statvent_window histogram\n"));
    const QMap<QByteArray, BucketSeries> found = bucketSeries(text);
    QCOMPARE(found.keys(), series);
    const QList<double> bounds = Histogram::prometheusBounds();
    QCOMPARE(bounds.size(), 121);
    for (qsizetype s = 0; s < series.size(); ++s) {
        const BucketSeries &buckets = found.value(series.at(s));
        QList<double> samples;
        for (auto it = windowSamples().cbegin(); it != windowSamples().cend(); ++it) {
            if (pids.at(s) == 0 || pids.at(s) == it.key())
                samples += it.value();
        }
        // Every bound, in increasing order, then +Inf; each count is the samples <= the bound.
        QCOMPARE(buckets.bounds.size(), bounds.size() + 1);
        for (qsizetype i = 0; i < bounds.size(); ++i) {
            QCOMPARE(buckets.bounds.at(i).toDouble(), bounds.at(i));
            const qint64 atMost = std::count_if(samples.cbegin(), samples.cend(),
                                                [&](double v) { return v <= bounds.at(i); });
            QCOMPARE(buckets.counts.at(i), atMost);
            if (i > 0)
                QVERIFY(buckets.counts.at(i) >= buckets.counts.at(i - 1));
        }
        QCOMPARE(buckets.bounds.constLast(), QByteArray("+Inf"));
        QCOMPARE(buckets.counts.constLast(), qint64(samples.size()));
        QCOMPARE(sampleValue(text, "statvent_window_count{" + series.at(s) + '}'),
                 double(samples.size()));
        double sum = 0;
        for (double sample : samples)
            sum += sample;
        QCOMPARE(sampleValue(text, "statvent_window_sum{" + series.at(s) + '}'), sum);
    }
    // The same `le` text on every scrape and host: the fixed list, not the samples, decides it.
    QVERIFY(text.contains(QByteArray("statvent_window_bucket{" + series.constFirst()
                                     + ",le=\"9.5367431640625e-07\"} ")));
    QVERIFY(text.contains(
        QByteArray("statvent_window_bucket{" + series.constFirst() + ",le=\"1099511627776.0\"} ")));
}

void tst_PrometheusWriter::mergedBucketsAddUp()
{
    const SweepResult result = histogramResult();
    const auto combined = bucketSeries(PrometheusWriter::combined(result, StatCombiner::Mode::Avg));
    const auto byProcess = bucketSeries(PrometheusWriter::byProcess(result));
    const BucketSeries &merged = combined.value("name=\"latency.{0}\"");
    const BucketSeries &first = byProcess.value("name=\"latency.{0}\",pid=\"10\"");
    const BucketSeries &second = byProcess.value("name=\"latency.{0}\",pid=\"20\"");
    QCOMPARE(merged.counts.size(), 122);
    QCOMPARE(first.bounds, merged.bounds);
    QCOMPARE(second.bounds, merged.bounds);
    for (qsizetype i = 0; i < merged.counts.size(); ++i)
        QCOMPARE(merged.counts.at(i), first.counts.at(i) + second.counts.at(i));
}

void tst_PrometheusWriter::mergedPercentiles()
{
    // Sum mode: the quantile series are the merged histogram's, within its bound of the exact
    // percentiles of all the samples; 100th is exact.
    const QByteArray text = PrometheusWriter::combined(histogramResult(), StatCombiner::Mode::Sum);
    QList<double> all;
    for (const QList<double> &samples : windowSamples())
        all += samples;
    std::sort(all.begin(), all.end());
    for (const auto &[quantile, percentile] :
         {std::pair<QByteArray, double>{"0.5", 50}, {"0.99", 99}, {"1", 100}}) {
        const double value = sampleValue(
            text,
            "statvent_window_quantile{name=\"latency.{0}\",aggregate=\"sum\",quantile=\"" + quantile
                + "\"}");
        const double exact = Aggregates::percentile(all, percentile);
        QVERIFY2(std::abs(value - exact) <= Histogram::RelativeErrorBound * std::abs(exact),
                 qPrintable(QStringLiteral("quantile %1: %2, exact %3")
                                .arg(QString::fromUtf8(quantile))
                                .arg(value)
                                .arg(exact)));
    }
    QCOMPARE(sampleValue(text,
                         "statvent_window_quantile{name=\"latency.{0}\",aggregate=\"sum\","
                         "quantile=\"1\"}"),
             1e13);
}

void tst_PrometheusWriter::windowWithoutHistogram()
{
    // One process sends the window without its histogram: the host has no buckets for it (they
    // would count only some of its samples) and sums its percentiles; per process, the other
    // still has its buckets.
    const SweepResult result = histogramResult(true);
    const QByteArray combined = PrometheusWriter::combined(result, StatCombiner::Mode::Sum);
    QVERIFY(!combined.contains("statvent_window_bucket"));
    QVERIFY(!combined.contains("statvent_window_count"));
    QVERIFY(!combined.contains("# TYPE statvent_window histogram"));
    QCOMPARE(sampleValue(combined,
                         "statvent_window_quantile{name=\"latency.{0}\",aggregate=\"sum\","
                         "quantile=\"1\"}"),
             5000 + 1e13);
    QVERIFY(combined.contains("statvent_window_mean{name=\"latency.{0}\",aggregate=\"sum\"} "));
    const QByteArray byProcess = PrometheusWriter::byProcess(result);
    QCOMPARE(bucketSeries(byProcess).keys(), QByteArrayList{"name=\"latency.{0}\",pid=\"10\""});
    QCOMPARE(sampleValue(byProcess, "statvent_window_count{name=\"latency.{0}\",pid=\"10\"}"),
             10.0);
    QVERIFY(!byProcess.contains("statvent_window_count{name=\"latency.{0}\",pid=\"20\"}"));
    QCOMPARE(sampleValue(byProcess,
                         "statvent_window_quantile{name=\"latency.{0}\",pid=\"20\","
                         "quantile=\"1\"}"),
             1e13);
}

void tst_PrometheusWriter::promtoolAcceptsBothViews_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("sum") << PrometheusWriter::combined(sampleResult(), StatCombiner::Mode::Sum);
    QTest::newRow("avg") << PrometheusWriter::combined(sampleResult(), StatCombiner::Mode::Avg);
    QTest::newRow("by process") << PrometheusWriter::byProcess(sampleResult());
    QTest::newRow("empty sweep") << PrometheusWriter::combined(SweepResult(),
                                                               StatCombiner::Mode::Sum);
    QTest::newRow("typed, sum") << PrometheusWriter::combined(typedResult(),
                                                              StatCombiner::Mode::Sum);
    QTest::newRow("typed, max") << PrometheusWriter::combined(typedResult(),
                                                              StatCombiner::Mode::Max);
    QTest::newRow("typed, by process") << PrometheusWriter::byProcess(typedResult());
    QTest::newRow("histograms, sum")
        << PrometheusWriter::combined(histogramResult(), StatCombiner::Mode::Sum);
    QTest::newRow("histograms, min")
        << PrometheusWriter::combined(histogramResult(), StatCombiner::Mode::Min);
    QTest::newRow("histograms, by process") << PrometheusWriter::byProcess(histogramResult());
    QTest::newRow("one histogram missing, sum")
        << PrometheusWriter::combined(histogramResult(true), StatCombiner::Mode::Sum);
    QTest::newRow("one histogram missing, by process")
        << PrometheusWriter::byProcess(histogramResult(true));
}

void tst_PrometheusWriter::promtoolAcceptsBothViews()
{
    QFETCH(QByteArray, text);
    const QString problems = promtoolProblems({QStringLiteral("metrics")}, text);
    QVERIFY2(problems.isEmpty(), qPrintable(problems + u'\n' + QString::fromUtf8(text)));
}

void tst_PrometheusWriter::promtoolAcceptsTheDocumentedScrapeConfig()
{
    const QString config = QStringLiteral(QT_TESTCASE_SOURCEDIR "/../docs/prometheus.yml");
    const QString problems = promtoolProblems({QStringLiteral("config"), config});
    QVERIFY2(problems.isEmpty(), qPrintable(problems));
}

QTEST_GUILESS_MAIN(tst_PrometheusWriter)
#include "tst_prometheuswriter.moc"

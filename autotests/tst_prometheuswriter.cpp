// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// PrometheusWriter: the text exposition format 0.0.4, checked by hand and by promtool.

#include <statventweb/prometheuswriter.h>

#include <QProcess>
#include <QStandardPaths>
#include <QTest>

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
 * Two processes that spoke over the socket (kinds, a window) and one over its FIFO: `errors` is
 * a counter in one and a gauge in the other.
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
                                "# TYPE statvent_window summary",
                                "statvent_window{name=\"latency.{0}\",aggregate=\"sum\",quantile=\"0.5\"} 8.0",
                                "statvent_window{name=\"latency.{0}\",aggregate=\"sum\",quantile=\"0.05\"} 3.0",
                                "statvent_window{name=\"latency.{0}\",aggregate=\"sum\",quantile=\"0.99\"} 20.0",
                                "statvent_window{name=\"latency.{0}\",aggregate=\"sum\",quantile=\"0.999\"} 21.5",
                                "statvent_window_sum{name=\"latency.{0}\",aggregate=\"sum\"} 70.0",
                                "statvent_window_count{name=\"latency.{0}\",aggregate=\"sum\"} 15",
                                "# TYPE statvent_window_mean gauge",
                                "statvent_window_mean{name=\"latency.{0}\",aggregate=\"sum\"} 10.0",
                                "# TYPE statvent_processes gauge",
                            }
                         << QByteArrayList{"latency.median", "name=\"errors\",aggregate=\"sum\"} 3\n# TYPE"};
    // The largest of counters can go down: a gauge.
    QTest::newRow("max") << StatCombiner::Mode::Max
                         << QByteArrayList{
                                "# TYPE statvent_value gauge",
                                "statvent_value{name=\"requests\",aggregate=\"max\"} 7",
                                "statvent_value{name=\"errors\",aggregate=\"max\"} 2",
                                "statvent_window{name=\"latency.{0}\",aggregate=\"max\",quantile=\"0.99\"} 11.0",
                                "statvent_window_count{name=\"latency.{0}\",aggregate=\"max\"} 15",
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
             "statvent_window{name=\"latency.{0}\",pid=\"10\",quantile=\"0.5\"} 3.0\n",
             "statvent_window{name=\"latency.{0}\",pid=\"20\",quantile=\"0.999\"} 12.0\n",
             "statvent_window_sum{name=\"latency.{0}\",pid=\"10\"} 40.0\n",
             "statvent_window_count{name=\"latency.{0}\",pid=\"10\"} 10\n",
             "statvent_window_count{name=\"latency.{0}\",pid=\"20\"} 5\n",
             "statvent_window_mean{name=\"latency.{0}\",pid=\"20\"} 6.0\n",
         })
        QVERIFY2(text.contains(line),
                 qPrintable(QString::fromUtf8(QByteArray(line) + "not in\n" + text)));
    // Each family once (one group per metric).
    for (const char *type :
         {"# TYPE statvent_stat_total ", "# TYPE statvent_value ", "# TYPE statvent_window "})
        QCOMPARE(text.count(type), 1);
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

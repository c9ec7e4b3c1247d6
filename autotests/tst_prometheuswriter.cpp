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
    second.stats = {{"requests", 7}, {"caf\xc3\xa9", 4}, {"huge", std::numeric_limits<double>::max()}};
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
    QTest::newRow("not UTF-8: marked, bytes in hex") << QByteArray("caf\xe9")
                                                     << QByteArray("name=\"caf\xef\xbf\xbd\",name_hex=\"636166e9\"");
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
    QTest::newRow("int") << StatValue(std::numeric_limits<qint64>::max()) << QByteArray("9223372036854775807");
    QTest::newRow("real") << StatValue(0.25) << QByteArray("0.25");
    QTest::newRow("tiny real") << StatValue(1e-9) << QByteArray("1e-09");
    QTest::newRow("overflow") << StatValue(std::numeric_limits<double>::infinity()) << QByteArray("+Inf");
    QTest::newRow("negative overflow") << StatValue(-std::numeric_limits<double>::infinity()) << QByteArray("-Inf");
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
    QVERIFY(text.startsWith("# HELP statvent_stat A Statvent statistic, named by the label name; combined across processes "
                            "by the function in the label aggregate.\n# TYPE statvent_stat untyped\n"));
    QVERIFY(text.contains("statvent_stat{name=\"requests\",aggregate=\"sum\"} 12\n"));
    QVERIFY(text.contains("statvent_stat{name=\"load\",aggregate=\"sum\"} 0.5\n"));
    QVERIFY(text.contains("statvent_stat{name=\"path \\\"quoted\\\" \\\\ back\",aggregate=\"sum\"} 1\n"));
    QVERIFY(text.contains("statvent_stat{name=\"huge\",aggregate=\"sum\"} +Inf\n"));
    // The valid name and the Latin-1 one that shows the same once marked stay two series.
    QVERIFY(text.contains("statvent_stat{name=\"caf\xc3\xa9\",aggregate=\"sum\"} 4\n"));
    QVERIFY(text.contains("statvent_stat{name=\"caf\xef\xbf\xbd\",name_hex=\"636166e9\",aggregate=\"sum\"} 3\n"));
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

void tst_PrometheusWriter::promtoolAcceptsBothViews_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("sum") << PrometheusWriter::combined(sampleResult(), StatCombiner::Mode::Sum);
    QTest::newRow("avg") << PrometheusWriter::combined(sampleResult(), StatCombiner::Mode::Avg);
    QTest::newRow("by process") << PrometheusWriter::byProcess(sampleResult());
    QTest::newRow("empty sweep") << PrometheusWriter::combined(SweepResult(), StatCombiner::Mode::Sum);
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

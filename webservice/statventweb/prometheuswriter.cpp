// SPDX-License-Identifier: MIT
#include <statventweb/prometheuswriter.h>

#include <statvent/pipeformat.h>

#include <QString>

#include <cmath>

namespace StatventWeb {

namespace {

void appendLabelValue(QByteArray &out, QByteArrayView text)
{
    out.append('"');
    for (char c : text) {
        if (c == '\\')
            out.append("\\\\", 2);
        else if (c == '"')
            out.append("\\\"", 2);
        else if (c == '\n')
            out.append("\\n", 2);
        else
            out.append(c);
    }
    out.append('"');
}

void appendFamilyHeader(QByteArray &out, QByteArrayView metric, QByteArrayView type, QByteArrayView help)
{
    out.append("# HELP ").append(metric.data(), metric.size()).append(' ').append(help.data(), help.size());
    out.append("\n# TYPE ").append(metric.data(), metric.size()).append(' ').append(type.data(), type.size()).append('\n');
}

void appendGauge(QByteArray &out, QByteArrayView metric, QByteArrayView help, const Statvent::StatValue &value)
{
    appendFamilyHeader(out, metric, "gauge", help);
    out.append(metric.data(), metric.size()).append(' ');
    PrometheusWriter::appendValue(out, value);
    out.append('\n');
}

constexpr QByteArrayView StatMetric = "statvent_stat";

void appendStatHeader(QByteArray &out, QByteArrayView combination)
{
    const QByteArray help = "A Statvent statistic, named by the label name; " + combination.toByteArray();
    appendFamilyHeader(out, StatMetric, "untyped", help);
}

void appendStat(QByteArray &out, const Statvent::StatEntry &entry, QByteArrayView extraLabel, QByteArrayView extraValue)
{
    out.append(StatMetric.data(), StatMetric.size()).append('{');
    PrometheusWriter::appendNameLabels(out, entry.name);
    out.append(',').append(extraLabel.data(), extraLabel.size()).append('=');
    appendLabelValue(out, extraValue);
    out.append("} ");
    PrometheusWriter::appendValue(out, entry.value);
    out.append('\n');
}

void appendSweepFigures(QByteArray &out, const SweepResult &result)
{
    appendGauge(out, "statvent_processes", "Processes whose pipe answered in the last sweep.", result.processes.size());
    appendGauge(out, "statvent_unanswered_pipes", "Pipes of live processes that did not answer within the timeout.",
                result.unanswered.size());
    appendGauge(out, "statvent_removed_pipes", "Stale pipes removed by the last sweep.", result.removed.size());
    appendGauge(out, "statvent_rejected_lines", "Malformed lines skipped in the last sweep.", result.rejectedLines());
    appendGauge(out, "statvent_sweep_duration_seconds", "How long the last sweep of the pipe directory took.",
                result.duration);
}

qsizetype estimatedSize(qsizetype rows)
{
    return 1024 + rows * 64;
}

} // namespace

void PrometheusWriter::appendNameLabels(QByteArray &out, QByteArrayView name)
{
    out.append("name=");
    if (name.isValidUtf8()) {
        appendLabelValue(out, name);
        return;
    }
    appendLabelValue(out, QString::fromUtf8(name).toUtf8());
    out.append(",name_hex=");
    appendLabelValue(out, name.toByteArray().toHex());
}

void PrometheusWriter::appendValue(QByteArray &out, const Statvent::StatValue &value)
{
    if (value.isFinite())
        Statvent::PipeFormat::appendValue(out, value);
    else
        out.append(std::signbit(value.toReal()) ? "-Inf" : "+Inf");
}

QByteArray PrometheusWriter::combined(const SweepResult &result, StatCombiner::Mode mode)
{
    const Statvent::Snapshot stats = StatCombiner::combine(result.processes, mode);
    const QByteArrayView modeName = QByteArrayView(StatCombiner::name(mode).data(), StatCombiner::name(mode).size());
    QByteArray out;
    out.reserve(estimatedSize(stats.size()));
    appendStatHeader(out, "combined across processes by the function in the label aggregate.");
    for (const Statvent::StatEntry &entry : stats)
        appendStat(out, entry, "aggregate", modeName);
    appendSweepFigures(out, result);
    return out;
}

QByteArray PrometheusWriter::byProcess(const SweepResult &result)
{
    qsizetype rows = 0;
    for (const ProcessStats &process : result.processes)
        rows += process.stats.size();
    QByteArray out;
    out.reserve(estimatedSize(rows));
    appendStatHeader(out, "as reported by the process in the label pid.");
    for (const ProcessStats &process : result.processes) {
        const QByteArray pid = QByteArray::number(process.pid);
        for (const Statvent::StatEntry &entry : process.stats)
            appendStat(out, entry, "pid", pid);
    }
    appendSweepFigures(out, result);
    return out;
}

} // namespace StatventWeb

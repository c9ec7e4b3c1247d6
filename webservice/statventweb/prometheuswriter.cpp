// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventweb/prometheuswriter.h>

#include <statventweb/windowcombiner.h>

#include <statvent/histogram.h>
#include <statvent/pipeformat.h>

#include <QHash>
#include <QSet>
#include <QString>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>

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

void appendFamilyHeader(QByteArray &out, QByteArrayView metric, QByteArrayView type,
                        QByteArrayView help)
{
    out.append("# HELP ")
        .append(metric.data(), metric.size())
        .append(' ')
        .append(help.data(), help.size());
    out.append("\n# TYPE ")
        .append(metric.data(), metric.size())
        .append(' ')
        .append(type.data(), type.size())
        .append('\n');
}

void appendGauge(QByteArray &out, QByteArrayView metric, QByteArrayView help,
                 const Statvent::StatValue &value)
{
    appendFamilyHeader(out, metric, "gauge", help);
    out.append(metric.data(), metric.size()).append(' ');
    PrometheusWriter::appendValue(out, value);
    out.append('\n');
}

// One family per kind of statistic: a family has one type.
constexpr QByteArrayView UntypedMetric = "statvent_stat";
constexpr QByteArrayView CounterMetric = "statvent_stat_total";
constexpr QByteArrayView GaugeMetric = "statvent_value";
constexpr QByteArrayView WindowMetric = "statvent_window";
constexpr QByteArrayView WindowQuantileMetric = "statvent_window_quantile";
constexpr QByteArrayView WindowMeanMetric = "statvent_window_mean";

//! The label that tells the series of one statistic apart: `aggregate` or `pid`, and its value.
struct ExtraLabel
{
    QByteArrayView name;
    QByteArray value;
};

void appendSample(QByteArray &out, QByteArrayView metric, QByteArrayView name,
                  const ExtraLabel &extra, const Statvent::StatValue &value,
                  QByteArrayView quantile = {})
{
    out.append(metric.data(), metric.size()).append('{');
    PrometheusWriter::appendNameLabels(out, name);
    out.append(',').append(extra.name.data(), extra.name.size()).append('=');
    appendLabelValue(out, extra.value);
    if (!quantile.isEmpty())
        out.append(",quantile=\"").append(quantile.data(), quantile.size()).append('"');
    out.append("} ");
    PrometheusWriter::appendValue(out, value);
    out.append('\n');
}

/*!
 * The quantile of a percentile label, exactly as a decimal (`95th` is 0.95, `99.9th` 0.999,
 * `median` 0.5, `100th` 1); empty for `mean` or anything that is not a percentile label.
 */
QByteArray quantileOf(QByteArrayView label)
{
    if (label == "median")
        return QByteArrayLiteral("0.5");
    if (label.size() < 3 || label == "mean")
        return {};
    const QByteArrayView number = label.chopped(2);
    const qsizetype point = number.indexOf('.');
    const QByteArrayView whole = point < 0 ? number : number.first(point);
    const QByteArrayView fraction = point < 0 ? QByteArrayView() : number.sliced(point + 1);
    if (whole.isEmpty()
        || std::any_of(whole.begin(), whole.end(), [](char c) { return c < '0' || c > '9'; })
        || std::any_of(fraction.begin(), fraction.end(), [](char c) { return c < '0' || c > '9'; }))
        return {};
    // Dividing by 100 moves the point two digits left.
    QByteArray digits =
        QByteArray(std::max<qsizetype>(0, 3 - whole.size()), '0') + whole.toByteArray();
    QByteArray quantile =
        digits.left(digits.size() - 2) + '.' + digits.right(2) + fraction.toByteArray();
    while (quantile.endsWith('0'))
        quantile.chop(1);
    if (quantile.endsWith('.'))
        quantile.chop(1);
    while (quantile.size() > 1 && quantile.startsWith('0') && quantile.at(1) != '.')
        quantile.remove(0, 1);
    const double value = quantile.toDouble();
    return value > 0 && value <= 1 ? quantile : QByteArray();
}

//! A window's rows in one view: the quantile series, the mean, and its samples' histogram.
struct WindowSeries
{
    QByteArray name; //!< as given to record()
    ExtraLabel extra;
    //! The samples the window holds now, when its processes report them (else no buckets).
    const Statvent::Histogram *histogram = nullptr;
    QList<std::pair<QByteArray, Statvent::StatValue>> quantiles; //!< quantile, value
    std::optional<Statvent::StatValue> mean;
};

//! Histogram::prometheusBounds() as `le` label values: the same text on every host.
const QList<QByteArray> &bucketBoundTexts()
{
    static const QList<QByteArray> texts = [] {
        QList<QByteArray> result;
        for (double bound : Statvent::Histogram::prometheusBounds()) {
            QByteArray text;
            Statvent::PipeFormat::appendValue(text, bound);
            result.append(text);
        }
        result.append(QByteArrayLiteral("+Inf"));
        return result;
    }();
    return texts;
}

/*!
 * The `_bucket` series of \a histogram, one per bound and `+Inf`, each labelled \a labels.
 * This is most of the text (a window has a line per bound whatever its samples), so each series
 * is written with one allocation and plain copies.
 */
void appendBuckets(QByteArray &out, QByteArrayView labels, const Statvent::Histogram &histogram)
{
    static constexpr QByteArrayView Prefix = "statvent_window_bucket{";
    static constexpr QByteArrayView LeLabel = ",le=\"";
    static constexpr QByteArrayView ValueStart = "\"} ";
    static constexpr qsizetype MaxCountLength = 20; // digits of the largest qint64
    const QList<QByteArray> &bounds = bucketBoundTexts();
    QList<qint64> counts = histogram.cumulativeCounts();
    counts.append(histogram.count());
    const qsizetype lineStart = Prefix.size() + labels.size() + LeLabel.size();
    qsizetype size = 0;
    for (const QByteArray &bound : bounds)
        size += lineStart + bound.size() + ValueStart.size() + MaxCountLength + 1;
    const qsizetype start = out.size();
    out.resize(start + size);
    char *at = out.data() + start;
    const auto copy = [&at](QByteArrayView text) {
        std::memcpy(at, text.data(), size_t(text.size()));
        at += text.size();
    };
    for (qsizetype i = 0; i < bounds.size(); ++i) {
        copy(Prefix);
        copy(labels);
        copy(LeLabel);
        copy(bounds.at(i));
        copy(ValueStart);
        at = std::to_chars(at, at + MaxCountLength, counts.at(i)).ptr;
        *at++ = '\n';
    }
    out.truncate(at - out.constData());
}

//! The series of one view, grouped by family.
struct Families
{
    QList<std::pair<const Statvent::StatEntry *, ExtraLabel>> untyped;
    QList<std::pair<const Statvent::StatEntry *, ExtraLabel>> counters;
    QList<std::pair<const Statvent::StatEntry *, ExtraLabel>> gauges;
    QList<WindowSeries> windows;
    //! The buckets carry the extra label: `pid` does, `aggregate` does not (buckets always add).
    bool bucketsCarryExtra = true;

    //! A row that is not part of a window: in the family of its kind.
    void addRow(const Statvent::StatEntry &entry, const ExtraLabel &extra)
    {
        switch (entry.kind) {
        case Statvent::StatKind::Counter:
            counters.append({&entry, extra});
            break;
        case Statvent::StatKind::Gauge:
            gauges.append({&entry, extra});
            break;
        case Statvent::StatKind::Untyped:
        case Statvent::StatKind::Window: // a window row outside any window the sweep knows
            untyped.append({&entry, extra});
            break;
        }
    }

    /*!
     * Adds the window \a series with its rows \a rows (a row: its label and entry) as quantile
     * series, those it cannot (a label that is no percentile, a quantile given twice, a row of
     * another kind) as plain rows.
     */
    void addWindow(WindowSeries series,
                   const QList<std::pair<QByteArray, const Statvent::StatEntry *>> &rows)
    {
        for (const auto &[label, entry] : rows) {
            if (entry->kind != Statvent::StatKind::Window) {
                addRow(*entry, series.extra);
                continue;
            }
            if (label == "mean" && !series.mean) {
                series.mean = entry->value;
                continue;
            }
            const QByteArray quantile = quantileOf(label);
            const bool given =
                std::any_of(series.quantiles.cbegin(), series.quantiles.cend(),
                            [&quantile](const auto &pair) { return pair.first == quantile; });
            if (quantile.isEmpty() || given)
                untyped.append({entry, series.extra});
            else
                series.quantiles.append({quantile, entry->value});
        }
        windows.append(std::move(series));
    }

    void append(QByteArray &out, QByteArrayView combination) const
    {
        const auto plain =
            [&out,
             combination](QByteArrayView metric, QByteArrayView type, QByteArrayView what,
                          const QList<std::pair<const Statvent::StatEntry *, ExtraLabel>> &series,
                          bool always) {
                if (series.isEmpty() && !always)
                    return;
                appendFamilyHeader(out, metric, type,
                                   QByteArray(what.toByteArray() + ", named by the label name; "
                                              + combination.toByteArray()));
                for (const auto &[entry, extra] : series)
                    appendSample(out, metric, entry->name, extra, entry->value);
            };
        plain(UntypedMetric, "untyped", "A Statvent statistic", untyped, true);
        plain(CounterMetric, "counter", "A Statvent counter (only ever incremented)", counters,
              false);
        plain(GaugeMetric, "gauge", "A Statvent gauge (set, or incremented by negative amounts)",
              gauges, false);
        if (windows.isEmpty())
            return;
        appendWindowHistograms(out);
        appendFamilyHeader(
            out, WindowQuantileMetric, "untyped",
            QByteArray(
                "A percentile of a Statvent sample window's samples, named by the label name "
                "(untyped: a gauge may not have the label quantile); "
                + combination.toByteArray()));
        for (const WindowSeries &window : windows) {
            for (const auto &[quantile, value] : window.quantiles)
                appendSample(out, WindowQuantileMetric, window.name, window.extra, value, quantile);
        }
        appendFamilyHeader(
            out, WindowMeanMetric, "gauge",
            QByteArray("The mean of a Statvent sample window's samples, named by the label name; "
                       + combination.toByteArray()));
        for (const WindowSeries &window : windows) {
            if (window.mean)
                appendSample(out, WindowMeanMetric, window.name, window.extra, *window.mean);
        }
    }

    void appendWindowHistograms(QByteArray &out) const
    {
        const bool any = std::any_of(windows.cbegin(), windows.cend(),
                                     [](const WindowSeries &window) { return window.histogram; });
        if (!any)
            return;
        const QByteArray help =
            QByteArray("The samples a Statvent sample window holds now (not a count since the "
                       "start), named by the label name; ")
            + (bucketsCarryExtra ? QByteArray("as reported by the process in the label pid.")
                                 : QByteArray("the processes' buckets added up, whatever the "
                                              "aggregate (hence no label aggregate)."));
        appendFamilyHeader(out, WindowMetric, "histogram", help);
        QByteArray labels;
        for (const WindowSeries &window : windows) {
            if (!window.histogram)
                continue;
            labels.clear();
            PrometheusWriter::appendNameLabels(labels, window.name);
            if (bucketsCarryExtra) {
                labels.append(',').append(window.extra.name.data(), window.extra.name.size());
                labels.append('=');
                appendLabelValue(labels, window.extra.value);
            }
            appendBuckets(out, labels, *window.histogram);
            const auto appendTotal = [&](QByteArrayView metric, const Statvent::StatValue &value) {
                out.append(metric.data(), metric.size()).append('{').append(labels).append("} ");
                PrometheusWriter::appendValue(out, value);
                out.append('\n');
            };
            appendTotal("statvent_window_sum", window.histogram->sum());
            appendTotal("statvent_window_count", window.histogram->count());
        }
    }
};

//! The rows of \a window, a window of \a stats, with their labels; empty if it does not fit them.
QList<std::pair<QByteArray, const Statvent::StatEntry *>>
rowsOf(const Statvent::WindowStats &window, const Statvent::Snapshot &stats)
{
    QList<std::pair<QByteArray, const Statvent::StatEntry *>> rows;
    if (window.firstRow < 0 || window.rowCount < 0
        || window.firstRow > stats.size() - window.rowCount
        || window.labels.size() != window.rowCount)
        return rows;
    for (qsizetype i = 0; i < window.rowCount; ++i)
        rows.append({window.labels.at(i), &stats.at(window.firstRow + i)});
    return rows;
}

void appendSweepFigures(QByteArray &out, const SweepResult &result)
{
    appendGauge(out, "statvent_processes", "Processes whose pipe answered in the last sweep.",
                result.processes.size());
    appendGauge(out, "statvent_unanswered_pipes",
                "Pipes of live processes that did not answer within the timeout.",
                result.unanswered.size());
    appendGauge(out, "statvent_removed_pipes", "Stale pipes removed by the last sweep.",
                result.removed.size());
    appendGauge(out, "statvent_rejected_lines", "Malformed lines skipped in the last sweep.",
                result.rejectedLines());
    appendGauge(out, "statvent_sweep_duration_seconds",
                "How long the last sweep of the pipe directory took.", result.duration);
}

//! About the size of the text of \a rows rows and \a windows windows' buckets.
qsizetype estimatedSize(qsizetype rows, qsizetype windows)
{
    return 1024 + rows * 64 + windows * (bucketBoundTexts().size() + 2) * 64;
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
    const CombinedView view = WindowCombiner::combinedView(result.processes, mode);
    const Statvent::Snapshot &stats = view.stats;
    const QList<CombinedWindow> &combinedWindows = view.windows;
    const QLatin1StringView modeLatin1 = StatCombiner::name(mode);
    const ExtraLabel extra{"aggregate", QByteArray(modeLatin1.data(), modeLatin1.size())};

    // Each window once, with the rows its first process gave it (a row in two windows, of a
    // malformed sweep, counts in the first) and the merged histogram of its processes.
    QHash<QByteArrayView, qsizetype> rowOf; // views into `stats`
    for (qsizetype row = 0; row < stats.size(); ++row)
        rowOf.insert(stats.at(row).name, row);
    QList<bool> inWindow(stats.size(), false);
    QList<WindowSeries> windows;
    QList<QList<std::pair<QByteArray, const Statvent::StatEntry *>>> windowRows;
    for (const CombinedWindow &window : combinedWindows) {
        QList<std::pair<QByteArray, const Statvent::StatEntry *>> rows;
        const qsizetype rowCount = std::min(window.labels.size(), window.rowNames.size());
        for (qsizetype i = 0; i < rowCount; ++i) {
            const qsizetype row = rowOf.value(window.rowNames.at(i), -1);
            if (row >= 0 && !inWindow.at(row)) {
                inWindow[row] = true;
                rows.append({window.labels.at(i), &stats.at(row)});
            }
        }
        const Statvent::Histogram *histogram = window.histogram ? &*window.histogram : nullptr;
        if (rows.isEmpty() && !histogram)
            continue;
        windows.append(WindowSeries{window.name, extra, histogram, {}, std::nullopt});
        windowRows.append(rows);
    }

    Families families;
    families.bucketsCarryExtra = false;
    for (qsizetype row = 0; row < stats.size(); ++row) {
        if (!inWindow.at(row))
            families.addRow(stats.at(row), extra);
    }
    for (qsizetype i = 0; i < windows.size(); ++i)
        families.addWindow(windows.at(i), windowRows.at(i));

    QByteArray out;
    out.reserve(estimatedSize(stats.size(), windows.size()));
    families.append(out, "combined across processes by the function in the label aggregate.");
    appendSweepFigures(out, result);
    return out;
}

QByteArray PrometheusWriter::byProcess(const SweepResult &result)
{
    qsizetype rows = 0;
    qsizetype windowCount = 0;
    Families families;
    for (const ProcessStats &process : result.processes) {
        rows += process.stats.size();
        windowCount += process.windows.size();
        const ExtraLabel extra{"pid", QByteArray::number(process.pid)};
        QList<bool> inWindow(process.stats.size(), false);
        QSet<QByteArray> windowNames;
        for (const Statvent::WindowStats &window : process.windows) {
            // A name given twice (a malformed sweep) would repeat its series: the first counts.
            if (windowNames.contains(window.name))
                continue;
            windowNames.insert(window.name);
            auto windowRows = rowsOf(window, process.stats);
            // A row in two windows (a malformed sweep) counts in the first only.
            windowRows.removeIf(
                [&](const auto &pair) { return inWindow.at(pair.second - process.stats.data()); });
            if (windowRows.isEmpty() && !window.histogram)
                continue;
            for (const auto &pair : std::as_const(windowRows))
                inWindow[pair.second - process.stats.data()] = true;
            const Statvent::Histogram *histogram = window.histogram ? &*window.histogram : nullptr;
            families.addWindow(WindowSeries{window.name, extra, histogram, {}, std::nullopt},
                               windowRows);
        }
        for (qsizetype row = 0; row < process.stats.size(); ++row) {
            if (!inWindow.at(row))
                families.addRow(process.stats.at(row), extra);
        }
    }
    QByteArray out;
    out.reserve(estimatedSize(rows, windowCount));
    families.append(out, "as reported by the process in the label pid.");
    appendSweepFigures(out, result);
    return out;
}

} // namespace StatventWeb

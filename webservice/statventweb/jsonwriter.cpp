// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventweb/jsonwriter.h>

#include <statventweb/windowcombiner.h>

#include <statvent/pipeformat.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>

namespace StatventWeb {

namespace {

constexpr char HexDigits[] = "0123456789abcdef";

bool isContinuation(uchar c) noexcept
{
    return (c & 0xC0) == 0x80;
}

/*!
 * The length of the valid UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF) that starts \a text; 0 if none does.
 */
qsizetype validSequenceLength(QByteArrayView text) noexcept
{
    const auto byte = [&text](qsizetype i) { return uchar(text[i]); };
    const uchar lead = byte(0);
    if (lead < 0x80)
        return 1;
    qsizetype length;
    uchar secondLow = 0x80;
    uchar secondHigh = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0)
            secondLow = 0xA0; // overlong below
        else if (lead == 0xED)
            secondHigh = 0x9F; // U+D800..U+DFFF are surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0)
            secondLow = 0x90; // overlong below
        else if (lead == 0xF4)
            secondHigh = 0x8F; // above U+10FFFF
    } else {
        return 0;
    }
    if (text.size() < length || byte(1) < secondLow || byte(1) > secondHigh)
        return 0;
    for (qsizetype i = 2; i < length; ++i) {
        if (!isContinuation(byte(i)))
            return 0;
    }
    return length;
}

void appendEscape(QByteArray &out, uchar c)
{
    // The characters JSON escapes with one letter, and those letters.
    constexpr std::string_view ShortEscaped = "\"\\\n\r\t";
    constexpr std::string_view ShortEscapes = "\"\\nrt";
    if (const std::size_t at = ShortEscaped.find(char(c)); at != std::string_view::npos) {
        const char escape[] = {'\\', ShortEscapes[at]};
        out.append(escape, sizeof escape);
        return;
    }
    // Control characters as \u00XX; bytes that are not UTF-8 as lone surrogates \udcXX.
    const char escape[] = {'\\',
                           'u',
                           c < 0x80 ? '0' : 'd',
                           c < 0x80 ? '0' : 'c',
                           HexDigits[c >> 4],
                           HexDigits[c & 0xF]};
    out.append(escape, sizeof escape);
}

//! `{"<name>": <value>, ...}`, one member per row of \a stats, each value written by
//! `appendValue(out, entry)`: the stats object and the kinds object share their keys.
template<typename AppendValue>
void appendObjectByName(QByteArray &out, const Statvent::Snapshot &stats, AppendValue appendValue)
{
    out.append('{');
    bool first = true;
    for (const Statvent::StatEntry &entry : stats) {
        if (!first)
            out.append(',');
        first = false;
        JsonWriter::appendString(out, entry.name);
        out.append(':');
        appendValue(out, entry);
    }
    out.append('}');
}

void appendStatsObject(QByteArray &out, const Statvent::Snapshot &stats)
{
    appendObjectByName(out, stats, [](QByteArray &object, const Statvent::StatEntry &entry) {
        JsonWriter::appendNumber(object, entry.value);
    });
}

//! The kind's name in `?by=process`.
QByteArrayView kindName(Statvent::StatKind kind)
{
    switch (kind) {
    case Statvent::StatKind::Counter:
        return "counter";
    case Statvent::StatKind::Gauge:
        return "gauge";
    case Statvent::StatKind::Window:
        return "window";
    case Statvent::StatKind::Untyped:
        break;
    }
    return "untyped";
}

//! `{"<name>": "<kind>", ...}`, with the same keys as the stats object.
void appendKindsObject(QByteArray &out, const Statvent::Snapshot &stats)
{
    appendObjectByName(out, stats, [](QByteArray &object, const Statvent::StatEntry &entry) {
        object.append('"').append(kindName(entry.kind)).append('"');
    });
}

void appendPidArray(QByteArray &out, const QList<qint64> &pids)
{
    out.append('[');
    for (qsizetype i = 0; i < pids.size(); ++i) {
        if (i)
            out.append(',');
        out.append(QByteArray::number(pids.at(i)));
    }
    out.append(']');
}

void appendTimestamp(QByteArray &out, const SweepResult &result)
{
    out.append("\"timestamp\":");
    JsonWriter::appendNumber(out, result.timestamp);
}

//! A generous first guess at a document's size, so that it is rarely reallocated.
qsizetype estimatedSize(const Statvent::Snapshot &stats)
{
    return 128 + stats.size() * 48;
}

//! Room for the `windows` object of \a windows, whose rows are already counted in the stats.
qsizetype estimatedWindowsSize(qsizetype windows, qsizetype rows)
{
    return windows * 96 + rows * 48;
}

//! `[[index, count], ...]`
void appendBuckets(QByteArray &out, const QList<Statvent::Histogram::Bucket> &buckets)
{
    out.append('[');
    for (qsizetype i = 0; i < buckets.size(); ++i) {
        if (i)
            out.append(',');
        out.append('[');
        out.append(QByteArray::number(buckets.at(i).index));
        out.append(',');
        out.append(QByteArray::number(buckets.at(i).count));
        out.append(']');
    }
    out.append(']');
}

//! What one entry of a `windows` object says, whether it is a host's window or a process's.
struct WindowEntry
{
    QByteArrayView name;
    const QList<QByteArray> &labels;
    //! The row names, in the order of \a labels.
    const QList<QByteArrayView> &rowNames;
    std::optional<bool> merged; //!< only in the combined view
    qint64 count = 0;
    double sum = 0;
    const Statvent::Histogram *histogram = nullptr; //!< null: none written
};

//! `"<name>":{"rows":{...},["merged":b,]"count":n,"sum":x[,"histogram":{...}]}`
void appendWindowEntry(QByteArray &out, const WindowEntry &window)
{
    JsonWriter::appendString(out, window.name);
    out.append(":{\"rows\":{");
    for (qsizetype i = 0; i < window.rowNames.size(); ++i) {
        if (i)
            out.append(',');
        JsonWriter::appendString(out, window.labels.value(i));
        out.append(':');
        JsonWriter::appendString(out, window.rowNames.at(i));
    }
    out.append('}');
    if (window.merged)
        out.append(*window.merged ? ",\"merged\":true" : ",\"merged\":false");
    out.append(",\"count\":");
    out.append(QByteArray::number(window.count));
    out.append(",\"sum\":");
    JsonWriter::appendNumber(out, Statvent::StatValue(window.sum));
    if (window.histogram) {
        out.append(",\"histogram\":");
        JsonWriter::appendHistogram(out, *window.histogram);
    }
    out.append('}');
}

//! The `windows` object of the combined view.
void appendCombinedWindows(QByteArray &out, const QList<CombinedWindow> &windows,
                           JsonWriter::Histograms histograms)
{
    out.append('{');
    QList<QByteArrayView> rowNames;
    for (qsizetype i = 0; i < windows.size(); ++i) {
        const CombinedWindow &window = windows.at(i);
        if (i)
            out.append(',');
        rowNames.clear();
        for (const QByteArray &rowName : window.rowNames)
            rowNames.append(rowName);
        // A histogram that misses the samples of some rows' processes is not the host's.
        const bool withHistogram =
            histograms == JsonWriter::Histograms::Included && window.mergeable && window.histogram;
        appendWindowEntry(out,
                          {window.name, window.labels, rowNames, window.merged, window.count,
                           window.sum, withHistogram ? &*window.histogram : nullptr});
    }
    out.append('}');
}

//! The `windows` object of one process: empty from a FIFO.
void appendProcessWindows(QByteArray &out, const ProcessStats &process,
                          JsonWriter::Histograms histograms)
{
    out.append('{');
    QList<QByteArrayView> rowNames;
    for (qsizetype i = 0; i < process.windows.size(); ++i) {
        const Statvent::WindowStats &window = process.windows.at(i);
        if (i)
            out.append(',');
        rowNames.clear();
        // The reader checked that the rows are the process's; bounded again all the same.
        const qsizetype end =
            std::min(window.firstRow + window.rowCount, qsizetype(process.stats.size()));
        for (qsizetype row = std::max(qsizetype(0), window.firstRow); row < end; ++row)
            rowNames.append(process.stats.at(row).name);
        const bool withHistogram =
            histograms == JsonWriter::Histograms::Included && window.histogram;
        appendWindowEntry(out,
                          {window.name, window.labels, rowNames, std::nullopt, window.count,
                           window.sum, withHistogram ? &*window.histogram : nullptr});
    }
    out.append('}');
}

} // namespace

void JsonWriter::appendString(QByteArray &out, QByteArrayView bytes)
{
    out.append('"');
    qsizetype runStart = 0;
    qsizetype i = 0;
    while (i < bytes.size()) {
        const uchar c = uchar(bytes[i]);
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            ++i;
            continue;
        }
        if (c >= 0x80) {
            const qsizetype length = validSequenceLength(bytes.sliced(i));
            if (length) {
                i += length;
                continue;
            }
        }
        out.append(bytes.data() + runStart, i - runStart);
        appendEscape(out, c);
        runStart = ++i;
    }
    out.append(bytes.data() + runStart, i - runStart);
    out.append('"');
}

void JsonWriter::appendNumber(QByteArray &out, const Statvent::StatValue &value)
{
    if (value.isFinite()) {
        Statvent::PipeFormat::appendValue(out, value);
        return;
    }
    // JSON has no infinity; the nearest number keeps the sign and the magnitude's meaning.
    const double largest = std::numeric_limits<double>::max();
    Statvent::PipeFormat::appendValue(
        out, Statvent::StatValue(std::signbit(value.toReal()) ? -largest : largest));
}

void JsonWriter::appendHistogram(QByteArray &out, const Statvent::Histogram &histogram)
{
    out.append("{\"scale\":");
    out.append(QByteArray::number(Statvent::Histogram::Scale));
    out.append(",\"zeroCount\":");
    out.append(QByteArray::number(histogram.zeroCount()));
    out.append(",\"min\":");
    appendNumber(out, Statvent::StatValue(histogram.min()));
    out.append(",\"max\":");
    appendNumber(out, Statvent::StatValue(histogram.max()));
    out.append(",\"negative\":");
    appendBuckets(out, histogram.negativeBuckets());
    out.append(",\"positive\":");
    appendBuckets(out, histogram.positiveBuckets());
    out.append('}');
}

QByteArray JsonWriter::stats(const SweepResult &result, StatCombiner::Mode mode,
                             Histograms histograms)
{
    const CombinedView combined = WindowCombiner::combinedView(result.processes, mode);
    qsizetype windowRows = 0;
    for (const CombinedWindow &window : combined.windows)
        windowRows += window.rowNames.size();
    QByteArray out;
    out.reserve(estimatedSize(combined.stats)
                + estimatedWindowsSize(combined.windows.size(), windowRows));
    out.append("{\"stats\":");
    appendStatsObject(out, combined.stats);
    out.append(",\"windows\":");
    appendCombinedWindows(out, combined.windows, histograms);
    out.append(',');
    appendTimestamp(out, result);
    out.append(",\"aggregate\":\"");
    out.append(StatCombiner::name(mode));
    out.append("\",\"processes\":");
    out.append(QByteArray::number(result.processes.size()));
    out.append(",\"unanswered\":");
    out.append(QByteArray::number(result.unanswered.size()));
    out.append('}');
    return out;
}

QByteArray JsonWriter::byProcess(const SweepResult &result, Histograms histograms)
{
    qsizetype size = 256;
    for (const ProcessStats &process : result.processes) {
        qsizetype windowRows = 0;
        for (const Statvent::WindowStats &window : process.windows)
            windowRows += window.rowCount;
        size += estimatedSize(process.stats) + process.stats.size() * 16 // and the kinds
            + estimatedWindowsSize(process.windows.size(), windowRows);
    }
    QByteArray out;
    out.reserve(size);
    out.append("{\"processes\":{");
    for (qsizetype i = 0; i < result.processes.size(); ++i) {
        const ProcessStats &process = result.processes.at(i);
        if (i)
            out.append(',');
        out.append('"');
        out.append(QByteArray::number(process.pid));
        out.append("\":{\"stats\":");
        appendStatsObject(out, process.stats);
        out.append(",\"kinds\":");
        appendKindsObject(out, process.stats);
        out.append(",\"windows\":");
        appendProcessWindows(out, process, histograms);
        out.append(",\"channel\":");
        out.append(process.channel == Channel::Socket ? "\"socket\"" : "\"fifo\"");
        out.append(",\"rejectedLines\":");
        out.append(QByteArray::number(process.rejectedLines));
        out.append(",\"truncated\":");
        out.append(process.truncated ? "true" : "false");
        out.append('}');
    }
    out.append("},\"unanswered\":");
    appendPidArray(out, result.unanswered);
    out.append(",\"removed\":");
    appendPidArray(out, result.removed);
    out.append(',');
    appendTimestamp(out, result);
    out.append('}');
    return out;
}

QByteArray JsonWriter::message(QStringView message, QStringView path)
{
    QByteArray out("{\"message\":");
    appendString(out, message.toUtf8());
    out.append(",\"path\":");
    appendString(out, path.toUtf8());
    out.append('}');
    return out;
}

} // namespace StatventWeb

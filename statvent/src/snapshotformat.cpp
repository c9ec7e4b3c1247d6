// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statvent/snapshotformat.h"

#include "snapshotrecords.h"
#include "uniquenames.h"
#include "valuetext.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <optional>

namespace Statvent {

namespace {

using Detail::NameRepeats;
using Detail::UniqueNames;
using Detail::ValueText;

using Detail::SnapshotRecords;
using Record = SnapshotRecords::Type;
constexpr QByteArrayView HeaderPrefix = SnapshotRecords::HeaderPrefix;

// The first field of \a rest (up to the next space) and what follows that space; false when
// there is no space, that is, when another field should follow and does not.
bool takeField(QByteArrayView &rest, QByteArrayView &field) noexcept
{
    const qsizetype length = rest.indexOf(' ');
    if (length < 0)
        return false;
    field = rest.first(length);
    rest = rest.sliced(length + 1);
    return true;
}

// A count as the format writes it: decimal digits only, within qint64.
std::optional<qint64> parseCount(QByteArrayView text) noexcept
{
    if (text.isEmpty() || text.front() < '0' || text.front() > '9')
        return std::nullopt;
    qint64 count = 0;
    const char *end = text.data() + text.size();
    const auto result = std::from_chars(text.data(), end, count);
    if (result.ec != std::errc() || result.ptr != end)
        return std::nullopt;
    return count;
}

SnapshotFormat::Error errorOf(PipeFormat::LineError error) noexcept
{
    switch (error) {
    case PipeFormat::LineError::NonFiniteValue:
        return SnapshotFormat::Error::NonFiniteValue;
    case PipeFormat::LineError::EmptyValue:
        return SnapshotFormat::Error::MissingField;
    case PipeFormat::LineError::NoSeparator:
    case PipeFormat::LineError::EmptyName:
    case PipeFormat::LineError::NotANumber:
    case PipeFormat::LineError::LineTooLong:
        break;
    }
    return SnapshotFormat::Error::NotANumber;
}

// A name as it ends a record: what is left after the fixed fields.
std::optional<SnapshotFormat::Error> checkName(QByteArrayView name) noexcept
{
    if (name.isEmpty())
        return SnapshotFormat::Error::MissingField;
    if (name.size() > PipeFormat::MaxNameLength)
        return SnapshotFormat::Error::NameTooLong;
    if (std::memchr(name.data(), '\r', size_t(name.size())))
        return SnapshotFormat::Error::CarriageReturn;
    return std::nullopt;
}

// A signed decimal integer within int, as the format writes an index or a scale.
std::optional<int> parseInt(QByteArrayView text) noexcept
{
    if (text.isEmpty() || text.front() == '+')
        return std::nullopt;
    int value = 0;
    const char *end = text.data() + text.size();
    const auto result = std::from_chars(text.data(), end, value);
    if (result.ec != std::errc() || result.ptr != end)
        return std::nullopt;
    return value;
}

// One `buckets` record's fields, before they are checked as a whole by Histogram::fromParts().
struct BucketsFields
{
    qint64 zeroCount = 0;
    double min = 0;
    double max = 0;
    QList<Histogram::Bucket> negative;
    QList<Histogram::Bucket> positive;
};

std::optional<SnapshotFormat::Error> parseBuckets(QByteArrayView rest, BucketsFields &fields)
{
    // Every field ends at a space or at the end of the line.
    const auto next = [&rest](QByteArrayView &field) {
        const qsizetype length = rest.indexOf(' ');
        field = length < 0 ? rest : rest.first(length);
        rest = length < 0 ? QByteArrayView() : rest.sliced(length + 1);
        return !field.isEmpty();
    };
    QByteArrayView scale, zeroCount, min, max;
    if (!next(scale) || !next(zeroCount) || !next(min) || !next(max))
        return SnapshotFormat::Error::MissingField;
    const std::optional<int> scaleValue = parseInt(scale);
    if (!scaleValue)
        return SnapshotFormat::Error::BadHistogram;
    if (*scaleValue != Histogram::Scale)
        return SnapshotFormat::Error::UnknownScale;
    const std::optional<qint64> zeros = parseCount(zeroCount);
    if (!zeros)
        return SnapshotFormat::Error::BadCount;
    fields.zeroCount = *zeros;
    for (auto [text, target] : {std::pair{min, &fields.min}, std::pair{max, &fields.max}}) {
        PipeFormat::LineError error;
        const std::optional<StatValue> value = PipeFormat::parseValue(text, &error);
        if (!value)
            return errorOf(error);
        *target = value->toReal();
    }
    QByteArrayView bucket;
    while (!rest.isEmpty()) {
        if (!next(bucket))
            return SnapshotFormat::Error::BadHistogram;
        const bool negative = bucket.startsWith('n');
        if (negative)
            bucket = bucket.sliced(1);
        const qsizetype colon = bucket.indexOf(':');
        if (colon < 0)
            return SnapshotFormat::Error::BadHistogram;
        const std::optional<int> index = parseInt(bucket.first(colon));
        const std::optional<qint64> count = parseCount(bucket.sliced(colon + 1));
        if (!index || !count)
            return SnapshotFormat::Error::BadHistogram;
        (negative ? fields.negative : fields.positive).append({*index, *count});
    }
    return std::nullopt;
}

} // namespace

QByteArray SnapshotFormat::serialize(const TypedSnapshot &snapshot)
{
    const Snapshot &stats = snapshot.stats;
    // One buffer for the worst case, filled with plain stores: no capacity check per field.
    qsizetype size = 2 * SnapshotRecords::MaxHeaderLength;
    for (const StatEntry &entry : stats)
        size += entry.name.size() + SnapshotRecords::MaxRecordOverhead;
    for (const WindowStats &window : snapshot.windows) {
        size += window.name.size() + SnapshotRecords::MaxRecordOverhead;
        for (const QByteArray &label : window.labels)
            size += label.size();
        if (window.histogram)
            size += SnapshotRecords::histogramBound(*window.histogram);
    }
    QByteArray out(size, Qt::Uninitialized);
    char *at = SnapshotRecords::writeHeader(out.data());

    qsizetype records = 0;
    qsizetype next = 0; // the next row of stats to write
    const auto writeStatistic = [&at](const StatEntry &entry) {
        // A row of kind Window outside every window breaks the precondition; it is written
        // untyped.
        Q_ASSERT_X(entry.kind != StatKind::Window, "SnapshotFormat::serialize",
                   "a window row outside its window");
        at = SnapshotRecords::writeStatistic(at, entry.kind, entry.value, entry.name);
    };
    for (const WindowStats &window : snapshot.windows) {
        Q_ASSERT_X(window.firstRow >= next && window.firstRow + window.rowCount <= stats.size()
                       && window.labels.size() == window.rowCount,
                   "SnapshotFormat::serialize", "a window whose rows are not where it says");
        const qsizetype firstRow = std::clamp(window.firstRow, next, stats.size());
        for (; next < firstRow; ++next, ++records)
            writeStatistic(stats.at(next));
        at = SnapshotRecords::writeWindow(at, window.count, window.sum, window.name);
        ++records;
        const qsizetype rowCount = std::min(window.rowCount, stats.size() - firstRow);
        for (qsizetype i = 0; i < rowCount; ++i) {
            const StatEntry &row = stats.at(firstRow + i);
            at = SnapshotRecords::writeRow(at, window.labels.value(i), row.value, row.name);
        }
        if (window.histogram)
            at = SnapshotRecords::writeHistogram(at, *window.histogram);
        next = firstRow + rowCount;
    }
    for (; next < stats.size(); ++next, ++records)
        writeStatistic(stats.at(next));

    at = SnapshotRecords::writeEnd(at, records);
    Q_ASSERT_X(at <= out.constData() + size, "SnapshotFormat::serialize", "text beyond its bound");
    out.truncate(at - out.constData());
    return out;
}

class Q_DECL_HIDDEN SnapshotFormat::Reader::Private
{
public:
    explicit Private(RepeatedNames repeatedNames)
        : rejectRepeatedNames(repeatedNames == RepeatedNames::Reject)
    {
    }

    void feed(QByteArrayView bytes);
    void finish();

    ParseResult result;
    qint64 bytes = 0;
    //! What the same writer sent before (Reader::setPrevious()), until the first bytes.
    TypedSnapshot previous;

private:
    enum class State : quint8 { Header, Body, Stopped };

    void readLine(QByteArrayView line);
    bool readHeader(QByteArrayView line);
    void readRecord(QByteArrayView line);
    void reject(Error error);
    void closeWindow(bool cut);
    const bool rejectRepeatedNames;
    State state = State::Header;
    QByteArray unfinished; // the line not complete yet, or the beginning of a too long one
    bool skippingLongLine = false; // the rest of a too long line is skipped up to its LF
    qsizetype lineNumber = 0;
    qsizetype records = 0;
    std::optional<qint64> endCount;
    qsizetype openWindow = -1; // the window that a row or buckets record belongs to, if any
    bool histogramRejected = false; // a buckets record of the open window was rejected
    qsizetype lastBucketsLine = 0;
    // Made when the first bytes arrive, sized by them.
    std::optional<UniqueNames<StatEntry>> statNames;
    std::optional<UniqueNames<WindowStats>> windowNames;
};

void SnapshotFormat::Reader::Private::feed(QByteArrayView text)
{
    if (bytes == 0) {
        // One allocation for the rows: a line per row is the common case, and most texts come
        // in one piece.
        const qsizetype lines = std::count(text.begin(), text.end(), '\n');
        result.snapshot.stats.reserve(lines);
        const NameRepeats repeats = rejectRepeatedNames ? NameRepeats::Reject : NameRepeats::Keep;
        statNames.emplace(result.snapshot.stats, &StatEntry::name,
                          std::exchange(previous.stats, {}), repeats, lines);
        windowNames.emplace(result.snapshot.windows, &WindowStats::name,
                            std::exchange(previous.windows, {}), repeats);
    }
    bytes += text.size();
    if (state == State::Stopped)
        return;
    qsizetype position = 0;
    while (position < text.size()) {
        const char *start = text.data() + position;
        const void *newline = std::memchr(start, '\n', size_t(text.size() - position));
        if (!newline) {
            if (!skippingLongLine) {
                const QByteArrayView rest = text.sliced(position);
                // Enough of a line to tell that it is too long even without a CR at its end.
                constexpr qsizetype Kept = MaxLineLength + 2;
                unfinished.append(rest.first(std::min(rest.size(), Kept - unfinished.size())));
                skippingLongLine = unfinished.size() == Kept;
            }
            return;
        }
        const QByteArrayView piece(start, static_cast<const char *>(newline) - start);
        position += piece.size() + 1;
        if (!unfinished.isEmpty()) {
            if (!skippingLongLine)
                unfinished.append(piece);
            readLine(unfinished);
            unfinished.truncate(0);
            skippingLongLine = false;
        } else {
            readLine(piece);
        }
        if (state == State::Stopped)
            return;
    }
}

void SnapshotFormat::Reader::Private::finish()
{
    if (state == State::Header) {
        // Every line ends with a LF: a first line without one is a cut line, never read.
        result.error = Error::NoHeader;
        return;
    }
    if (state == State::Stopped)
        return;
    closeWindow(!endCount);
    // A LF-less rest after the end record is a line after it; before, the text is cut anyway.
    if (endCount && !unfinished.isEmpty()) {
        ++lineNumber;
        reject(Error::AfterEnd);
    }
    unfinished = QByteArray();
    if (!endCount)
        result.error = Error::NoEnd;
    else if (*endCount != records)
        result.error = Error::CountMismatch;
    result.complete = result.error == Error::NoError;
    state = State::Stopped;
}

void SnapshotFormat::Reader::Private::readLine(QByteArrayView line)
{
    if (line.endsWith('\r'))
        line.chop(1);
    ++lineNumber;
    if (state == State::Header) {
        state = readHeader(line) ? State::Body : State::Stopped;
        return;
    }
    readRecord(line);
}

bool SnapshotFormat::Reader::Private::readHeader(QByteArrayView line)
{
    if (line.size() > MaxLineLength || !line.startsWith(HeaderPrefix)) {
        result.error = Error::NoHeader;
        return false;
    }
    const std::optional<qint64> version = parseCount(line.sliced(HeaderPrefix.size()));
    if (!version || *version == 0) {
        result.error = Error::NoHeader;
        return false;
    }
    result.version = *version;
    if (*version != Version) {
        result.error = Error::UnknownVersion;
        return false;
    }
    return true;
}

void SnapshotFormat::Reader::Private::reject(Error error)
{
    ++result.rejectedLines;
    if (result.rejections.size() < MaxReportedRejections)
        result.rejections.append({lineNumber, error});
}

// A histogram that does not count the window's samples would make false percentiles. In a
// text cut short (\a cut), the missing part is the writer's end, not a bad line.
void SnapshotFormat::Reader::Private::closeWindow(bool cut)
{
    if (openWindow < 0)
        return;
    WindowStats &window = result.snapshot.windows[openWindow];
    if (window.histogram && window.histogram->count() != window.count) {
        window.histogram.reset();
        if (!cut) {
            ++result.rejectedLines;
            if (result.rejections.size() < MaxReportedRejections)
                result.rejections.append({lastBucketsLine, Error::HistogramCountMismatch});
        }
    }
    openWindow = -1;
    histogramRejected = false;
}

void SnapshotFormat::Reader::Private::readRecord(QByteArrayView line)
{
    TypedSnapshot &snapshot = result.snapshot;
    if (line.isEmpty())
        return;
    if (endCount) {
        reject(Error::AfterEnd);
        return;
    }
    QByteArrayView rest = line;
    QByteArrayView type = line;
    if (!takeField(rest, type))
        rest = {};
    const Record record = SnapshotRecords::typeOf(type);
    if (record == Record::Unknown) {
        ++result.skippedLines;
        return;
    }
    if (SnapshotRecords::isCounted(record)) {
        ++records;
        closeWindow(false);
    }
    if (line.size() > MaxLineLength) {
        reject(Error::LineTooLong);
        return;
    }

    if (record == Record::End) {
        const std::optional<qint64> count = parseCount(rest);
        if (!count)
            reject(rest.isEmpty() ? Error::MissingField : Error::BadCount);
        else
            endCount = *count;
        return;
    }
    if (record == Record::Row && openWindow < 0) {
        reject(Error::RowOutsideWindow);
        return;
    }
    if (record == Record::Buckets) {
        if (openWindow < 0) {
            reject(Error::HistogramOutsideWindow);
            return;
        }
        WindowStats &window = snapshot.windows[openWindow];
        BucketsFields fields;
        std::optional<Error> error = parseBuckets(rest, fields);
        // The window's sum is the histogram's: given once, with its first record.
        const std::optional<Histogram> part = error
            ? std::nullopt
            : Histogram::fromParts(fields.zeroCount, fields.negative, fields.positive, fields.min,
                                   fields.max, window.histogram ? 0.0 : window.sum);
        if (!error && !part)
            error = Error::BadHistogram;
        if (error) {
            // A histogram missing a part would make false percentiles: the window has none.
            reject(*error);
            window.histogram.reset();
            histogramRejected = true;
            return;
        }
        if (histogramRejected)
            return;
        if (window.histogram)
            window.histogram->merge(*part);
        else
            window.histogram = *part;
        lastBucketsLine = lineNumber;
        return;
    }

    // The fixed fields, then the name: windows and rows have two, the statistics one.
    const bool twoFields = record == Record::Window || record == Record::Row;
    QByteArrayView first;
    QByteArrayView second;
    if (!takeField(rest, first) || first.isEmpty()
        || (twoFields && (!takeField(rest, second) || second.isEmpty()))) {
        reject(Error::MissingField);
        return;
    }
    const QByteArrayView name = rest;
    if (const std::optional<Error> error = checkName(name)) {
        reject(*error);
        return;
    }

    if (record == Record::Window) {
        const std::optional<qint64> count = parseCount(first);
        if (!count) {
            reject(Error::BadCount);
            return;
        }
        PipeFormat::LineError error;
        const std::optional<StatValue> sum = PipeFormat::parseValue(second, &error);
        if (!sum) {
            reject(errorOf(error));
            return;
        }
        const bool added = windowNames->add(name, [&](QByteArray keptName) {
            WindowStats window;
            window.name = std::move(keptName);
            window.count = *count;
            window.sum = sum->toReal();
            window.firstRow = snapshot.stats.size();
            snapshot.windows.append(std::move(window));
        });
        if (!added) {
            reject(Error::RepeatedName);
            return;
        }
        openWindow = snapshot.windows.size() - 1;
        return;
    }

    const QByteArrayView valueText = record == Record::Row ? second : first;
    PipeFormat::LineError error;
    const std::optional<StatValue> value = PipeFormat::parseValue(valueText, &error);
    if (!value) {
        reject(errorOf(error));
        return;
    }
    const QByteArrayView label = first;
    if (record == Record::Row) {
        if (label.size() > MaxLabelLength) {
            reject(Error::LabelTooLong);
            return;
        }
        if (std::memchr(label.data(), '\r', size_t(label.size()))) {
            reject(Error::CarriageReturn);
            return;
        }
    }
    const bool added = statNames->add(name, [&](QByteArray keptName) {
        snapshot.stats.append(
            StatEntry{std::move(keptName), *value, SnapshotRecords::kindOf(record)});
    });
    if (!added) {
        reject(Error::RepeatedName);
        return;
    }
    if (record == Record::Row) {
        WindowStats &window = snapshot.windows[openWindow];
        // Windows mostly share their labels: share the previous window's bytes when equal.
        const QList<QByteArray> *before =
            openWindow > 0 ? &snapshot.windows.at(openWindow - 1).labels : nullptr;
        const qsizetype row = window.rowCount;
        if (before && row < before->size() && QByteArrayView(before->at(row)) == label)
            window.labels.append(before->at(row));
        else
            window.labels.append(label.toByteArray());
        ++window.rowCount;
    }
}

SnapshotFormat::Reader::Reader(RepeatedNames repeatedNames)
    : d(new Private(repeatedNames))
{
}

SnapshotFormat::Reader::~Reader()
{
    delete d;
}

void SnapshotFormat::Reader::feed(QByteArrayView bytes)
{
    d->feed(bytes);
}

void SnapshotFormat::Reader::setPrevious(const TypedSnapshot &previous)
{
    if (d->bytes == 0)
        d->previous = previous;
}

qint64 SnapshotFormat::Reader::bytesRead() const noexcept
{
    return d->bytes;
}

SnapshotFormat::ParseResult SnapshotFormat::Reader::finish()
{
    d->finish();
    return std::move(d->result);
}

SnapshotFormat::ParseResult SnapshotFormat::parse(QByteArrayView text)
{
    Reader reader;
    reader.feed(text);
    return reader.finish();
}

bool SnapshotFormat::isValidLabel(QByteArrayView label) noexcept
{
    if (label.isEmpty() || label.size() > MaxLabelLength)
        return false;
    return std::none_of(label.begin(), label.end(),
                        [](char c) { return c == ' ' || c == '\n' || c == '\r'; });
}

QLatin1StringView SnapshotFormat::describe(Error error) noexcept
{
    switch (error) {
    case Error::NoError:
        return QLatin1StringView("no error");
    case Error::NoHeader:
        return QLatin1StringView("the text does not begin with 'statvent-snapshot <version>'");
    case Error::UnknownVersion:
        return QLatin1StringView("the text is of a format version this reader does not know");
    case Error::NoEnd:
        return QLatin1StringView("the text ends before its end record (the writer stopped)");
    case Error::CountMismatch:
        return QLatin1StringView("the end record's count differs from the records read");
    case Error::LineTooLong:
        return PipeFormat::describe(PipeFormat::LineError::LineTooLong);
    case Error::MissingField:
        return QLatin1StringView("the record lacks a field, its name or its label");
    case Error::NameTooLong:
        return QLatin1StringView("the name is longer than the limit");
    case Error::LabelTooLong:
        return QLatin1StringView("the row label is longer than the limit");
    case Error::CarriageReturn:
        return QLatin1StringView("the name or the label contains a carriage return");
    // A value is read as the pipe text reads it, and its errors said in the same words.
    case Error::NotANumber:
        return PipeFormat::describe(PipeFormat::LineError::NotANumber);
    case Error::NonFiniteValue:
        return PipeFormat::describe(PipeFormat::LineError::NonFiniteValue);
    case Error::BadCount:
        return QLatin1StringView("the count is not a non-negative integer");
    case Error::RowOutsideWindow:
        return QLatin1StringView("a row record does not follow a window record");
    case Error::AfterEnd:
        return QLatin1StringView("the line follows the end record");
    case Error::HistogramOutsideWindow:
        return QLatin1StringView("a buckets record does not follow a window record");
    case Error::UnknownScale:
        return QLatin1StringView("the histogram has a scale this reader does not know");
    case Error::BadHistogram:
        return QLatin1StringView(
            "a bucket is not [n]<index>:<count> with increasing indexes in range and a count "
            "above 0, or the minimum exceeds the maximum");
    case Error::HistogramCountMismatch:
        return QLatin1StringView("the window's histogram does not count the window's samples");
    case Error::RepeatedName:
        return QLatin1StringView("the name was read before: the first one is kept");
    }
    return QLatin1StringView("unknown error");
}

} // namespace Statvent

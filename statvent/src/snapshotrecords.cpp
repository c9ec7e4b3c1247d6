// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "snapshotrecords.h"

#include "statvent/snapshotformat.h"
#include "valuetext.h"

#include <algorithm>
#include <array>

namespace Statvent::Detail {

namespace {

using Type = SnapshotRecords::Type;

// What each record is, indexed by Type: the first field; the kind of the statistic it gives;
// whether the end record counts it.
struct TypeInfo
{
    QByteArrayView word;
    StatKind kind;
    bool counted;
};
constexpr std::array<TypeInfo, std::size_t(Type::Unknown)> TypeInfos = {{
    {"counter", StatKind::Counter, true},
    {"gauge", StatKind::Gauge, true},
    {"untyped", StatKind::Untyped, true},
    {"window", StatKind::Window, true},
    {"row", StatKind::Window, false},
    {"buckets", StatKind::Untyped, false},
    {"end", StatKind::Untyped, false},
}};

// The record of a plain statistic of \a kind. A window row without its window is written
// untyped: it still reaches readers, without a kind it cannot carry on its own.
Type recordTypeOf(StatKind kind) noexcept
{
    for (const Type type : {Type::Counter, Type::Gauge}) {
        if (TypeInfos[std::size_t(type)].kind == kind)
            return type;
    }
    return Type::Untyped;
}

// The longest bucket as written: a space, `n`, an index of 5 characters, `:`, a count.
constexpr qsizetype MaxBucketLength = 1 + 1 + 5 + 1 + ValueText::MaxIntegerLength;
// A `buckets` record without its buckets: the type, the scale, a count, two values, the LF.
constexpr qsizetype MaxBucketsRecordOverhead =
    8 + 2 * (1 + ValueText::MaxIntegerLength) + 2 * (1 + ValueText::MaxValueLength) + 1;

// How many records a histogram is written in.
qsizetype bucketsRecordsOf(const Histogram &histogram) noexcept
{
    const qsizetype buckets =
        histogram.negativeBuckets().size() + histogram.positiveBuckets().size();
    return std::max<qsizetype>(1,
                               (buckets + SnapshotFormat::MaxBucketsPerRecord - 1)
                                   / SnapshotFormat::MaxBucketsPerRecord);
}

// The start of a `buckets` record: the type, the scale, \a zeroCount, the minimum and maximum.
char *writeBucketsHeader(char *at, const Histogram &histogram, qint64 zeroCount) noexcept
{
    at = ValueText::write(at, SnapshotRecords::wordOf(Type::Buckets));
    *at++ = ' ';
    at = ValueText::writeInteger(at, Histogram::Scale);
    *at++ = ' ';
    at = ValueText::writeInteger(at, zeroCount);
    *at++ = ' ';
    at = ValueText::writeValue(at, histogram.min());
    *at++ = ' ';
    return ValueText::writeValue(at, histogram.max());
}

} // namespace

QByteArrayView SnapshotRecords::wordOf(Type type) noexcept
{
    return TypeInfos[std::size_t(type)].word;
}

SnapshotRecords::Type SnapshotRecords::typeOf(QByteArrayView word) noexcept
{
    const auto found = std::find_if(TypeInfos.begin(), TypeInfos.end(),
                                    [word](const TypeInfo &type) { return type.word == word; });
    return Type(found - TypeInfos.begin()); // Type::Unknown when not found
}

bool SnapshotRecords::isCounted(Type type) noexcept
{
    return type != Type::Unknown && TypeInfos[std::size_t(type)].counted;
}

StatKind SnapshotRecords::kindOf(Type type) noexcept
{
    return type == Type::Unknown ? StatKind::Untyped : TypeInfos[std::size_t(type)].kind;
}

qsizetype SnapshotRecords::histogramBound(const Histogram &histogram) noexcept
{
    return bucketsRecordsOf(histogram) * MaxBucketsRecordOverhead
        + (histogram.negativeBuckets().size() + histogram.positiveBuckets().size())
        * MaxBucketLength;
}

char *SnapshotRecords::writeHeader(char *at) noexcept
{
    at = ValueText::write(at, HeaderPrefix);
    at = ValueText::writeInteger(at, SnapshotFormat::Version);
    *at++ = '\n';
    return at;
}

char *SnapshotRecords::writeStatistic(char *at, StatKind kind, const StatValue &value,
                                      QByteArrayView name) noexcept
{
    at = ValueText::write(at, wordOf(recordTypeOf(kind)));
    *at++ = ' ';
    at = ValueText::writeValue(at, value);
    *at++ = ' ';
    at = ValueText::write(at, name);
    *at++ = '\n';
    return at;
}

char *SnapshotRecords::writeWindow(char *at, qint64 count, double sum, QByteArrayView name) noexcept
{
    at = ValueText::write(at, wordOf(Type::Window));
    *at++ = ' ';
    at = ValueText::writeInteger(at, count);
    *at++ = ' ';
    at = ValueText::writeValue(at, sum);
    *at++ = ' ';
    at = ValueText::write(at, name);
    *at++ = '\n';
    return at;
}

char *SnapshotRecords::writeRow(char *at, QByteArrayView label, const StatValue &value,
                                QByteArrayView name) noexcept
{
    at = ValueText::write(at, wordOf(Type::Row));
    *at++ = ' ';
    at = ValueText::write(at, label);
    *at++ = ' ';
    at = ValueText::writeValue(at, value);
    *at++ = ' ';
    at = ValueText::write(at, name);
    *at++ = '\n';
    return at;
}

char *SnapshotRecords::writeHistogram(char *at, const Histogram &histogram) noexcept
{
    at = writeBucketsHeader(at, histogram, histogram.zeroCount());
    // Plain loops over a local pointer: the integers of the buckets are most of a socket text,
    // and a pointer captured by a lambda is stored back to memory at every field.
    qsizetype inRecord = 0;
    for (const bool negative : {true, false}) {
        const QList<Histogram::Bucket> &buckets =
            negative ? histogram.negativeBuckets() : histogram.positiveBuckets();
        for (const Histogram::Bucket &bucket : buckets) {
            if (inRecord == SnapshotFormat::MaxBucketsPerRecord) {
                *at++ = '\n';
                at = writeBucketsHeader(at, histogram, 0);
                inRecord = 0;
            }
            *at++ = ' ';
            if (negative)
                *at++ = 'n';
            at = ValueText::writeInteger(at, bucket.index);
            *at++ = ':';
            at = ValueText::writeInteger(at, bucket.count);
            ++inRecord;
        }
    }
    *at++ = '\n';
    return at;
}

char *SnapshotRecords::writeEnd(char *at, qsizetype records) noexcept
{
    at = ValueText::write(at, wordOf(Type::End));
    *at++ = ' ';
    at = ValueText::writeInteger(at, records);
    *at++ = '\n';
    return at;
}

} // namespace Statvent::Detail

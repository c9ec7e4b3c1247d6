// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_SNAPSHOTRECORDS_H
#define STATVENT_SNAPSHOTRECORDS_H

#include "statvent/histogram.h"
#include "statvent/statentry.h"

#include <QByteArrayView>

namespace Statvent::Detail {

/*!
 * The records of the socket text (SnapshotFormat) one by one: what each record type is called,
 * and how each is written. SnapshotFormat::serialize() writes a TypedSnapshot with them, and
 * StatRegistry::typedSnapshotText() writes the registry's cells with them, with no snapshot in
 * between; SnapshotFormat::Reader reads the same types back.
 *
 * The writers store plain bytes at \a at, which the caller has room for (the bounds below), and
 * return the end of what they wrote.
 */
class SnapshotRecords
{
public:
    //! What a line is, by its first field. Unknown stays last: it counts the known records.
    enum class Type : quint8 { Counter, Gauge, Untyped, Window, Row, Buckets, End, Unknown };

    //! The first field of a record of \a type.
    static QByteArrayView wordOf(Type type) noexcept;
    //! The type whose first field is \a word; Type::Unknown for any other word.
    static Type typeOf(QByteArrayView word) noexcept;
    //! Whether the end record counts records of \a type (one per statistic or window).
    static bool isCounted(Type type) noexcept;
    //! The kind of the statistic a record of \a type gives.
    static StatKind kindOf(Type type) noexcept;

    //! Room for a header, or for the end record.
    static constexpr qsizetype MaxHeaderLength = 64;
    //! Room for a record's type word, its fixed fields with their spaces and its LF, but not its
    //! name or label: "window " + a count + " " + a value + " " + "\n" is the longest.
    static constexpr qsizetype MaxRecordOverhead = 64;
    //! Room for a window's histogram, in as many `buckets` records as it takes.
    static qsizetype histogramBound(const Histogram &histogram) noexcept;

    //! `statvent-snapshot <version>`.
    static char *writeHeader(char *at) noexcept;
    //! A plain statistic; a \a kind of StatKind::Window (a row without its window) is untyped.
    static char *writeStatistic(char *at, StatKind kind, const StatValue &value,
                                QByteArrayView name) noexcept;
    static char *writeWindow(char *at, qint64 count, double sum, QByteArrayView name) noexcept;
    static char *writeRow(char *at, QByteArrayView label, const StatValue &value,
                          QByteArrayView name) noexcept;
    //! The `buckets` records of a window's histogram, at most MaxBucketsPerRecord buckets each.
    static char *writeHistogram(char *at, const Histogram &histogram) noexcept;
    //! `end <records>`.
    static char *writeEnd(char *at, qsizetype records) noexcept;
    //! The header's first field, followed by the version.
    static constexpr QByteArrayView HeaderPrefix = "statvent-snapshot ";
};

} // namespace Statvent::Detail

#endif

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_SNAPSHOTFORMAT_H
#define STATVENT_SNAPSHOTFORMAT_H

#include <statvent/pipeformat.h>
#include <statvent/typedsnapshot.h>

#include <QByteArrayView>
#include <QLatin1StringView>

namespace Statvent {

/*!
 * The text carried by a process's socket: a typed, versioned snapshot with an explicit end.
 *
 * The sibling of PipeFormat (the FIFO's untyped `name: value` text), and the only writer and
 * parser of this text. Example:
 *
 * \code
 * statvent-snapshot 1
 * counter 42 requests
 * gauge 3 queue.length
 * window 100 250.5 latency.{0}
 * row median 2.5 latency.median
 * row 95th 4.75 latency.95th
 * row mean 2.505 latency.mean
 * buckets 4 0 0.5 12.25 -16:3 0:5 17:80 58:12
 * end 3
 * \endcode
 *
 * The first line is `statvent-snapshot <version>`. Then one record per line, each ended by a
 * LF: its type, its fixed fields, each after one space, and for the records that have one, the
 * name last: everything after the space that follows the last fixed field, byte for byte (it may
 * contain spaces and colons, and begin with a space; any bytes but CR and LF).
 *
 * - `counter <value> <name>`, `gauge <value> <name>`, `untyped <value> <name>`: a statistic
 *   of that kind (StatKind).
 * - `window <count> <sum> <name>`: a sample window holding \c count samples whose sum is
 *   \c sum; the `row` records that follow it are its rows.
 * - `row <label> <value> <name>`: one row of the window before it (a percentile, or the mean).
 *   The label has no spaces.
 * - `buckets <scale> <zero count> <min> <max> <bucket>...`: the Histogram of the window before
 *   it (after its rows): the scale (Histogram::Scale), the number of samples equal to 0, the
 *   smallest and the largest sample, then each non-empty bucket as `<index>:<count>` for
 *   positive samples and `n<index>:<count>` for negative ones (by magnitude), the negative ones
 *   first, each by increasing index. A histogram with more than MaxBucketsPerRecord buckets is
 *   written in several records, the zero count in the first (0 in the others), scale, min and
 *   max in each: the window's histogram is the merge of its records, its sum the window's sum.
 *   A window read without one has no histogram (WindowStats::histogram); a record that cannot
 *   be read, or buckets that do not add up to the window's count, leave the window without one.
 * - `end <records>`: the last line; \c records is the number of `counter`, `gauge`,
 *   `untyped` and `window` records above it (rows, buckets and other types are not counted; a rejected
 *   record of a counted type counts, so that one bad line does not make a text incomplete).
 *
 * Values are written as PipeFormat writes them: integers in decimal, reals in the shortest
 * form that reads back to the same double, always with a `.` or an exponent.
 *
 * A reader of version 1 skips records of a type it does not know (counting them in
 * ParseResult::skippedLines): a writer of version 1 may add record types, such as a window's
 * histogram after its rows, and older readers still read the rest. A `row` belongs to the last
 * `window` before it as long as only rows and unknown records stand between them.
 *
 * A text is complete when its header names a known version and it ends with an end record,
 * LF included, whose count matches the records read. A text cut anywhere (a writer killed
 * mid-write) is never complete: the last line without a LF is not read, and the end record is
 * missing or, cut in its count, does not match. Lines after the end record are rejected.
 */
class STATVENT_EXPORT SnapshotFormat
{
public:
    //! The version this class writes and the only one it reads.
    static constexpr int Version = 1;
    //! Longest row label the parser accepts (percentileLabel() of a subnormal takes about 330).
    static constexpr qsizetype MaxLabelLength = 512;
    //! Longest line the parser reads; longer ones are rejected. Any valid record fits.
    static constexpr qsizetype MaxLineLength = PipeFormat::MaxNameLength + MaxLabelLength + 64;
    //! The most buckets a `buckets` record holds: a histogram with more takes several records.
    static constexpr qsizetype MaxBucketsPerRecord = 128;

    enum class Error : quint8 {
        NoError, //!< the text is complete
        // What makes a whole text incomplete (ParseResult::error):
        NoHeader, //!< the first line is not `statvent-snapshot <version>`
        UnknownVersion, //!< the header names a version this reader does not know
        NoEnd, //!< the text ends before its end record (the writer stopped mid-write)
        CountMismatch, //!< the end record's count differs from the records read
        // What makes one line rejected (Rejection::error); the line is counted and skipped:
        LineTooLong, //!< longer than MaxLineLength bytes
        MissingField, //!< fewer fields than the record's type has, or an empty name or label
        NameTooLong, //!< a name longer than PipeFormat::MaxNameLength
        LabelTooLong, //!< a row label longer than MaxLabelLength
        CarriageReturn, //!< a name or label with a CR in it, which no statistic can have
        NotANumber, //!< a value that is neither an integer nor a real
        NonFiniteValue, //!< `nan`, `inf` and the like
        BadCount, //!< a sample or record count that is not a non-negative integer
        RowOutsideWindow, //!< a `row` record with no window record before it
        AfterEnd, //!< a line after the end record
        HistogramOutsideWindow, //!< a `buckets` record with no window record before it
        UnknownScale, //!< a `buckets` record of a scale other than Histogram::Scale
        BadHistogram, //!< a malformed bucket, buckets out of order or range, min above max
        HistogramCountMismatch, //!< a window's buckets do not add up to its sample count
        RepeatedName, //!< a name read before, to a Reader that rejects repeated names
    };

    struct Rejection
    {
        qsizetype lineNumber = 0; //!< 1-based
        Error error = Error::NoError;
    };

    struct ParseResult
    {
        //! What was read, also from an incomplete text (then it may lack statistics).
        TypedSnapshot snapshot;
        //! The header names a known version, and the end record was read and matches.
        bool complete = false;
        //! Why the text is not complete (Error::NoError when it is).
        Error error = Error::NoError;
        //! The version the header names; 0 without a header.
        qint64 version = 0;
        qsizetype rejectedLines = 0;
        //! The first MaxReportedRejections rejections, for diagnostics.
        QList<Rejection> rejections;
        //! Records of a type this reader does not know, skipped.
        qsizetype skippedLines = 0;
    };
    static constexpr qsizetype MaxReportedRejections = PipeFormat::MaxReportedRejections;

    /*!
     * The snapshot as socket text. The caller guarantees a consistent snapshot: valid names
     * (PipeFormat::isValidName()), finite values and sums, every window's rows inside \a
     * snapshot.stats in the order of the windows, one valid label per row (isValidLabel()),
     * no row of kind StatKind::Window outside a window, and a window's histogram, if any,
     * with the window's count and sum.
     */
    static QByteArray serialize(const TypedSnapshot &snapshot);

    //! Reads socket text; see the class description for what makes it complete.
    static ParseResult parse(QByteArrayView text);

    /*!
     * Reads socket text as it arrives, with the checks of parse(), which is a Reader fed the
     * whole text: feed() takes the text in pieces of any size, reads each complete line at once
     * and keeps only the line not complete yet, at most MaxLineLength + 2 bytes of it (a longer
     * line is judged by its beginning; a header line longer than MaxLineLength is no header).
     * What it holds is the snapshot read so far, and that line.
     */
    class STATVENT_EXPORT Reader
    {
    public:
        enum class RepeatedNames : quint8 {
            Keep, //!< every record is read, as parse() does
            /*!
             * A statistic or row whose name an earlier statistic or row has, and a window whose
             * name an earlier window has, is rejected (Error::RepeatedName) and the first kept:
             * a text that repeats a name costs no memory for it.
             */
            Reject,
        };

        explicit Reader(RepeatedNames repeatedNames = RepeatedNames::Keep);
        ~Reader();
        Reader(const Reader &) = delete;
        Reader &operator=(const Reader &) = delete;

        /*!
         * What the same writer sent the last time it was read, if known, before the first
         * feed() (ignored after it). It changes nothing in what finish() returns: the names
         * that this text lists again in the same order are shared with \a previous instead of
         * copied, and need no check for repeats, which makes reading a writer again cheaper.
         */
        void setPrevious(const TypedSnapshot &previous);
        //! Reads the complete lines of \a bytes, the next piece of the text.
        void feed(QByteArrayView bytes);
        //! How many bytes feed() has been given.
        qint64 bytesRead() const noexcept;
        //! The text has ended: what it holds. The reader reads nothing after it.
        ParseResult finish();

    private:
        class Private;
        Private *const d;
    };

    //! A label that a row can carry: not empty, at most MaxLabelLength bytes, no space, CR or LF.
    static bool isValidLabel(QByteArrayView label) noexcept;

    //! A short English description of an error, for warnings and for the service's reports.
    static QLatin1StringView describe(Error error) noexcept;
};

} // namespace Statvent

#endif

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_PIPEFORMAT_H
#define STATVENT_PIPEFORMAT_H

#include <statvent/statentry.h>

#include <QByteArrayView>
#include <QLatin1StringView>

#include <optional>

/*!
 * \file
 * The pipe text codec: for a program that reads what `cat <pid>.stats` gives (parse()), checks
 * a name before using it (isValidName()), or writes the same text itself (serialize()).
 */

namespace Statvent {

/*!
 * The text carried by a process's pipe: one `name: value` line per statistic.
 *
 * This is the only writer and the only parser of that text; the recorder, the web service,
 * the tests and the fuzzers all go through it.
 *
 * Writing: integers in decimal; reals in the shortest form that reads back to the same double,
 * always with a `.` or an exponent (`3.0`, `1e-09`) so that a reader can tell them from integers.
 *
 * Reading: each line is split at its *last* `:` (names may contain colons); the name is
 * everything before it, byte for byte; the value is trimmed of blanks and read as an integer,
 * else as a real. The original statvent's `%f` output (`123.450000`) reads as a real. Blank
 * lines are ignored. Any other line that cannot be read is rejected with a LineError and
 * counted; it never makes the whole text fail.
 */
class STATVENT_EXPORT PipeFormat
{
public:
    //! Longest statistic name, in UTF-8 bytes, that the registry accepts.
    static constexpr qsizetype MaxNameLength = 4096;
    //! Longest line the parser reads; longer ones are rejected (a name, `: ` and any number fit).
    static constexpr qsizetype MaxLineLength = MaxNameLength + 64;

    enum class LineError : quint8 {
        NoSeparator, //!< the line has no `:`
        EmptyName, //!< nothing before the last `:`
        EmptyValue, //!< nothing but blanks after the last `:`
        NotANumber, //!< the value is neither an integer nor a real (`abc`, `1 2`)
        NonFiniteValue, //!< `nan`, `inf` and the like: no statistic may hold them
        LineTooLong, //!< longer than MaxLineLength bytes
    };

    struct Rejection
    {
        qsizetype lineNumber = 0; //!< 1-based
        LineError error = LineError::NoSeparator;
    };

    struct ParseResult
    {
        Snapshot stats;
        qsizetype rejectedLines = 0;
        //! The first MaxReportedRejections rejections, for diagnostics.
        QList<Rejection> rejections;
    };
    static constexpr qsizetype MaxReportedRejections = 16;

    //! Appends `name: value\n`. The caller guarantees a valid name (see isValidName()).
    static void appendLine(QByteArray &out, QByteArrayView name, const StatValue &value);
    //! Appends the value alone, formatted as in a line.
    static void appendValue(QByteArray &out, const StatValue &value);
    //! The whole snapshot as pipe text.
    static QByteArray serialize(const Snapshot &snapshot);
    //! Reads pipe text. A last line without a newline is read too.
    static ParseResult parse(QByteArrayView text);

    //! What parseLine() made of one line.
    enum class LineKind : quint8 {
        Stat, //!< a statistic: see LineView
        Blank, //!< nothing but blanks: ignored
        Rejected, //!< see the LineError
    };
    //! A statistic read by parseLine(); the name is a view into the line.
    struct LineView
    {
        QByteArrayView name;
        StatValue value;
    };
    /*!
     * Reads one line, without its LF, by the rules parse() applies to each line. For a reader
     * that reads text as it arrives and wants no allocation for the lines it throws away (a
     * repeated name). On LineKind::Stat, \a stat is set; on LineKind::Rejected, \a error.
     */
    static LineKind parseLine(QByteArrayView line, LineView *stat, LineError *error);
    //! Reads one value as it appears after the `:` (blanks around it allowed).
    static std::optional<StatValue> parseValue(QByteArrayView text, LineError *error = nullptr);

    //! A name that can be carried by a line: not empty, at most MaxNameLength bytes, no CR or LF.
    static bool isValidName(QByteArrayView name) noexcept;

    //! A short English description of an error, for warnings and for the service's reports.
    static QLatin1StringView describe(LineError error) noexcept;
};

} // namespace Statvent

#endif

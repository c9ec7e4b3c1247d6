// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTWEB_JSONWRITER_H
#define STATVENTWEB_JSONWRITER_H

#include <statventweb/statcombiner.h>
#include <statventweb/sweepresult.h>

#include <QByteArray>
#include <QByteArrayView>
#include <QStringView>

namespace StatventWeb {

/*!
 * The JSON documents of statvent-web (docs/HTTP-API.md), written directly rather than through
 * QJsonDocument, which would print the real 3.0 as the integer 3 and replace the bytes of a
 * name that is not valid UTF-8.
 *
 * - Integers are written exactly (9223372036854775807 stays that); reals always carry a `.` or an
 *   exponent (`3.0`, `1e-09`) in the shortest form that reads back to the same double. A real
 *   beyond the double range (a sum that overflowed) is written as ±1.7976931348623157e308.
 * - Strings are UTF-8. A byte that is not part of valid UTF-8 is written as the escape `\udcXX`
 *   (XX its hex value, 80 to ff): Python's `surrogateescape` convention. Valid UTF-8 never
 *   encodes U+DC80..U+DCFF, so this is lossless and unambiguous: Python gets the bytes back with
 *   `name.encode("utf-8", "surrogateescape")`.
 */
class JsonWriter
{
public:
    //! `{"stats": {...}, "timestamp": ..., "aggregate": ..., "processes": n, "unanswered": n}`
    static QByteArray stats(const SweepResult &result, StatCombiner::Mode mode);
    //! `{"processes": {"<pid>": {"stats": {...}, "kinds": {...}, "channel": "socket"|"fifo", "rejectedLines": n,
    //! "truncated": b}}, "unanswered": [...], "removed": [...], "timestamp": ...}`; `kinds` has the keys of `stats`,
    //! each with `counter`, `gauge`, `window` or `untyped`.
    static QByteArray byProcess(const SweepResult &result);
    //! `{"message": ..., "path": ...}`, the body of every error answer.
    static QByteArray message(QStringView message, QStringView path);

    //! Appends \a bytes as a JSON string, quoted and escaped as described above.
    static void appendString(QByteArray &out, QByteArrayView bytes);
    //! Appends \a value as a JSON number, as described above.
    static void appendNumber(QByteArray &out, const Statvent::StatValue &value);
};

} // namespace StatventWeb

#endif

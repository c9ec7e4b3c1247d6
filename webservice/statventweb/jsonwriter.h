// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTWEB_JSONWRITER_H
#define STATVENTWEB_JSONWRITER_H

#include <statventweb/statcombiner.h>
#include <statventweb/sweepresult.h>

#include <statvent/histogram.h>

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
    //! Whether the `windows` objects carry each window's histogram (`?histograms=1`).
    enum class Histograms : bool { Omitted, Included };

    /*!
     * `{"stats": {...}, "windows": {...}, "timestamp": ..., "aggregate": ..., "processes": n,
     * "unanswered": n}`, the view WindowCombiner::combinedView() computes: in `sum` mode the
     * rows of merged windows are the host's true percentiles. `windows` has, for each window a
     * socket reported, `{"rows": {label: row name, ...}, "merged": b, "count": n, "sum": x}`,
     * and with \a histograms its `"histogram"` when the window is mergeable.
     */
    static QByteArray stats(const SweepResult &result, StatCombiner::Mode mode,
                            Histograms histograms = Histograms::Omitted);
    /*!
     * `{"processes": {"<pid>": {"stats": {...}, "kinds": {...}, "windows": {...}, "channel":
     * "socket"|"fifo", "rejectedLines": n, "truncated": b}}, "unanswered": [...], "removed":
     * [...], "timestamp": ...}`; `kinds` has the keys of `stats`, each with `counter`, `gauge`,
     * `window` or `untyped`; `windows` is shaped as in stats(), without `merged`, and empty for
     * a FIFO.
     */
    static QByteArray byProcess(const SweepResult &result,
                                Histograms histograms = Histograms::Omitted);
    /*!
     * Appends \a histogram as `{"scale": 4, "zeroCount": n, "min": x, "max": x, "negative":
     * [[index, count], ...], "positive": [...]}` (non-empty buckets, by increasing index; the
     * negative ones by magnitude): what Statvent::Histogram::fromParts() takes back.
     */
    static void appendHistogram(QByteArray &out, const Statvent::Histogram &histogram);
    //! `{"message": ..., "path": ...}`, the body of every error answer.
    static QByteArray message(QStringView message, QStringView path);

    //! Appends \a bytes as a JSON string, quoted and escaped as described above.
    static void appendString(QByteArray &out, QByteArrayView bytes);
    //! Appends \a value as a JSON number, as described above.
    static void appendNumber(QByteArray &out, const Statvent::StatValue &value);
};

} // namespace StatventWeb

#endif

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_FUZZ_EXPOSITIONCHECKER_H
#define STATVENT_FUZZ_EXPOSITIONCHECKER_H

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <utility>

namespace StatventFuzz {

/*!
 * Checks text against the Prometheus text exposition format 0.0.4, in process (promtool is a
 * separate program, too slow to start for every fuzz input), and reads its samples back.
 *
 * What it holds the text to, from the format's specification:
 * - valid UTF-8, every line ended by LF;
 * - `# HELP <metric> <text>` with only the escapes `\\` and `\n`; `# TYPE <metric> <type>` with
 *   a known type, before the family's first sample; each at most once per metric; other `#`
 *   lines are comments;
 * - samples `<metric>[{<label>="<value>",...}] <value> [<timestamp>]`: metric and label names
 *   from their character sets, `__name__` and repeated label names refused, label values with
 *   only the escapes `\\`, `\"` and `\n`, a value Go's ParseFloat reads (`+Inf`, `-Inf`, `NaN`
 *   included), an integer timestamp;
 * - each metric's samples in one group, and no two samples with the same labels.
 * Blank lines are refused: the writer under test never emits them.
 */
class ExpositionChecker
{
public:
    struct Sample
    {
        QByteArray metric;
        //! Label names and values, values unescaped, in the order written.
        QList<std::pair<QByteArray, QByteArray>> labels;
        double value = 0;

        QByteArray label(QByteArrayView name) const;
        bool hasLabel(QByteArrayView name) const;
    };

    struct Result
    {
        //! Empty when the text is valid; else what is wrong, and where.
        QByteArray error;
        QList<Sample> samples;
    };

    static Result check(QByteArrayView text);
};

} // namespace StatventFuzz

#endif

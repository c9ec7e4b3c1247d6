// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTWEB_PROMETHEUSWRITER_H
#define STATVENTWEB_PROMETHEUSWRITER_H

#include <statventweb/statcombiner.h>
#include <statventweb/sweepresult.h>

#include <QByteArray>
#include <QByteArrayView>

namespace StatventWeb {

/*!
 * A sweep in the Prometheus text exposition format 0.0.4 (docs/HTTP-API.md).
 *
 * Statistic names are arbitrary bytes, which metric names cannot carry, so each statistic is a
 * series of a fixed metric family with its name in the label `name` (escaped as the format
 * requires: `\\`, `\"`, `\n`). A name that is not valid UTF-8 gets U+FFFD in `name` and, in the
 * extra label `name_hex`, its exact bytes in hex, so that no two names share a series and none
 * is lost. The family follows the statistic's kind (Statvent::StatKind):
 *
 * - `statvent_stat` (untyped): a statistic of unknown kind, as every FIFO gives;
 * - `statvent_stat_total` (counter), `statvent_value` (gauge);
 * - `statvent_window` (histogram): the samples a sample window holds now, as `_bucket` series
 *   over the fixed `le` bounds Histogram::prometheusBounds() and `+Inf`, with `_sum` and
 *   `_count`; only for a window whose processes report its histogram (an older socket writer
 *   reports none);
 * - `statvent_window_quantile` (untyped: a gauge may not carry the label `quantile`): the
 *   window's percentile rows, each with the label `quantile` (`99th` is 0.99), of the window's
 *   name (as given to record()); its `mean` row in `statvent_window_mean` (gauge).
 *
 * The combined view labels each series with `aggregate`, whose value is the combine mode (the
 * HTTP parameter's name), and gives each statistic the kind StatCombiner gives it; a window's
 * percentile rows are those WindowCombiner gives (in sum mode the merged histogram's). A
 * window's buckets are its processes' buckets added up (WindowCombiner's merged histogram), the
 * same in every mode, hence without `aggregate`. The per-process view labels each series with
 * `pid`. The sweep's own figures follow as `statvent_*` gauges.
 */
class PrometheusWriter
{
public:
    static constexpr QByteArrayView ContentType = "text/plain; version=0.0.4; charset=utf-8";

    static QByteArray combined(const SweepResult &result, StatCombiner::Mode mode);
    static QByteArray byProcess(const SweepResult &result);

    //! Appends `name="<escaped>"`, plus `,name_hex="..."` for a name that is not valid UTF-8.
    static void appendNameLabels(QByteArray &out, QByteArrayView name);
    //! Appends \a value as the format writes numbers (`+Inf`/`-Inf` for an overflowed real).
    static void appendValue(QByteArray &out, const Statvent::StatValue &value);
};

} // namespace StatventWeb

#endif

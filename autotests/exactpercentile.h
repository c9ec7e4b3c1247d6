// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// The tests' oracle for percentiles, written apart from the library's Aggregates.
#ifndef STATVENT_AUTOTESTS_EXACTPERCENTILE_H
#define STATVENT_AUTOTESTS_EXACTPERCENTILE_H

#include <QList>

#include <algorithm>
#include <cmath>

namespace StatventTest {

//! The original's percentile \a p of \a samples: sorted[max(0, floor(n * p / 100) - 1)].
inline double exactPercentile(QList<double> samples, double p)
{
    std::sort(samples.begin(), samples.end());
    const qsizetype rank = qsizetype(std::floor(double(samples.size()) * p / 100.0)) - 1;
    return samples.at(std::max<qsizetype>(0, rank));
}

} // namespace StatventTest

#endif

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/stathistory.h>

#include <statventdashboard/dashboardlogging.h>

#include <QDateTime>

#include <algorithm>
#include <cmath>
#include <limits>

namespace StatventDashboard {

namespace {

constexpr double Gap = std::numeric_limits<double>::quiet_NaN();

QString describeTime(double epochSeconds)
{
    return QDateTime::fromMSecsSinceEpoch(qint64(epochSeconds * 1000)).toString(Qt::ISODateWithMs);
}

// Change per second between two polls, by the service's stamps; none where they do not grow.
double rateBetween(double before, double after, double stampBefore, double stampAfter)
{
    return stampAfter > stampBefore ? (after - before) / (stampAfter - stampBefore) : Gap;
}

} // namespace

StatHistory::StatHistory(int capacity, int maxSeries)
    : m_capacity(std::max(2, capacity))
    , m_maxSeries(std::max(1, maxSeries))
    , m_times(size_t(m_capacity), Gap)
    , m_sweepTimes(size_t(m_capacity), Gap)
{
}

int StatHistory::pollCount() const
{
    return int(std::min<qint64>(m_polls, m_capacity));
}

qint64 StatHistory::oldestPoll() const
{
    return std::max<qint64>(0, m_polls - m_capacity);
}

double StatHistory::latestTime() const
{
    return m_polls == 0 ? 0 : m_times[size_t(slotOf(m_polls - 1))];
}

double StatHistory::latestSweepTime() const
{
    return m_polls == 0 ? 0 : m_sweepTimes[size_t(slotOf(m_polls - 1))];
}

double StatHistory::oldestTime() const
{
    return m_polls == 0 ? 0 : m_times[size_t(slotOf(oldestPoll()))];
}

bool StatHistory::append(double time, double sweepTime, const StatsDocument::Stats &values,
                         const StatsDocument::Kinds &kinds)
{
    if (!std::isfinite(time) || !std::isfinite(sweepTime))
        return false;
    if (m_polls > 0 && time <= latestTime()) {
        if (time < latestTime()) {
            qCWarning(lcDashboard).noquote()
                << "ignoring a sweep taken at" << describeTime(time)
                << "before the last one recorded (" << describeTime(latestTime())
                << "): did the service's clock go back?";
        }
        return false;
    }
    if (m_polls > 0 && sweepTime == latestSweepTime())
        return false; // the service answered with the sweep it had already given
    if (m_polls > 0 && sweepTime < latestSweepTime()) {
        qCWarning(lcDashboard).noquote()
            << "the service's clock went back: a sweep stamped" << describeTime(sweepTime)
            << "came after one stamped" << describeTime(latestSweepTime())
            << "; recorded in the order of arrival";
    }

    const qint64 poll = m_polls++;
    const size_t slot = size_t(slotOf(poll));
    m_times[slot] = time;
    m_sweepTimes[slot] = sweepTime;

    int refused = 0;
    QString firstRefused;
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        if (m_indexOfName.contains(it.key()))
            continue;
        if (int(m_series.size()) >= m_maxSeries) {
            if (refused++ == 0)
                firstRefused = it.key();
            continue;
        }
        m_indexOfName.insert(it.key(), int(m_series.size()));
        m_series.push_back(Series{it.key(), std::vector<double>(size_t(m_capacity), Gap), Gap});
        ++m_namesRevision;
    }
    if (refused > 0 && m_refusedSeries == 0) {
        qCWarning(lcDashboard).noquote()
            << "the history is full with" << m_maxSeries << "series: keeping no history of"
            << refused << "more stats, such as" << firstRefused;
    }
    m_refusedSeries = refused;

    for (Series &series : m_series) {
        const auto it = values.constFind(series.name);
        if (it == values.cend()) {
            series.values[slot] = Gap;
            continue;
        }
        const double value = it->toReal();
        series.values[slot] = value;
        if (!std::isnan(series.lastValue)) {
            if (value > series.lastValue)
                series.lastIncrease = poll;
            else if (value < series.lastValue)
                series.lastDecrease = poll;
        }
        series.lastValue = value;
        series.lastSeen = poll;
        series.kind = kinds.value(series.name, Statvent::StatKind::Untyped);
    }
    forgetAbsentSeries();
    return true;
}

void StatHistory::forgetAbsentSeries()
{
    const qint64 oldest = oldestPoll();
    for (size_t i = 0; i < m_series.size();) {
        if (m_series[i].lastSeen >= oldest) {
            ++i;
            continue;
        }
        m_indexOfName.remove(m_series[i].name);
        if (i + 1 != m_series.size()) {
            m_series[i] = std::move(m_series.back());
            m_indexOfName[m_series[i].name] = int(i);
        }
        m_series.pop_back();
        ++m_namesRevision;
    }
}

void StatHistory::clear()
{
    std::fill(m_times.begin(), m_times.end(), Gap);
    std::fill(m_sweepTimes.begin(), m_sweepTimes.end(), Gap);
    m_polls = 0;
    m_series.clear();
    m_indexOfName.clear();
    m_refusedSeries = 0;
    ++m_namesRevision;
}

QStringList StatHistory::names() const
{
    QStringList result;
    result.reserve(qsizetype(m_series.size()));
    for (const Series &series : m_series)
        result.append(series.name);
    return result;
}

std::optional<double> StatHistory::latestValue(const QString &name) const
{
    const auto it = m_indexOfName.constFind(name);
    if (it == m_indexOfName.cend() || m_series[size_t(*it)].lastSeen != m_polls - 1)
        return std::nullopt;
    return m_series[size_t(*it)].lastValue;
}

std::optional<double> StatHistory::latestRate(const QString &name) const
{
    const auto it = m_indexOfName.constFind(name);
    if (it == m_indexOfName.cend() || pollCount() < 2)
        return std::nullopt;
    const Series &series = m_series[size_t(*it)];
    const size_t now = size_t(slotOf(m_polls - 1));
    const size_t before = size_t(slotOf(m_polls - 2));
    const double rate = rateBetween(series.values[before], series.values[now], m_sweepTimes[before],
                                    m_sweepTimes[now]);
    return std::isfinite(rate) ? std::optional<double>(rate) : std::nullopt;
}

bool StatHistory::isCounter(const QString &name) const
{
    const auto it = m_indexOfName.constFind(name);
    if (it == m_indexOfName.cend())
        return false;
    const Series &series = m_series[size_t(*it)];
    switch (series.kind) {
    case Statvent::StatKind::Counter:
        return true;
    case Statvent::StatKind::Gauge:
    case Statvent::StatKind::Window:
        return false;
    case Statvent::StatKind::Untyped:
        break;
    }
    return series.lastIncrease >= 0 && series.lastDecrease < oldestPoll();
}

QList<QPointF> StatHistory::values(const QString &name, double since, int maxPoints) const
{
    return points(name, since, maxPoints, Kind::Values);
}

QList<QPointF> StatHistory::rates(const QString &name, double since, int maxPoints) const
{
    return points(name, since, maxPoints, Kind::Rates);
}

QList<QPointF> StatHistory::points(const QString &name, double since, int maxPoints,
                                   Kind kind) const
{
    QList<QPointF> out;
    const auto it = m_indexOfName.constFind(name);
    if (it == m_indexOfName.cend())
        return out;
    const std::vector<double> &values = m_series[size_t(*it)].values;

    // Sweep times grow with the poll number: the window starts at the first poll not before `since`.
    qint64 first = oldestPoll();
    qint64 end = m_polls;
    while (first < end) {
        const qint64 middle = first + (end - first) / 2;
        if (m_times[size_t(slotOf(middle))] < since)
            first = middle + 1;
        else
            end = middle;
    }
    const qint64 count = m_polls - first;
    const qint64 pollsPerRun =
        maxPoints > 1 && count > maxPoints ? (count + maxPoints / 2 - 1) / (maxPoints / 2) : 1;
    out.reserve(qsizetype(pollsPerRun > 1 ? maxPoints : count));

    // The lowest and the highest point of each run of polls, in time order. The ring is walked
    // slot by slot, and only the two points a run keeps are made into QPointFs: this loop runs
    // over every poll of every line of every chart at every poll (3,600 x 250 in the benchmark).
    const size_t capacity = size_t(m_capacity);
    size_t slot = size_t(slotOf(first));
    size_t previous = size_t(slotOf(first > 0 ? first - 1 : 0));
    // The first poll held has no predecessor to take a rate from.
    bool hasPrevious = first > oldestPoll();
    for (qint64 runStart = first; runStart < m_polls; runStart += pollsPerRun) {
        const qint64 runEnd = std::min(m_polls, runStart + pollsPerRun);
        double low = std::numeric_limits<double>::infinity();
        double high = -low;
        // Slots to read the times from (no division), polls to tell which came first.
        size_t lowSlot = 0;
        size_t highSlot = 0;
        qint64 lowPoll = 0;
        qint64 highPoll = 0;
        for (qint64 poll = runStart; poll < runEnd; ++poll) {
            double y = values[slot];
            if (kind == Kind::Rates) {
                y = hasPrevious
                    ? rateBetween(values[previous], y, m_sweepTimes[previous], m_sweepTimes[slot])
                    : Gap;
                hasPrevious = true;
            }
            if (std::isfinite(y)) { // gaps (NaN) hold no point
                if (y < low) {
                    low = y;
                    lowSlot = slot;
                    lowPoll = poll;
                }
                if (y > high) {
                    high = y;
                    highSlot = slot;
                    highPoll = poll;
                }
            }
            previous = slot;
            if (++slot == capacity)
                slot = 0;
        }
        if (low > high) // only gaps in this run
            continue;
        const QPointF lowPoint(m_times[lowSlot] * 1000.0, low);
        const QPointF highPoint(m_times[highSlot] * 1000.0, high);
        out.append(lowPoll <= highPoll ? lowPoint : highPoint);
        if (lowPoll != highPoll)
            out.append(lowPoll <= highPoll ? highPoint : lowPoint);
    }
    return out;
}

} // namespace StatventDashboard

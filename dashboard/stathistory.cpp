// SPDX-License-Identifier: MIT
#include "stathistory.h"

#include "dashboardlogging.h"

#include <QDateTime>

#include <algorithm>
#include <cmath>
#include <limits>

namespace {

constexpr double Gap = std::numeric_limits<double>::quiet_NaN();

QString describeTime(double epochSeconds)
{
    return QDateTime::fromMSecsSinceEpoch(qint64(epochSeconds * 1000)).toString(Qt::ISODateWithMs);
}

// Keeps, for each run of polls, the lowest and the highest point, in time order.
class Thinner
{
public:
    Thinner(QList<QPointF> &out, qint64 pollsPerRun)
        : m_out(out)
        , m_pollsPerRun(pollsPerRun)
        , m_left(pollsPerRun)
    {
    }

    //! The next poll of the window; \a y is NaN where there is no point.
    void add(double x, double y)
    {
        if (m_pollsPerRun <= 1) {
            if (!std::isnan(y))
                m_out.append(QPointF(x, y));
            return;
        }
        if (!std::isnan(y)) {
            if (!m_hasPoints || y < m_low.y())
                m_low = QPointF(x, y);
            if (!m_hasPoints || y > m_high.y())
                m_high = QPointF(x, y);
            m_hasPoints = true;
        }
        if (--m_left == 0) {
            flush();
            m_left = m_pollsPerRun;
        }
    }

    void flush()
    {
        if (!m_hasPoints)
            return;
        const bool lowFirst = m_low.x() <= m_high.x();
        m_out.append(lowFirst ? m_low : m_high);
        if (m_low != m_high)
            m_out.append(lowFirst ? m_high : m_low);
        m_hasPoints = false;
    }

private:
    QList<QPointF> &m_out;
    qint64 m_pollsPerRun;
    qint64 m_left; // polls until the current run ends
    bool m_hasPoints = false;
    QPointF m_low;
    QPointF m_high;
};

} // namespace

StatHistory::StatHistory(int capacity, int maxSeries)
    : m_capacity(std::max(2, capacity))
    , m_maxSeries(std::max(1, maxSeries))
    , m_times(size_t(m_capacity), Gap)
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

double StatHistory::oldestTime() const
{
    return m_polls == 0 ? 0 : m_times[size_t(slotOf(oldestPoll()))];
}

bool StatHistory::append(double timestamp, const StatsDocument::Stats &values)
{
    if (!std::isfinite(timestamp))
        return false;
    if (m_polls > 0 && timestamp <= latestTime()) {
        if (timestamp < latestTime()) {
            qCWarning(lcDashboard).noquote()
                << "ignoring a sweep taken at" << describeTime(timestamp) << "before the last one recorded ("
                << describeTime(latestTime()) << "): did the service's clock go back?";
        }
        return false;
    }

    const qint64 poll = m_polls++;
    const size_t slot = size_t(slotOf(poll));
    m_times[slot] = timestamp;

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
        qCWarning(lcDashboard).noquote() << "the history is full with" << m_maxSeries << "series: keeping no history of"
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
    const double rate = (series.values[now] - series.values[before]) / (m_times[now] - m_times[before]);
    return std::isfinite(rate) ? std::optional<double>(rate) : std::nullopt;
}

bool StatHistory::isCounter(const QString &name) const
{
    const auto it = m_indexOfName.constFind(name);
    if (it == m_indexOfName.cend())
        return false;
    const Series &series = m_series[size_t(*it)];
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

QList<QPointF> StatHistory::points(const QString &name, double since, int maxPoints, Kind kind) const
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
    const qint64 pollsPerRun = maxPoints > 1 && count > maxPoints ? (count + maxPoints / 2 - 1) / (maxPoints / 2) : 1;
    out.reserve(qsizetype(pollsPerRun > 1 ? maxPoints : count));

    Thinner thinner(out, pollsPerRun);
    // Walk the ring slot by slot (no division per poll): this loop runs for every line of every
    // chart at every poll.
    size_t slot = size_t(slotOf(first));
    size_t previous = size_t(slotOf(first > 0 ? first - 1 : 0));
    const bool hasPrevious = first > oldestPoll();
    const size_t capacity = size_t(m_capacity);
    for (qint64 poll = first; poll < m_polls; ++poll) {
        double y = values[slot];
        if (kind == Kind::Rates) {
            // The first poll held has no predecessor to take a rate from.
            y = poll > first || hasPrevious ? (y - values[previous]) / (m_times[slot] - m_times[previous]) : Gap;
        }
        thinner.add(m_times[slot] * 1000.0, std::isfinite(y) ? y : Gap);
        previous = slot;
        if (++slot == capacity)
            slot = 0;
    }
    thinner.flush();
    return out;
}

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTDASHBOARD_STATHISTORY_H
#define STATVENTDASHBOARD_STATHISTORY_H

#include <statventdashboard/statsdocument.h>

#include <QHash>
#include <QList>
#include <QPointF>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace StatventDashboard {

/*!
 * The last polls of every stat, in fixed-size ring buffers: memory stays bounded however long
 * the dashboard runs (capacity x series x 8 bytes, plus the names).
 *
 * Polls are recorded in the order they arrive, each at a time that only grows (the caller's
 * clock: DashboardController uses the time of arrival), which the charts use as x. Beside it,
 * each poll keeps the service's own stamp of its sweep, from which rates are computed (it says
 * exactly when the values were read); a step of the service's clock therefore reorders nothing
 * and costs at most one rate (a gap where the stamps go back).
 *
 * All series share one ring of times; a stat missing from a poll holds a gap (NaN)
 * there. A stat absent from every poll held is forgotten, so processes that come and go do not
 * leave series behind. At most maxSeries stats are kept; more are refused with a warning.
 *
 * A stat is a *counter* when the service says so (its kind at the latest poll that had it):
 * the dashboard then shows its rate per second from its first poll. A gauge or window row
 * never is. A stat without a kind (from a process read over its FIFO) is taken for a counter
 * while it has grown at least once and never decreased over the polls held.
 */
class StatHistory
{
public:
    //! 60 minutes, the longest window, at the default interval of one second.
    static constexpr int DefaultCapacity = 3600;
    static constexpr int DefaultMaxSeries = 5000;

    explicit StatHistory(int capacity = DefaultCapacity, int maxSeries = DefaultMaxSeries);

    /*!
     * Records a poll at \a time (seconds since the epoch), whose sweep the service stamped
     * \a sweepTime. Not recorded: a poll whose time is not after the last one's (refused with a
     * warning when it is before), and the same sweep again (the stamp of the last poll).
     * A stamp before the last one is recorded, with a warning: the service's clock went back.
     * \a kinds gives the stats' kinds (a stat missing from it is untyped).
     * Returns true when recorded.
     */
    bool append(double time, double sweepTime, const StatsDocument::Stats &values,
                const StatsDocument::Kinds &kinds = {});
    //! append() with the service's stamp as the time too.
    bool append(double timestamp, const StatsDocument::Stats &values)
    {
        return append(timestamp, timestamp, values);
    }
    void clear();

    int capacity() const { return m_capacity; }
    int maxSeries() const { return m_maxSeries; }
    //! Polls held, at most capacity().
    int pollCount() const;
    //! The newest and oldest sweep held (0 when empty).
    double latestTime() const;
    double oldestTime() const;
    //! The service's stamp of the newest poll held (0 when empty).
    double latestSweepTime() const;

    //! Stats with a history, in no particular order.
    QStringList names() const;
    int seriesCount() const { return int(m_series.size()); }
    bool contains(const QString &name) const { return m_indexOfName.contains(name); }
    //! Changes whenever a series is added or forgotten, so views know when to regroup.
    quint64 namesRevision() const { return m_namesRevision; }
    //! Stats left without a history at the last poll because maxSeries was reached.
    int refusedSeries() const { return m_refusedSeries; }

    //! The value at the latest poll, if the stat was in it.
    std::optional<double> latestValue(const QString &name) const;
    //! Change per second between the two latest polls, if the stat was in both.
    std::optional<double> latestRate(const QString &name) const;
    bool isCounter(const QString &name) const;

    /*!
     * The values since \a since (epoch seconds) as chart points: x in milliseconds since the
     * epoch, gaps left out. With \a maxPoints > 0 and more points than that, the points are
     * thinned to the lowest and highest of each run of polls, so spikes stay visible.
     */
    QList<QPointF> values(const QString &name, double since, int maxPoints = 0) const;
    //! Like values(), for the change per second between consecutive polls.
    QList<QPointF> rates(const QString &name, double since, int maxPoints = 0) const;

private:
    struct Series
    {
        QString name;
        std::vector<double> values; // ring, indexed like m_times
        double lastValue; // the last finite value, to tell counters from gauges without a kind
        Statvent::StatKind kind = Statvent::StatKind::Untyped; // at the last poll that had it
        qint64 lastSeen = -1; // poll numbers (counted since the first poll)
        qint64 lastIncrease = -1;
        qint64 lastDecrease = -1;
    };
    enum class Kind { Values, Rates };

    qint64 oldestPoll() const;
    int slotOf(qint64 poll) const { return int(poll % m_capacity); }
    QList<QPointF> points(const QString &name, double since, int maxPoints, Kind kind) const;
    void forgetAbsentSeries();

    int m_capacity;
    int m_maxSeries;
    std::vector<double> m_times;
    std::vector<double> m_sweepTimes; // indexed like m_times
    qint64 m_polls = 0; // polls recorded since the start (or the last clear())
    std::vector<Series> m_series;
    QHash<QString, int> m_indexOfName;
    quint64 m_namesRevision = 0;
    int m_refusedSeries = 0;
};

} // namespace StatventDashboard

#endif

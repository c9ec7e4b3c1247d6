// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTDASHBOARD_STATSDOCUMENT_H
#define STATVENTDASHBOARD_STATSDOCUMENT_H

#include <statvent/histogram.h>
#include <statvent/statentry.h>
#include <statvent/statvalue.h>

#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QMap>
#include <QString>

#include <optional>
#include <utility>

namespace StatventDashboard {

/*!
 * One answer of statvent-web, read and checked (see notes/http-contract.md and docs/HTTP-API.md).
 *
 * Two shapes are accepted:
 * - per process (`GET /stats?by=process`): `{"processes": {"<pid>": {"stats": {...}}}, "timestamp": t}`;
 *   the totals are then summed here with StatValue's rules, exactly as the service sums them;
 * - summed (`GET /stats`, and the original Python service, which ignores the query):
 *   `{"stats": {...}, "timestamp": t}`; there is then no per-process view.
 *
 * Per process, the optional `"kinds"` object (`{"<name>": "counter"|"gauge"|"window"|"untyped"}`)
 * says what each stat is; a process read over its FIFO says "untyped" or nothing, and a kind
 * this dashboard does not know is read as untyped. The totals' kinds are combined as the
 * service combines them: one kind in every process stays, a counter beside a gauge is a gauge,
 * anything beside an untyped stat (or a window row beside anything else) is untyped.
 *
 * Anything else is refused as a whole with an error that says what was wrong and where: a
 * document that breaks the contract comes from a broken or foreign service, and plotting half
 * of it would draw lies.
 *
 * The optional `"windows"` object (per process, and in the summed shape; see docs/HTTP-API.md)
 * says which stats are the rows of which sample window, with the window's sample count, sum and,
 * when asked for (`histograms=1`), its histogram. In the per-process shape the totals' windows
 * are combined here as the service combines them: a window is *merged* when every process that
 * reports one of its rows sent the window with a histogram; the rows' totals are then the host's
 * true percentiles of the merged histogram (`100th` the exact maximum, `mean` the total sum over
 * the total count) rather than sums. A window some process reports without a histogram (a FIFO
 * writer) keeps summed rows, and says so (Window::merged).
 *
 * At most MaxStats stats are kept: the first names met, in the document's order (processes,
 * then names, each in the byte order of their keys), with their values in every process, so
 * that each stat kept is summed over all processes; the values of the other names are left out
 * and counted (leftOutCount()).
 */
class StatsDocument
{
public:
    using Stats = QHash<QString, Statvent::StatValue>;
    //! The kind of each stat; a stat missing from it is untyped.
    using Kinds = QHash<QString, Statvent::StatKind>;

    /*!
     * The stats (names) kept of one answer. Four times the table and the charts' share of a
     * large host (100 processes x 1,000 stats, mostly the same names in every process), and
     * four times StatHistory::DefaultMaxSeries; what the GUI thread does per poll grows with
     * it (a 20,000-row table refreshes in milliseconds), and so does memory: about 150 bytes per
     * stat and process kept, where a 50 MB answer of 1.7 million stats took 1.36 GB whole.
     */
    static constexpr qsizetype MaxStats = 20'000;

    //! A sample window as the service describes it.
    struct Window
    {
        //! (label, row's stat name), ordered by rank: percentiles ascending, then `mean`.
        QList<std::pair<QString, QString>> rows;
        //! The rows are true percentiles over every process reporting the window (always true
        //! for one process's own window).
        bool merged = false;
        qint64 count = 0; //!< samples the window holds (over the processes that sent it)
        double sum = 0;
        //! Only when asked for and every reporter sent one.
        std::optional<Statvent::Histogram> histogram;
    };
    //! Windows by name (the name given to record(), e.g. `latency.{0}`).
    using Windows = QMap<QString, Window>;

    struct Process
    {
        qint64 pid = 0;
        Stats stats;
        Windows windows; //!< empty for a FIFO process or an older service
        Kinds kinds; //!< of the stats kept; empty when the service gave none (FIFO, older service)
        qint64 rejectedLines = 0; //!< lines of its pipe the service could not read
    };

    //! Reads \a json. On failure the result is invalid and \a error (if given) says why.
    static StatsDocument parse(QByteArrayView json, QString *error = nullptr);

    bool isValid() const { return m_valid; }
    //! When the service finished the sweep, in seconds since the epoch.
    double timestamp() const { return m_timestamp; }
    //! True for the per-process shape.
    bool hasProcesses() const { return m_hasProcesses; }
    //! The processes, ordered by pid (empty for the summed shape).
    const QList<Process> &processes() const { return m_processes; }
    //! The process \a pid, or nullptr when it did not answer this sweep.
    const Process *process(qint64 pid) const;
    //! Every stat combined across the processes that answered.
    const Stats &totals() const { return m_totals; }
    //! The kinds of totals() (empty for the summed shape, which gives none).
    const Kinds &totalKinds() const { return m_totalKinds; }
    //! The windows of totals(), merged when they can be (see the class description).
    const Windows &totalWindows() const { return m_totalWindows; }
    //! Processes that answered; -1 when a summed document does not say.
    int processCount() const { return m_processCount; }
    //! Live processes that did not answer in time.
    int unansweredCount() const { return m_unansweredCount; }
    //! Values not kept because their stat is beyond MaxStats (one per stat and process).
    qint64 leftOutCount() const { return m_leftOut; }

private:
    void combineWindows();

    bool m_valid = false;
    bool m_hasProcesses = false;
    double m_timestamp = 0;
    int m_processCount = -1;
    int m_unansweredCount = 0;
    qint64 m_leftOut = 0;
    QList<Process> m_processes;
    Stats m_totals;
    Kinds m_totalKinds;
    Windows m_totalWindows;
};

} // namespace StatventDashboard

#endif

// SPDX-License-Identifier: MIT
#ifndef STATVENTDASHBOARD_STATSDOCUMENT_H
#define STATVENTDASHBOARD_STATSDOCUMENT_H

#include <statvent/statvalue.h>

#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QString>

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
 * Anything else is refused as a whole with an error that says what was wrong and where: a
 * document that breaks the contract comes from a broken or foreign service, and plotting half
 * of it would draw lies.
 */
class StatsDocument
{
public:
    using Stats = QHash<QString, Statvent::StatValue>;

    struct Process
    {
        qint64 pid = 0;
        Stats stats;
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
    //! Processes that answered; -1 when a summed document does not say.
    int processCount() const { return m_processCount; }
    //! Live processes that did not answer in time.
    int unansweredCount() const { return m_unansweredCount; }

private:
    bool m_valid = false;
    bool m_hasProcesses = false;
    double m_timestamp = 0;
    int m_processCount = -1;
    int m_unansweredCount = 0;
    QList<Process> m_processes;
    Stats m_totals;
};

} // namespace StatventDashboard

#endif

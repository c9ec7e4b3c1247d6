// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTDASHBOARD_DASHBOARDCONTROLLER_P_H
#define STATVENTDASHBOARD_DASHBOARDCONTROLLER_P_H

#include <statventdashboard/dashboardcontroller.h>
#include <statventdashboard/dashboardoptions.h>
#include <statventdashboard/percentilegroups.h>
#include <statventdashboard/stathistory.h>

#include <QDateTime>
#include <QElapsedTimer>
#include <QMap>
#include <QTimer>

namespace StatventDashboard {

using namespace Qt::StringLiterals;
using Connection = DashboardController::Connection;

class DashboardControllerPrivate
{
public:
    // How often a poll in flight is looked at, to say that it is late.
    static constexpr std::chrono::milliseconds LateCheckInterval{250};

    explicit DashboardControllerPrivate(DashboardController *controller);

    void takeDocument(const StatsDocument &document);
    void takeFailure(const QString &reason, std::chrono::milliseconds retryIn);
    void checkLate();
    double arrivalTime() const;
    void setConnection(Connection state, const QString &text, const QString &detail = {});
    void updateOfferedProcesses();
    void refreshView();
    //! Takes in the windows of the view in the last document; true when one is new or changed.
    bool takeWindows();
    //! True when a group of the summed view is not a window merged from histograms.
    bool hasSummedPercentiles() const;

    const StatHistory &history() const { return shownPid ? processHistory : summedHistory; }
    //! The kinds of the shown process's stats at the last poll (none when it did not answer).
    StatsDocument::Kinds shownKinds() const
    {
        const StatsDocument::Process *process = lastDocument.process(shownPid);
        return process ? process->kinds : StatsDocument::Kinds();
    }

    //! The windows of the view in the last document: the totals', or the shown process's.
    const StatsDocument::Windows &shownWindows() const
    {
        static const StatsDocument::Windows none;
        if (!shownPid)
            return lastDocument.totalWindows();
        const StatsDocument::Process *process = lastDocument.process(shownPid);
        return process ? process->windows : none;
    }

    DashboardController *q;
    StatsPoller *poller;
    QTimer lateCheck;
    // The history's clock: monotonic, anchored to the wall clock once, so that no clock step
    // (the service's or this machine's) reorders the polls.
    QElapsedTimer sinceStart;
    qint64 epochAtStartMs = QDateTime::currentMSecsSinceEpoch();
    double lastArrival = 0;
    StatHistory summedHistory;
    StatHistory processHistory; // the chosen process, since it was chosen
    qint64 shownPid = 0;
    StatsDocument lastDocument;
    // Every window the service named in the view, as a group; kept while the view lasts, as
    // the history keeps the names of stats gone.
    QMap<QString, PercentileGroups::Group> windowGroups;
    PercentileGroups groups;
    quint64 groupsRevision = 0;
    bool groupsStale = true;
    int windowMinutes = DashboardOptions::DefaultWindowMinutes;
    bool paused = false;
    QStringList selectedStats;
    QString distributionWindow;
    QList<qint64> offered;
    bool shownIsGone = false;
    Connection connection = Connection::NotConnected;
    QString connectionText = u"Not connected"_s;
    QString connectionDetail;
    QString lastUpdate = u"No update yet"_s;
    QString processSummary;
};

} // namespace StatventDashboard

#endif

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTDASHBOARD_DASHBOARDCONTROLLER_H
#define STATVENTDASHBOARD_DASHBOARDCONTROLLER_H

#include <statventdashboard/statsdocument.h>

#include <QObject>
#include <QStringList>
#include <QUrl>

#include <chrono>
#include <memory>

class QSettings;

namespace StatventDashboard {

class PercentileGroups;
class StatHistory;
class StatsPoller;
class WindowDistribution;
class DashboardControllerPrivate;

/*!
 * What the dashboard shows and why, without a widget: the service polled, the interval, the
 * time window, the process in view (or all of them summed), the stats selected for plotting,
 * pause, the connection's state, the histories and percentile groups of the view, and the
 * window whose distribution is shown.
 *
 * Data path: StatsPoller -> StatsDocument -> StatHistory (all processes summed, and the chosen
 * process) -> PercentileGroups (the windows the service names, label parsing for the other
 * names); StatsDocument's windows -> WindowDistribution. A window (MainWindow) shows this state and forwards what the
 * user does to its setters; every setter emits the matching signal only on a change.
 */
class DashboardController : public QObject
{
    Q_OBJECT
public:
    //! Waiting: a poll has gone on for longer than lateAfter() without a complete answer.
    enum class Connection { NotConnected, Connecting, Connected, Waiting, Failing, Paused };
    Q_ENUM(Connection)

    explicit DashboardController(QObject *parent = nullptr);
    ~DashboardController() override;

    //! Starts polling (unless paused).
    void start();

    QUrl url() const;
    //! Points the dashboard at another service: its history starts afresh.
    void setUrl(const QUrl &url);
    std::chrono::milliseconds interval() const;
    void setInterval(std::chrono::milliseconds interval);
    //! The sliding window of the charts, one of DashboardOptions::windowChoices() (minutes).
    int windowMinutes() const;
    //! Ignores a value that is not one of the choices.
    void setWindowMinutes(int minutes);

    //! The process whose stats are shown, or 0 for all processes summed.
    qint64 shownProcess() const;
    //! Shows one process (its history starts with the last sweep), or all of them summed for 0.
    void showProcess(qint64 pid);
    //! The pids offered for showProcess(): those of the last sweep, plus the shown one if gone.
    QList<qint64> offeredProcesses() const;
    //! True when the shown process is offered but was not in the last sweep.
    bool isShownProcessGone() const;
    //! False while the service has offered no per-process view.
    bool canChooseProcess() const;

    bool isPaused() const;
    void setPaused(bool paused);

    //! The stats to plot, whether or not the view has them yet.
    QStringList selectedStats() const;
    void setSelectedStats(const QStringList &names);
    //! True when \a name is plotted as a rate: a counter of the view outside any percentile group.
    bool isRate(const QString &name) const;

    //! Reads the URL, interval, window and selection; keys missing or unusable are ignored.
    void loadSettings(const QSettings &settings);
    void saveSettings(QSettings &settings) const;

    Connection connection() const;
    //! How long a poll may go on before the status says the dashboard is waiting: twice the
    //! interval, at least a second.
    std::chrono::milliseconds lateAfter() const;
    //! One line on the connection, e.g. "Connected to 127.0.0.1:7828", or "Waiting for the
    //! service: no complete answer for 12 s".
    QString connectionStatus() const;
    //! More about it, for a tool tip.
    QString connectionDetail() const;
    //! "Last update HH:mm:ss" (this machine's time of arrival), followed by the service's stamp
    //! of the sweep when the two clocks disagree by StatusWording::ClockSkewShown or more; or
    //! "No update yet".
    QString lastUpdate() const;
    //! How many processes answered and how many did not.
    QString processSummary() const;
    //! Values of the last answer left out beyond StatsDocument::MaxStats (0 when none).
    qint64 statsLeftOut() const;
    //! A sentence on what the view shows; viewNoteIsWarning() when it may mislead (also when
    //! stats were left out: it then says how many).
    QString viewNote() const;
    bool viewNoteIsWarning() const;
    //! "all processes, summed" or "process <pid>", for chart titles.
    QString viewName() const;

    StatsPoller *poller() const;
    //! The history of the view: all processes summed, or the chosen process since it was chosen.
    const StatHistory &shownHistory() const;
    //! The percentile groups among the names of shownHistory().
    const PercentileGroups &groups() const;
    //! The values of the view at the last sweep.
    StatsDocument::Stats shownStats() const;

    //! The windows the service named in the view at the last sweep (none from an older
    //! service, or for a process read over its FIFO).
    QStringList distributionWindows() const;
    //! The window the distribution view shows; the view's first window until one is chosen.
    QString distributionWindow() const;
    void setDistributionWindow(const QString &name);
    //! The histogram of distributionWindow() in the view at the last sweep: the host's (all
    //! processes merged) or the shown process's; not valid when there is none.
    WindowDistribution distribution() const;
    //! "all processes, merged" or "process <pid>", for the distribution's title.
    QString distributionSource() const;
    //! One sentence on the distribution shown, or on why there is none.
    QString distributionNote() const;

Q_SIGNALS:
    void urlChanged(const QUrl &url);
    void intervalChanged(std::chrono::milliseconds interval);
    void windowMinutesChanged(int minutes);
    void shownProcessChanged(qint64 pid);
    void offeredProcessesChanged();
    void pausedChanged(bool paused);
    void selectedStatsChanged(const QStringList &names);
    void distributionWindowChanged(const QString &name);
    void connectionChanged(DashboardController::Connection connection);
    //! The view's history, groups or note changed: tables and charts redraw.
    void viewChanged();
    //! A poll's answer (or failure) has been taken in, after every other signal it caused.
    void refreshed();

private:
    QString viewNoteOfTheView() const;

    std::unique_ptr<DashboardControllerPrivate> d;
};

} // namespace StatventDashboard

#endif

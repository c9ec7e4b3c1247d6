// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/dashboardcontroller.h>
#include <statventdashboard/dashboardcontroller_p.h>

#include <statventdashboard/settingskeys.h>
#include <statventdashboard/statspoller.h>
#include <statventdashboard/statuswording.h>
#include <statventdashboard/windowdistribution.h>

#include <QSettings>

namespace StatventDashboard {

using namespace Qt::StringLiterals;
using std::chrono::milliseconds;

DashboardController::DashboardController(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<DashboardControllerPrivate>(this))
{
}

DashboardController::~DashboardController() = default;

void DashboardController::start()
{
    if (d->paused)
        return;
    d->setConnection(Connection::Connecting, u"Connecting to "_s + url().toString());
    d->poller->start();
}

void DashboardController::setPaused(bool paused)
{
    if (paused == d->paused)
        return;
    d->paused = paused;
    Q_EMIT pausedChanged(paused);
    if (paused) {
        d->poller->stop();
        d->setConnection(Connection::Paused, u"Paused: the charts keep what they show"_s);
    } else {
        start();
    }
}

QUrl DashboardController::url() const
{
    return d->poller->url();
}

void DashboardController::setUrl(const QUrl &url)
{
    if (url == d->poller->url())
        return;
    // Another service: nothing of the old history belongs to it.
    const bool wasRunning = d->poller->isRunning();
    d->poller->stop();
    d->poller->setUrl(url);
    d->summedHistory.clear();
    d->processHistory.clear();
    d->shownPid = 0;
    d->lastDocument = StatsDocument();
    d->windowGroups.clear();
    d->groupsStale = true;
    Q_EMIT urlChanged(url);
    d->refreshView();
    d->updateOfferedProcesses();
    if (wasRunning)
        start();
}

milliseconds DashboardController::interval() const
{
    return d->poller->interval();
}

void DashboardController::setInterval(milliseconds interval)
{
    const milliseconds before = d->poller->interval();
    d->poller->setInterval(interval);
    if (d->poller->interval() != before)
        Q_EMIT intervalChanged(d->poller->interval());
}

int DashboardController::windowMinutes() const
{
    return d->windowMinutes;
}

void DashboardController::setWindowMinutes(int minutes)
{
    if (minutes == d->windowMinutes || !DashboardOptions::windowChoices().contains(minutes))
        return;
    d->windowMinutes = minutes;
    Q_EMIT windowMinutesChanged(minutes);
}

qint64 DashboardController::shownProcess() const
{
    return d->shownPid;
}

void DashboardController::showProcess(qint64 pid)
{
    if (pid == d->shownPid)
        return;
    d->shownPid = pid;
    d->processHistory.clear();
    d->windowGroups.clear();
    d->takeWindows();
    d->groupsStale = true;
    if (pid && d->lastDocument.isValid())
        d->processHistory.append(d->lastArrival, d->lastDocument.timestamp(), shownStats(),
                                 d->shownKinds());
    Q_EMIT shownProcessChanged(pid);
    d->updateOfferedProcesses();
    d->refreshView();
}

QList<qint64> DashboardController::offeredProcesses() const
{
    return d->offered;
}

bool DashboardController::isShownProcessGone() const
{
    return d->shownIsGone;
}

bool DashboardController::canChooseProcess() const
{
    return d->lastDocument.hasProcesses() || d->shownPid;
}

bool DashboardController::isPaused() const
{
    return d->paused;
}

QStringList DashboardController::selectedStats() const
{
    return d->selectedStats;
}

void DashboardController::setSelectedStats(const QStringList &names)
{
    if (names == d->selectedStats)
        return;
    d->selectedStats = names;
    Q_EMIT selectedStatsChanged(names);
}

bool DashboardController::isRate(const QString &name) const
{
    const StatHistory &shown = d->history();
    return shown.contains(name) && !d->groups.contains(name) && shown.isCounter(name);
}

void DashboardController::loadSettings(const QSettings &settings)
{
    const QUrl url = DashboardOptions::parseUrl(settings.value(SettingsKeys::Url).toString());
    if (!url.isEmpty())
        setUrl(url);
    const int interval = settings.value(SettingsKeys::IntervalMs, 0).toInt();
    if (interval > 0)
        setInterval(milliseconds(interval));
    setWindowMinutes(
        settings.value(SettingsKeys::WindowMinutes, DashboardOptions::DefaultWindowMinutes)
            .toInt());
    setSelectedStats(settings.value(SettingsKeys::SelectedStats).toStringList());
}

void DashboardController::saveSettings(QSettings &settings) const
{
    settings.setValue(SettingsKeys::Url, url().toString());
    settings.setValue(SettingsKeys::IntervalMs, qint64(interval().count()));
    settings.setValue(SettingsKeys::WindowMinutes, windowMinutes());
    settings.setValue(SettingsKeys::SelectedStats, selectedStats());
}

milliseconds DashboardController::lateAfter() const
{
    return std::max(milliseconds(1000), 2 * interval());
}

DashboardController::Connection DashboardController::connection() const
{
    return d->connection;
}

QString DashboardController::connectionStatus() const
{
    return d->connectionText;
}

QString DashboardController::connectionDetail() const
{
    return d->connectionDetail;
}

QString DashboardController::lastUpdate() const
{
    return d->lastUpdate;
}

QString DashboardController::processSummary() const
{
    return d->processSummary;
}

qint64 DashboardController::statsLeftOut() const
{
    return d->lastDocument.leftOutCount();
}

QString DashboardController::viewNote() const
{
    const qint64 leftOut = d->lastDocument.leftOutCount();
    if (leftOut == 0)
        return viewNoteOfTheView();
    return viewNoteOfTheView() + u' '
        + StatusWording::statsLeftOut(leftOut, d->lastDocument.hasProcesses());
}

QString DashboardController::viewNoteOfTheView() const
{
    const StatsDocument &last = d->lastDocument;
    const qint64 pid = d->shownPid;
    if (!last.isValid())
        return u"Waiting for the first answer of "_s + url().toString() + u'.';
    if (pid) {
        if (!last.process(pid))
            return u"Process %1 is not in the last sweep: it ended or stopped answering."_s.arg(
                pid);
        const QString since =
            QDateTime::fromMSecsSinceEpoch(qint64(d->processHistory.oldestTime() * 1000))
                .toString(u"HH:mm:ss"_s);
        return u"Process %1 only: its own values and true percentiles (history since %2)."_s.arg(
            QString::number(pid), since);
    }
    if (!last.hasProcesses())
        return u"This service offers no per-process view (?by=process): showing its sums."_s;
    if (last.processCount() > 1 && d->hasSummedPercentiles())
        return u"All %1 processes, summed. A sum of percentiles is not a percentile: choose one "
               u"process under \"show\" to read true percentiles."_s.arg(last.processCount())
            + (last.totalWindows().isEmpty()
                   ? QString()
                   : u" Windows every process sends with a histogram are the host's true "
                     u"percentiles."_s);
    if (last.processCount() > 1 && !d->groups.groups().isEmpty())
        return u"All %1 processes, summed; each window's percentiles are the host's, merged from "
               u"the processes' histograms."_s.arg(last.processCount());
    return last.processCount() == 1
        ? u"All processes, summed (1 answered)."_s
        : u"All processes, summed (%1 answered)."_s.arg(last.processCount());
}

bool DashboardController::viewNoteIsWarning() const
{
    const StatsDocument &last = d->lastDocument;
    if (!last.isValid())
        return false;
    if (last.leftOutCount() > 0)
        return true;
    if (d->shownPid)
        return !last.process(d->shownPid);
    return last.hasProcesses() && last.processCount() > 1 && d->hasSummedPercentiles();
}

QString DashboardController::viewName() const
{
    return d->shownPid ? u"process %1"_s.arg(d->shownPid) : u"all processes, summed"_s;
}

StatsPoller *DashboardController::poller() const
{
    return d->poller;
}

const StatHistory &DashboardController::shownHistory() const
{
    return d->history();
}

const PercentileGroups &DashboardController::groups() const
{
    return d->groups;
}

QStringList DashboardController::distributionWindows() const
{
    return d->shownWindows().keys();
}

QString DashboardController::distributionWindow() const
{
    return d->distributionWindow;
}

void DashboardController::setDistributionWindow(const QString &name)
{
    if (name == d->distributionWindow)
        return;
    d->distributionWindow = name;
    Q_EMIT distributionWindowChanged(name);
}

WindowDistribution DashboardController::distribution() const
{
    const StatsDocument::Windows &windows = d->shownWindows();
    return WindowDistribution::of(d->distributionWindow,
                                  windows.value(d->distributionWindow, StatsDocument::Window()));
}

QString DashboardController::distributionSource() const
{
    return d->shownPid ? u"process %1"_s.arg(d->shownPid) : u"all processes, merged"_s;
}

QString DashboardController::distributionNote() const
{
    const QString &name = d->distributionWindow;
    const StatsDocument::Windows &windows = d->shownWindows();
    const auto window = windows.constFind(name);
    if (name.isEmpty() || window == windows.cend())
        return d->lastDocument.isValid() && windows.isEmpty()
            ? u"No process of this view sends its windows' histograms (they need statvent-web "
              u"reading the processes' sockets)."_s
            : u"Choose a window."_s;
    if (!window->histogram)
        return d->shownPid
            ? u"Process %1 sent no histogram of this window."_s.arg(d->shownPid)
            : u"Some process reports this window without a histogram (over its FIFO): there is "
              u"no host-wide distribution; choose one process under \"show\"."_s;
    const WindowDistribution shown = distribution();
    QString note = u"%1 samples of %2. Percentiles from the histogram, within %3 %."_s.arg(
        QString::number(shown.count()), distributionSource(),
        QString::number(Statvent::Histogram::RelativeErrorBound * 100, 'f', 1));
    if (shown.zeroCount() + shown.negativeCount() > 0)
        note += u" Not drawn on the logarithmic axis: %1 zero and %2 negative samples."_s
                    .arg(shown.zeroCount())
                    .arg(shown.negativeCount());
    return note;
}

StatsDocument::Stats DashboardController::shownStats() const
{
    if (!d->shownPid)
        return d->lastDocument.totals();
    const StatsDocument::Process *process = d->lastDocument.process(d->shownPid);
    return process ? process->stats : StatsDocument::Stats();
}

} // namespace StatventDashboard

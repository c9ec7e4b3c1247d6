// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/dashboardcontroller_p.h>

#include <statventdashboard/dashboardlogging.h>
#include <statventdashboard/statspoller.h>
#include <statventdashboard/statuswording.h>

#include <algorithm>

namespace StatventDashboard {

using std::chrono::milliseconds;

DashboardControllerPrivate::DashboardControllerPrivate(DashboardController *controller)
    : q(controller)
    , poller(new StatsPoller(controller))
{
    sinceStart.start();
    poller->setUrl(DashboardOptions::defaultUrl());
    lateCheck.setInterval(LateCheckInterval);
    QObject::connect(&lateCheck, &QTimer::timeout, q, [this] { checkLate(); });
    QObject::connect(poller, &StatsPoller::runningChanged, q, [this](bool running) {
        if (running)
            lateCheck.start();
        else
            lateCheck.stop();
    });
    QObject::connect(poller, &StatsPoller::documentReceived, q,
                     [this](const StatsDocument &document) { takeDocument(document); });
    QObject::connect(
        poller, &StatsPoller::pollFailed, q,
        [this](const QString &reason, milliseconds retryIn) { takeFailure(reason, retryIn); });
}

void DashboardControllerPrivate::takeDocument(const StatsDocument &document)
{
    if (document.leftOutCount() > 0 && lastDocument.leftOutCount() == 0) {
        qCWarning(lcDashboard).noquote()
            << "the service sent more stats than the dashboard keeps:" << document.leftOutCount()
            << "values left out beyond" << StatsDocument::MaxStats << "stats";
    }
    lastDocument = document;
    lastArrival = arrivalTime();
    bool recorded = summedHistory.append(lastArrival, document.timestamp(), document.totals(),
                                         document.totalKinds());
    if (shownPid)
        recorded =
            processHistory.append(lastArrival, document.timestamp(), q->shownStats(), shownKinds());

    setConnection(Connection::Connected, u"Connected to "_s + poller->url().authority());
    lastUpdate = StatusWording::lastUpdate(QDateTime::currentDateTime(), document.timestamp());
    processSummary =
        StatusWording::processSummary(document.processCount(), document.unansweredCount());
    updateOfferedProcesses();
    if (takeWindows())
        groupsStale = true;
    if (distributionWindow.isEmpty() && !shownWindows().isEmpty())
        q->setDistributionWindow(shownWindows().firstKey());
    if (recorded)
        refreshView();
    Q_EMIT q->refreshed();
}

void DashboardControllerPrivate::takeFailure(const QString &reason, milliseconds retryIn)
{
    // The history stays as it is: an operator still sees the last minutes.
    setConnection(Connection::Failing, StatusWording::failing(reason, retryIn),
                  StatusWording::failingDetail(
                      poller->consecutiveFailures(),
                      StatsPoller::requestUrl(poller->url(), poller->asksForHistograms())));
    Q_EMIT q->refreshed();
}

void DashboardControllerPrivate::checkLate()
{
    const std::optional<milliseconds> age = poller->requestAge();
    if (!age || *age < q->lateAfter())
        return;
    // While the answer arrives, the request's deadline is not the news.
    const bool reading = poller->isReadingAnswer();
    setConnection(Connection::Waiting, StatusWording::waiting(*age, reading),
                  reading ? QString()
                          : StatusWording::waitingDetail(
                              StatsPoller::requestUrl(poller->url(), poller->asksForHistograms()),
                              poller->timeout()));
}

double DashboardControllerPrivate::arrivalTime() const
{
    return double(epochAtStartMs) / 1000.0 + double(sinceStart.nsecsElapsed()) / 1e9;
}

void DashboardControllerPrivate::setConnection(Connection state, const QString &text,
                                               const QString &detail)
{
    if (state == connection && text == connectionText && detail == connectionDetail)
        return;
    connection = state;
    connectionText = text;
    connectionDetail = detail;
    Q_EMIT q->connectionChanged(state);
}

void DashboardControllerPrivate::updateOfferedProcesses()
{
    QList<qint64> pids;
    for (const StatsDocument::Process &process : lastDocument.processes())
        pids.append(process.pid);
    const bool gone = shownPid && !pids.contains(shownPid);
    if (gone)
        pids.append(shownPid);
    if (pids == offered && gone == shownIsGone)
        return;
    offered = pids;
    shownIsGone = gone;
    Q_EMIT q->offeredProcessesChanged();
}

bool DashboardControllerPrivate::takeWindows()
{
    bool changed = false;
    const StatsDocument::Windows &windows = shownWindows();
    for (auto it = windows.cbegin(); it != windows.cend(); ++it) {
        PercentileGroups::Group group{it.key(), {}};
        for (const auto &[label, row] : it.value().rows)
            group.members.append({label, row, PercentileGroups::rankOf(label)});
        PercentileGroups::Group &known = windowGroups[it.key()];
        const auto sameMembers = [](const PercentileGroups::Group &a,
                                    const PercentileGroups::Group &b) {
            return std::equal(a.members.cbegin(), a.members.cend(), b.members.cbegin(),
                              b.members.cend(), [](const auto &x, const auto &y) {
                                  return x.label == y.label && x.name == y.name;
                              });
        };
        if (known.pattern.isEmpty() || !sameMembers(known, group)) {
            known = std::move(group);
            changed = true;
        }
    }
    return changed;
}

bool DashboardControllerPrivate::hasSummedPercentiles() const
{
    const StatsDocument::Windows &windows = lastDocument.totalWindows();
    return std::any_of(groups.groups().cbegin(), groups.groups().cend(), [&](const auto &group) {
        const auto window = windows.constFind(group.pattern);
        return window == windows.cend() || !window->merged;
    });
}

void DashboardControllerPrivate::refreshView()
{
    const StatHistory &shown = history();
    if (groupsStale || shown.namesRevision() != groupsRevision) {
        groups = PercentileGroups::withWindows(windowGroups.values(), shown.names());
        groupsRevision = shown.namesRevision();
        groupsStale = false;
    }
    Q_EMIT q->viewChanged();
}

} // namespace StatventDashboard

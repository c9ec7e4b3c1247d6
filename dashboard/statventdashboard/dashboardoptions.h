// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTDASHBOARD_DASHBOARDOPTIONS_H
#define STATVENTDASHBOARD_DASHBOARDOPTIONS_H

#include <QString>
#include <QStringList>
#include <QUrl>

#include <chrono>
#include <optional>

namespace StatventDashboard {

/*!
 * statvent-dashboard's command line:
 * `[--url URL] [--interval MS] [--window MIN] [--process PID] [--plot STAT]...
 *  [--distribution WINDOW] [--screenshot FILE [--after N]]`.
 * Options left out stay empty so that the remembered settings apply.
 */
class DashboardOptions
{
public:
    enum class Action { Run, ShowHelp, ShowVersion, Fail };

    static constexpr int DefaultScreenshotPolls = 3;
    //! The poll intervals accepted, in milliseconds: up to an hour, beyond which nothing is live.
    static constexpr int MinIntervalMs = 1;
    static constexpr int MaxIntervalMs = 3600 * 1000;

    //! Reads \a arguments (the program name first, as in QCoreApplication::arguments()).
    static DashboardOptions parse(const QStringList &arguments);

    /*!
     * A stats URL from what a user typed: `127.0.0.1:7828/stats` gets `http://`. Only http and
     * https URLs with a host are accepted; otherwise the result is empty and \a error says why.
     */
    static QUrl parseUrl(const QString &text, QString *error = nullptr);
    static QUrl defaultUrl();
    //! The sliding windows the charts offer, in minutes.
    static QList<int> windowChoices();
    static constexpr int DefaultWindowMinutes = 5;

    Action action = Action::Run;
    QString message; //!< the help text, the version, or what is wrong with the arguments
    std::optional<QUrl> url;
    std::optional<std::chrono::milliseconds> interval;
    std::optional<int> windowMinutes;
    std::optional<qint64> process; //!< show this process rather than all of them summed
    QStringList plottedStats; //!< select these stats in the table, which plots them
    QString distributionWindow; //!< show this window's distribution; empty: the charts
    QString screenshotFile; //!< empty: run interactively
    int screenshotPolls = DefaultScreenshotPolls;
};

} // namespace StatventDashboard

#endif

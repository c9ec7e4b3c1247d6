// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTDASHBOARD_SETTINGSKEYS_H
#define STATVENTDASHBOARD_SETTINGSKEYS_H

#include <QLatin1StringView>

/*!
 * The keys under which the dashboard remembers its settings (QSettings), each written here once.
 * They name entries in users' configuration files: renaming one forgets what users chose.
 */
namespace StatventDashboard::SettingsKeys {

// What the user chose; DashboardController::loadSettings() and saveSettings().
inline constexpr QLatin1StringView Url("url");
inline constexpr QLatin1StringView IntervalMs("intervalMs");
inline constexpr QLatin1StringView WindowMinutes("windowMinutes");
inline constexpr QLatin1StringView SelectedStats("selectedStats");

// The window's layout; MainWindow.
inline constexpr QLatin1StringView Geometry("geometry");
inline constexpr QLatin1StringView WindowState("windowState");
inline constexpr QLatin1StringView Splitter("splitter");

} // namespace StatventDashboard::SettingsKeys

#endif

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTDASHBOARD_DASHBOARDLOGGING_H
#define STATVENTDASHBOARD_DASHBOARDLOGGING_H

#include <QLoggingCategory>

namespace StatventDashboard {

//! Warnings of the dashboard ("statvent.dashboard"): bad answers, refused data, lost series.
Q_DECLARE_LOGGING_CATEGORY(lcDashboard)

} // namespace StatventDashboard

#endif
